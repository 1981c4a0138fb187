import { HttpClient, HttpErrorResponse, HttpResponse } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';

import { ApiUrl } from './api-url';
import { ExportQuery } from './models';
import { queryParams } from './params';

@Injectable({ providedIn: 'root' })
export class ExportsApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);

  /** The whole export as one blob, with the response headers for its file name. */
  products(query: ExportQuery): Observable<HttpResponse<Blob>> {
    return this.http
      .get(this.url.to('/exports/products'), {
        params: queryParams({ ...query, bom: query.bom ? 'true' : undefined }),
        responseType: 'blob',
        observe: 'response',
      })
      .pipe(
        catchError((error: unknown) =>
          from(withTextBody(error)).pipe(mergeMap((readable) => throwError(() => readable))),
        ),
      );
  }
}

/** A blob request fails with a blob body: read it, so the problem details can be shown. */
export async function withTextBody(error: unknown): Promise<unknown> {
  if (!(error instanceof HttpErrorResponse) || !(error.error instanceof Blob)) {
    return error;
  }
  return new HttpErrorResponse({
    error: await error.error.text(),
    headers: error.headers,
    status: error.status,
    statusText: error.statusText,
    url: error.url ?? undefined,
  });
}
