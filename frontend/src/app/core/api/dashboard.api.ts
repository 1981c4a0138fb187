import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiUrl } from './api-url';
import { DashboardStats } from './models';

@Injectable({ providedIn: 'root' })
export class DashboardApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);

  stats(): Observable<DashboardStats> {
    return this.http.get<DashboardStats>(this.url.to('/dashboard/stats'));
  }
}
