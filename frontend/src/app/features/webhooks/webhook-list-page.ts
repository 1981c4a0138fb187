import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatMenuModule } from '@angular/material/menu';
import { Router, RouterLink } from '@angular/router';

import { Webhook } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { WebhooksApi } from '../../core/api/webhooks.api';
import { Notifier } from '../../shared/notifier';
import { EmptyState, ErrorState, LoadingState } from '../../shared/states';
import { StatusBadge } from '../../shared/status-badge';
import { WebhookActions } from './webhook-actions';
import { eventsText } from './webhook-events';

@Component({
  selector: 'app-webhook-list-page',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatMenuModule,
    StatusBadge,
    LoadingState,
    ErrorState,
    EmptyState,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './webhook-list-page.html',
  styleUrl: './webhooks.scss',
})
export class WebhookListPage {
  private readonly api = inject(WebhooksApi);
  private readonly actions = inject(WebhookActions);
  private readonly notifier = inject(Notifier);
  private readonly router = inject(Router);

  protected readonly list = rxResource({ stream: () => this.api.list() });
  protected readonly loadError = computed(() =>
    this.list.error() ? errorMessage(this.list.error(), 'Could not load your webhooks.') : null,
  );
  protected readonly eventsText = eventsText;

  protected add(): void {
    this.actions.add().subscribe({
      next: (created) => {
        this.notifier.info('Endpoint added.');
        void this.router.navigate(['/webhooks', created.id]);
      },
      error: (error: unknown) => this.notifier.error(error, 'Could not add the endpoint'),
    });
  }

  protected setActive(webhook: Webhook, active: boolean): void {
    this.api.update(webhook.id, { is_active: active }).subscribe({
      next: () => this.list.reload(),
      error: (error: unknown) => this.notifier.error(error, 'Could not change the endpoint'),
    });
  }

  protected remove(webhook: Webhook): void {
    this.actions.delete(webhook).subscribe({
      next: () => {
        this.notifier.info('Endpoint deleted.');
        this.list.reload();
      },
      error: (error: unknown) => this.notifier.error(error, 'Could not delete the endpoint'),
    });
  }
}
