import { inject, Injectable } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { filter, map, mergeMap, Observable } from 'rxjs';

import { Webhook, WebhookWithSecret } from '../../core/api/models';
import { WebhooksApi } from '../../core/api/webhooks.api';
import { Confirmer } from '../../shared/confirm-dialog';
import { SecretDialog, SecretDialogData } from './secret-dialog';
import { WebhookFormDialog } from './webhook-form-dialog';

/** The dialogs both webhook pages open: add, edit, rotate (showing the secret once), delete. */
@Injectable({ providedIn: 'root' })
export class WebhookActions {
  private readonly dialog = inject(MatDialog);
  private readonly api = inject(WebhooksApi);
  private readonly confirmer = inject(Confirmer);

  /** Emits the new endpoint after its secret was shown; nothing when cancelled. */
  add(): Observable<Webhook> {
    return this.dialog
      .open<WebhookFormDialog, null, WebhookWithSecret>(WebhookFormDialog, {
        width: '560px',
        maxWidth: '95vw',
        data: null,
      })
      .afterClosed()
      .pipe(
        filter((created): created is WebhookWithSecret => Boolean(created)),
        mergeMap((created) => this.showSecret(created, false).pipe(map(() => created))),
      );
  }

  edit(webhook: Webhook): Observable<Webhook> {
    return this.dialog
      .open<WebhookFormDialog, Webhook, Webhook>(WebhookFormDialog, {
        width: '560px',
        maxWidth: '95vw',
        data: webhook,
      })
      .afterClosed()
      .pipe(filter((saved): saved is Webhook => Boolean(saved)));
  }

  rotate(webhook: Webhook): Observable<Webhook> {
    return this.confirmer
      .ask({
        title: 'Rotate the signing secret?',
        message:
          'A new secret signs every delivery from now on; receivers checking the old one ' +
          'will refuse them until you update it.',
        confirmLabel: 'Rotate',
      })
      .pipe(
        filter(Boolean),
        mergeMap(() => this.api.rotateSecret(webhook.id)),
        mergeMap((rotated) => this.showSecret(rotated, true).pipe(map(() => rotated))),
      );
  }

  /** Emits once the endpoint was deleted. */
  delete(webhook: Webhook): Observable<void> {
    return this.confirmer
      .ask({
        title: 'Delete endpoint?',
        message: `${webhook.url} stops receiving events, and its deliveries are deleted.`,
        confirmLabel: 'Delete',
        destructive: true,
      })
      .pipe(
        filter(Boolean),
        mergeMap(() => this.api.delete(webhook.id)),
      );
  }

  private showSecret(webhook: WebhookWithSecret, rotated: boolean): Observable<unknown> {
    return this.dialog
      .open<SecretDialog, SecretDialogData>(SecretDialog, {
        width: '560px',
        maxWidth: '95vw',
        disableClose: true,
        data: { secret: webhook.secret, url: webhook.url, rotated },
      })
      .afterClosed();
  }
}
