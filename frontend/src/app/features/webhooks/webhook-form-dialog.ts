import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { ErrorStateMatcher } from '@angular/material/core';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { finalize, Observable } from 'rxjs';

import {
  Webhook,
  WEBHOOK_EVENT_TYPES,
  WebhookEventType,
  WebhookInput,
  WebhookWithSecret,
} from '../../core/api/models';
import { errorMessage, fieldErrors, problemCode } from '../../core/api/problem';
import { WebhooksApi } from '../../core/api/webhooks.api';
import { EVENT_LABELS, webhookUrlProblem } from './webhook-events';

/** Add an endpoint (closes with the secret) or edit one (closes with the saved endpoint). */
@Component({
  selector: 'app-webhook-form-dialog',
  imports: [
    FormsModule,
    MatButtonModule,
    MatCheckboxModule,
    MatDialogModule,
    MatFormFieldModule,
    MatInputModule,
    MatSlideToggleModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ editing ? 'Edit endpoint' : 'Add endpoint' }}</h2>
    <form (submit)="$event.preventDefault(); save()" novalidate>
      <mat-dialog-content>
        <mat-form-field class="wide">
          <mat-label>Endpoint URL</mat-label>
          <input
            matInput
            type="url"
            name="url"
            required
            [ngModel]="url()"
            (ngModelChange)="url.set($event); urlError.set(null)"
            [errorStateMatcher]="urlState"
            placeholder="https://hooks.example.com/imagineai"
            autocomplete="url"
          />
          @if (shownUrlError(); as message) {
            <mat-error>{{ message }}</mat-error>
          } @else {
            <mat-hint>HTTPS, on a public address</mat-hint>
          }
        </mat-form-field>

        <fieldset class="events">
          <legend>Events to send</legend>
          @for (type of eventTypes; track type) {
            <mat-checkbox
              [checked]="events().has(type)"
              (change)="toggle(type, $event.checked)"
              [name]="type"
            >
              {{ labels[type] }} <code class="muted">{{ type }}</code>
            </mat-checkbox>
          }
          <p class="muted small" role="status">
            {{ events().size === 0 ? 'None ticked: every event is sent.' : '' }}
          </p>
        </fieldset>

        <mat-form-field class="wide">
          <mat-label>Description (optional)</mat-label>
          <input
            matInput
            name="description"
            maxlength="300"
            [ngModel]="description()"
            (ngModelChange)="description.set($event)"
          />
        </mat-form-field>

        <mat-slide-toggle [checked]="active()" (change)="active.set($event.checked)">
          Active (deliver events)
        </mat-slide-toggle>

        @if (error(); as message) {
          <p class="error" role="alert">{{ message }}</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>Cancel</button>
        <button mat-flat-button type="submit" [disabled]="busy()">
          {{ editing ? 'Save' : 'Add endpoint' }}
        </button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .wide {
      width: 100%;
    }
    .events {
      border: none;
      margin: 8px 0 12px;
      padding: 0;
      display: flex;
      flex-direction: column;
      legend {
        font: var(--mat-sys-title-small);
        margin-bottom: 4px;
      }
      code {
        font-size: 12px;
      }
    }
    .small {
      margin: 0;
      font: var(--mat-sys-body-small);
      min-height: 1em;
    }
    .error {
      color: var(--mat-sys-error);
    }
  `,
})
export class WebhookFormDialog {
  private readonly api = inject(WebhooksApi);
  private readonly dialog =
    inject<MatDialogRef<WebhookFormDialog, Webhook | WebhookWithSecret>>(MatDialogRef);
  private readonly existing = inject<Webhook | null>(MAT_DIALOG_DATA, { optional: true });

  protected readonly editing = Boolean(this.existing);
  protected readonly eventTypes = WEBHOOK_EVENT_TYPES;
  protected readonly labels = EVENT_LABELS;
  protected readonly url = signal(this.existing?.url ?? '');
  protected readonly events = signal<ReadonlySet<WebhookEventType>>(
    new Set((this.existing?.event_types ?? []) as WebhookEventType[]),
  );
  protected readonly description = signal(this.existing?.description ?? '');
  protected readonly active = signal(this.existing?.is_active ?? true);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly urlError = signal<string | null>(null);
  private readonly touched = signal(false);
  protected readonly shownUrlError = computed(
    () => this.urlError() ?? (this.touched() ? webhookUrlProblem(this.url()) : null),
  );
  protected readonly urlState: ErrorStateMatcher = {
    isErrorState: () => Boolean(this.shownUrlError()),
  };

  protected toggle(type: WebhookEventType, checked: boolean): void {
    const next = new Set(this.events());
    if (checked) {
      next.add(type);
    } else {
      next.delete(type);
    }
    this.events.set(next);
  }

  protected save(): void {
    this.touched.set(true);
    if (webhookUrlProblem(this.url()) || this.busy()) {
      return;
    }
    const input: WebhookInput = {
      url: this.url().trim(),
      event_types: WEBHOOK_EVENT_TYPES.filter((type) => this.events().has(type)),
      description: this.description().trim(),
      is_active: this.active(),
    };
    const request: Observable<Webhook | WebhookWithSecret> = this.existing
      ? this.api.update(this.existing.id, input)
      : this.api.create(input);
    this.busy.set(true);
    this.error.set(null);
    request.pipe(finalize(() => this.busy.set(false))).subscribe({
      next: (saved) => this.dialog.close(saved),
      error: (error: unknown) => {
        const fields = fieldErrors(error);
        const message = errorMessage(error, 'Could not save the endpoint.');
        if (fields['url'] || problemCode(error) === 'webhook_url_refused') {
          this.urlError.set(fields['url'] ?? message);
        } else {
          this.error.set(message);
        }
      },
    });
  }
}
