import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { Observable } from 'rxjs';

import { ApiUrl } from './api-url';
import {
  Delivery,
  DeliveryDetail,
  DeliveryQuery,
  Page,
  Webhook,
  WebhookInput,
  WebhookWithSecret,
} from './models';
import { queryParams } from './params';

@Injectable({ providedIn: 'root' })
export class WebhooksApi {
  private readonly http = inject(HttpClient);
  private readonly url = inject(ApiUrl);

  list(limit = 100, offset = 0): Observable<Page<Webhook>> {
    return this.http.get<Page<Webhook>>(this.url.to('/webhooks'), {
      params: queryParams({ limit, offset }),
    });
  }

  get(id: string): Observable<Webhook> {
    return this.http.get<Webhook>(this.url.to(`/webhooks/${id}`));
  }

  create(input: WebhookInput): Observable<WebhookWithSecret> {
    return this.http.post<WebhookWithSecret>(this.url.to('/webhooks'), input);
  }

  update(id: string, input: Partial<WebhookInput>): Observable<Webhook> {
    return this.http.patch<Webhook>(this.url.to(`/webhooks/${id}`), input);
  }

  delete(id: string): Observable<void> {
    return this.http.delete<void>(this.url.to(`/webhooks/${id}`));
  }

  rotateSecret(id: string): Observable<WebhookWithSecret> {
    return this.http.post<WebhookWithSecret>(this.url.to(`/webhooks/${id}/rotate-secret`), {});
  }

  ping(id: string): Observable<DeliveryDetail> {
    return this.http.post<DeliveryDetail>(this.url.to(`/webhooks/${id}/ping`), {});
  }

  deliveries(id: string, query: DeliveryQuery): Observable<Page<Delivery>> {
    return this.http.get<Page<Delivery>>(this.url.to(`/webhooks/${id}/deliveries`), {
      params: queryParams(query),
    });
  }

  delivery(id: string, deliveryId: string): Observable<DeliveryDetail> {
    return this.http.get<DeliveryDetail>(this.url.to(`/webhooks/${id}/deliveries/${deliveryId}`));
  }

  replay(id: string, deliveryId: string): Observable<DeliveryDetail> {
    return this.http.post<DeliveryDetail>(
      this.url.to(`/webhooks/${id}/deliveries/${deliveryId}/replay`),
      {},
    );
  }
}
