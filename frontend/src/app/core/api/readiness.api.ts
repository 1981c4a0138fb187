import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable, shareReplay } from 'rxjs';

import { ApiUrl } from './api-url';
import { ImageReadiness, ProductReadiness, ReadinessPresets } from './models';
import { queryParams } from './params';

@Injectable({ providedIn: 'root' })
export class ReadinessApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);
  /** Presets are data on the server that change only with a deployment: read them once. */
  private presets$?: Observable<ReadinessPresets>;

  presets(): Observable<ReadinessPresets> {
    this.presets$ ??= this.http
      .get<ReadinessPresets>(this.url.to('/readiness/presets'))
      .pipe(shareReplay({ bufferSize: 1, refCount: false }));
    return this.presets$;
  }

  forImage(imageId: string, preset?: string): Observable<ImageReadiness> {
    return this.http.get<ImageReadiness>(this.url.to(`/images/${imageId}/readiness`), {
      params: queryParams({ preset }),
    });
  }

  forProduct(productId: string, preset?: string): Observable<ProductReadiness> {
    return this.http.get<ProductReadiness>(this.url.to(`/products/${productId}/readiness`), {
      params: queryParams({ preset }),
    });
  }
}
