import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiUrl } from './api-url';
import {
  DuplicateCluster,
  DuplicateQuery,
  DuplicateStatus,
  Page,
  PhotoSearch,
  SimilarImages,
} from './models';
import { queryParams } from './params';

/** Visual search and near-duplicates, always inside the caller's own catalogue. */
@Injectable({ providedIn: 'root' })
export class SearchApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);

  similar(imageId: string, limit = 10): Observable<SimilarImages> {
    return this.http.get<SimilarImages>(this.url.to(`/images/${imageId}/similar`), {
      params: queryParams({ limit }),
    });
  }

  /** The photo is analysed in the request and never stored. */
  byImage(file: File, limit = 10): Observable<PhotoSearch> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.http.post<PhotoSearch>(this.url.to('/search/by-image'), form, {
      params: queryParams({ limit }),
    });
  }

  duplicates(query: DuplicateQuery): Observable<Page<DuplicateCluster>> {
    return this.http.get<Page<DuplicateCluster>>(this.url.to('/duplicates'), {
      params: queryParams({ ...query, include_kept: query.include_kept ? 'true' : undefined }),
    });
  }

  keepDuplicate(imageId: string): Observable<DuplicateStatus> {
    return this.http.post<DuplicateStatus>(this.url.to(`/images/${imageId}/duplicate/keep`), {});
  }

  unkeepDuplicate(imageId: string): Observable<DuplicateStatus> {
    return this.http.delete<DuplicateStatus>(this.url.to(`/images/${imageId}/duplicate/keep`));
  }
}
