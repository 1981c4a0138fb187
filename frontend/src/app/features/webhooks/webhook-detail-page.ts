import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  input,
  numberAttribute,
  signal,
} from '@angular/core';
import { rxResource, takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { filter, finalize, interval } from 'rxjs';

import { Delivery, DeliveryDetail, DeliveryStatus } from '../../core/api/models';
import { orEmpty } from '../../core/api/params';
import { errorMessage } from '../../core/api/problem';
import { WebhooksApi } from '../../core/api/webhooks.api';
import { HumanizePipe } from '../../shared/format.pipes';
import { Notifier } from '../../shared/notifier';
import { EmptyState, ErrorState, LoadingState } from '../../shared/states';
import { StatusBadge } from '../../shared/status-badge';
import { WebhookActions } from './webhook-actions';
import { eventsText, responseText } from './webhook-events';

/** While a delivery is pending its row is re-read this often (deliveries are not pushed). */
export const PENDING_POLL_MS = 2000;

@Component({
  selector: 'app-webhook-detail-page',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatMenuModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatSelectModule,
    StatusBadge,
    HumanizePipe,
    LoadingState,
    ErrorState,
    EmptyState,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './webhook-detail-page.html',
  styleUrl: './webhooks.scss',
})
export class WebhookDetailPage {
  private readonly api = inject(WebhooksApi);
  private readonly actions = inject(WebhookActions);
  private readonly notifier = inject(Notifier);
  private readonly router = inject(Router);

  readonly id = input.required<string>();
  readonly status = input<DeliveryStatus | '', DeliveryStatus | '' | undefined>('', {
    transform: orEmpty,
  });
  readonly page = input(0, { transform: (value: unknown) => numberAttribute(value, 0) });
  readonly size = input(20, { transform: (value: unknown) => numberAttribute(value, 20) });

  protected readonly statuses: DeliveryStatus[] = ['pending', 'succeeded', 'failed'];
  protected readonly webhook = rxResource({
    params: () => this.id(),
    stream: ({ params }) => this.api.get(params),
  });
  protected readonly deliveries = rxResource({
    params: () => ({
      id: this.id(),
      status: this.status(),
      limit: this.size(),
      offset: this.page() * this.size(),
    }),
    stream: ({ params: { id, ...query } }) => this.api.deliveries(id, query),
  });
  protected readonly loadError = computed(() =>
    this.webhook.error()
      ? errorMessage(this.webhook.error(), 'Could not load the endpoint.')
      : null,
  );
  protected readonly deliveriesError = computed(() =>
    this.deliveries.error()
      ? errorMessage(this.deliveries.error(), 'Could not load the deliveries.')
      : null,
  );
  protected readonly opened = signal<string | null>(null);
  protected readonly detail = rxResource({
    params: () => {
      const delivery = this.opened();
      return delivery ? { id: this.id(), delivery, key: this.updatedAt(delivery) } : undefined;
    },
    stream: ({ params }) => this.api.delivery(params.id, params.delivery),
  });
  protected readonly busy = signal<'ping' | 'replay' | null>(null);
  protected readonly eventsText = eventsText;
  protected readonly responseText = responseText;

  constructor() {
    interval(PENDING_POLL_MS)
      .pipe(
        filter(() => (this.deliveries.value()?.data ?? []).some((d) => d.status === 'pending')),
        takeUntilDestroyed(inject(DestroyRef)),
      )
      .subscribe(() => this.deliveries.reload());
  }

  protected navigate(params: Record<string, string | number | null>): void {
    void this.router.navigate([], {
      queryParams: params,
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  protected onPage(event: PageEvent): void {
    this.navigate({ page: event.pageIndex || null, size: event.pageSize });
  }

  protected toggle(delivery: Delivery): void {
    this.opened.set(this.opened() === delivery.id ? null : delivery.id);
  }

  protected payloadText(detail: DeliveryDetail): string {
    return JSON.stringify(detail.payload, null, 2);
  }

  protected ping(): void {
    this.busy.set('ping');
    this.api
      .ping(this.id())
      .pipe(finalize(() => this.busy.set(null)))
      .subscribe({
        next: () => {
          this.notifier.info('Test event queued.');
          this.afterSend();
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not send a test event'),
      });
  }

  protected replay(delivery: Delivery): void {
    this.busy.set('replay');
    this.api
      .replay(this.id(), delivery.id)
      .pipe(finalize(() => this.busy.set(null)))
      .subscribe({
        next: () => {
          this.notifier.info('Delivery queued again.');
          this.afterSend();
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not replay'),
      });
  }

  protected edit(): void {
    const webhook = this.webhook.value();
    if (webhook) {
      this.actions.edit(webhook).subscribe((saved) => {
        this.webhook.set(saved);
        this.notifier.info('Endpoint saved.');
      });
    }
  }

  protected setActive(active: boolean): void {
    this.api.update(this.id(), { is_active: active }).subscribe({
      next: (saved) => this.webhook.set(saved),
      error: (error: unknown) => this.notifier.error(error, 'Could not change the endpoint'),
    });
  }

  protected rotate(): void {
    const webhook = this.webhook.value();
    if (webhook) {
      this.actions.rotate(webhook).subscribe({
        next: (rotated) => this.webhook.set(rotated),
        error: (error: unknown) => this.notifier.error(error, 'Could not rotate the secret'),
      });
    }
  }

  protected remove(): void {
    const webhook = this.webhook.value();
    if (webhook) {
      this.actions.delete(webhook).subscribe({
        next: () => {
          this.notifier.info('Endpoint deleted.');
          void this.router.navigate(['/webhooks']);
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not delete the endpoint'),
      });
    }
  }

  /** New deliveries show first: back to the first page with no filter hiding them. */
  private afterSend(): void {
    if (this.page() || this.status()) {
      this.navigate({ page: null, status: null });
    } else {
      this.deliveries.reload();
    }
  }

  private updatedAt(id: string): string | null {
    return this.deliveries.value()?.data.find((d) => d.id === id)?.updated_at ?? null;
  }
}
