import { HttpClient, HttpEvent } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiUrl } from './api-url';
import { ImportResult } from './models';

export type ImportKind = 'zip' | 'urls';

@Injectable({ providedIn: 'root' })
export class ImportsApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);

  /** A ZIP of photos (`zip`) or a CSV of image URLs (`urls`), with upload progress events. */
  upload(kind: ImportKind, file: File): Observable<HttpEvent<ImportResult>> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.http.post<ImportResult>(this.url.to(`/imports/${kind}`), form, {
      reportProgress: true,
      observe: 'events',
    });
  }
}
