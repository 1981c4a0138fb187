import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';

import { requestIdOf } from '../core/api/problem';

@Component({
  selector: 'app-loading',
  imports: [MatProgressSpinnerModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="state" role="status" aria-live="polite">
      <mat-spinner diameter="36" aria-hidden="true" />
      <span>{{ label() }}</span>
    </div>
  `,
  styleUrl: './states.scss',
})
export class LoadingState {
  readonly label = input('Loading…');
}

@Component({
  selector: 'app-error',
  imports: [MatButtonModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="state error" role="alert">
      <mat-icon aria-hidden="true">error_outline</mat-icon>
      <p class="title">{{ title() }}</p>
      <p>{{ message() }}</p>
      @if (requestId(); as id) {
        <p class="reference">
          Reference for support: <code>{{ id }}</code>
        </p>
      }
      @if (retryable()) {
        <button mat-stroked-button type="button" (click)="retry.emit()">
          <mat-icon aria-hidden="true">refresh</mat-icon> Try again
        </button>
      }
    </div>
  `,
  styleUrl: './states.scss',
})
export class ErrorState {
  readonly title = input('Could not load this page');
  readonly message = input.required<string>();
  /** The failure itself, to show its request id for support. */
  readonly error = input<unknown>(null);
  protected readonly requestId = computed(() => requestIdOf(this.error()));
  readonly retryable = input(true);
  readonly retry = output<void>();
}

@Component({
  selector: 'app-empty',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="state empty">
      <mat-icon aria-hidden="true">{{ icon() }}</mat-icon>
      <p class="title">{{ title() }}</p>
      <p>{{ message() }}</p>
      <ng-content />
    </div>
  `,
  styleUrl: './states.scss',
})
export class EmptyState {
  readonly icon = input('inbox');
  readonly title = input.required<string>();
  readonly message = input('');
}
