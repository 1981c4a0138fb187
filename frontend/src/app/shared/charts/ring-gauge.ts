import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { ringDash } from './chart-math';

/** A ring filled to a fraction, with the percentage in the middle (defect rate). */
@Component({
  selector: 'app-ring-gauge',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <svg viewBox="0 0 120 120" role="img" [attr.aria-label]="label() + ': ' + text()">
      <circle class="track" cx="60" cy="60" [attr.r]="radius" />
      <circle
        class="fill"
        [class.danger]="fraction() >= warnAt()"
        cx="60"
        cy="60"
        [attr.r]="radius"
        [attr.stroke-dasharray]="dash()"
        transform="rotate(-90 60 60)"
      />
      <text x="60" y="66" text-anchor="middle">{{ text() }}</text>
    </svg>
  `,
  styles: `
    svg {
      width: 120px;
      height: 120px;
    }
    circle {
      fill: none;
      stroke-width: 12;
    }
    .track {
      stroke: var(--mat-sys-surface-container-highest);
    }
    .fill {
      stroke: var(--mat-sys-primary);
      stroke-linecap: round;
      transition: stroke-dasharray 300ms ease;
    }
    .fill.danger {
      stroke: var(--mat-sys-error);
    }
    text {
      font:
        500 20px Roboto,
        sans-serif;
      fill: var(--mat-sys-on-surface);
    }
  `,
})
export class RingGauge {
  readonly fraction = input.required<number>();
  readonly label = input('');
  readonly warnAt = input(0.25);
  protected readonly radius = 48;
  protected readonly dash = computed(() => ringDash(this.fraction(), this.radius));
  protected readonly text = computed(() => `${Math.round(this.fraction() * 100)}%`);
}
