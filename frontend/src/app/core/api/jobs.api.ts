import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiUrl } from './api-url';
import { BatchJobRequest, Job, JobDetail, JobQuery, Page } from './models';
import { queryParams } from './params';

@Injectable({ providedIn: 'root' })
export class JobsApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);

  list(query: JobQuery): Observable<Page<Job>> {
    return this.http.get<Page<Job>>(this.url.to('/jobs'), { params: queryParams(query) });
  }

  get(id: string): Observable<JobDetail> {
    return this.http.get<JobDetail>(this.url.to(`/jobs/${id}`));
  }

  createBatch(request: BatchJobRequest): Observable<Job> {
    return this.http.post<Job>(this.url.to('/jobs'), request);
  }

  cancel(id: string): Observable<Job> {
    return this.http.post<Job>(this.url.to(`/jobs/${id}/cancel`), {});
  }

  retry(id: string): Observable<Job> {
    return this.http.post<Job>(this.url.to(`/jobs/${id}/retry`), {});
  }
}
