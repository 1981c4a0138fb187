import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiUrl } from './api-url';
import { Classifier, Correction, CorrectionQuery, Page } from './models';
import { queryParams } from './params';

/** The seller's labels for images and the custom classifier head learnt from them. */
@Injectable({ providedIn: 'root' })
export class CorrectionsApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);

  set(imageId: string, label: string): Observable<Correction> {
    return this.http.put<Correction>(this.url.to(`/images/${imageId}/correction`), { label });
  }

  remove(imageId: string): Observable<void> {
    return this.http.delete<void>(this.url.to(`/images/${imageId}/correction`));
  }

  list(query: CorrectionQuery): Observable<Page<Correction>> {
    return this.http.get<Page<Correction>>(this.url.to('/corrections'), {
      params: queryParams(query),
    });
  }

  classifier(): Observable<Classifier> {
    return this.http.get<Classifier>(this.url.to('/classifiers/me'));
  }

  train(): Observable<Classifier> {
    return this.http.post<Classifier>(this.url.to('/classifiers/train'), {});
  }

  deleteClassifier(): Observable<void> {
    return this.http.delete<void>(this.url.to('/classifiers/me'));
  }
}
