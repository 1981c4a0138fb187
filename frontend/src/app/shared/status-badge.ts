import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';

import { humanize } from './format';

interface BadgeLook {
  readonly icon: string;
  readonly tone: 'neutral' | 'progress' | 'success' | 'warning' | 'danger';
}

const LOOKS: Record<string, BadgeLook> = {
  draft: { icon: 'edit_note', tone: 'neutral' },
  pending: { icon: 'schedule', tone: 'neutral' },
  processing: { icon: 'autorenew', tone: 'progress' },
  running: { icon: 'autorenew', tone: 'progress' },
  analyzed: { icon: 'check_circle', tone: 'success' },
  completed: { icon: 'check_circle', tone: 'success' },
  uploaded: { icon: 'cloud_done', tone: 'success' },
  completed_with_errors: { icon: 'warning', tone: 'warning' },
  skipped: { icon: 'redo', tone: 'neutral' },
  cancelled: { icon: 'block', tone: 'warning' },
  failed: { icon: 'error', tone: 'danger' },
  rejected: { icon: 'error', tone: 'danger' },
  succeeded: { icon: 'check_circle', tone: 'success' },
  pass: { icon: 'check_circle', tone: 'success' },
  warn: { icon: 'warning', tone: 'warning' },
  fail: { icon: 'cancel', tone: 'danger' },
  active: { icon: 'power', tone: 'success' },
  paused: { icon: 'pause_circle', tone: 'neutral' },
};

const LABELS: Record<string, string> = {
  analyzed: 'Analysed',
  pass: 'Passes',
  warn: 'Warning',
  fail: 'Fails',
};

/** A coloured, labelled status; colour is never the only signal (icon and text too). */
@Component({
  selector: 'app-status-badge',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { '[attr.data-status]': 'status()' },
  template: `
    <span [class]="'badge tone-' + look().tone">
      <mat-icon aria-hidden="true" [class.spin]="look().tone === 'progress'">{{
        look().icon
      }}</mat-icon>
      {{ label() }}
    </span>
  `,
  styles: `
    .badge {
      display: inline-flex;
      align-items: center;
      gap: 4px;
      padding: 2px 10px 2px 6px;
      border-radius: 999px;
      font: var(--mat-sys-label-medium);
      white-space: nowrap;
    }
    mat-icon {
      width: 16px;
      height: 16px;
      font-size: 16px;
    }
    .tone-neutral {
      background: var(--mat-sys-surface-container-highest);
      color: var(--mat-sys-on-surface);
    }
    .tone-progress {
      background: #dbe7ff;
      color: #0b3b8c;
    }
    .tone-success {
      background: #d5f2dc;
      color: #0c5a24;
    }
    .tone-warning {
      background: #fdebc8;
      color: #6b4200;
    }
    .tone-danger {
      background: var(--mat-sys-error-container);
      color: var(--mat-sys-on-error-container);
    }
    .spin {
      animation: spin 1.4s linear infinite;
    }
    @keyframes spin {
      to {
        transform: rotate(360deg);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      .spin {
        animation: none;
      }
    }
  `,
})
export class StatusBadge {
  readonly status = input.required<string>();
  readonly look = computed(() => LOOKS[this.status()] ?? LOOKS['pending']);
  /** Replaces the status's own wording where it reads badly on its own. */
  readonly text = input<string | null>(null);
  readonly label = computed(() => this.text() ?? LABELS[this.status()] ?? humanize(this.status()));
}
