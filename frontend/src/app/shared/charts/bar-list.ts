import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

export interface BarItem {
  readonly label: string;
  readonly value: number;
  /** Shown instead of the raw value, e.g. "87 %". */
  readonly display?: string;
}

/** Horizontal bars, labelled; used for category distribution and top-k scores. */
@Component({
  selector: 'app-bar-list',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ul class="bars" [attr.aria-label]="label()">
      @for (bar of bars(); track bar.label) {
        <li>
          <span class="name" [title]="bar.label">{{ bar.label }}</span>
          <span class="track" aria-hidden="true">
            <span class="fill" [style.width.%]="bar.percent"></span>
          </span>
          <span class="value">{{ bar.display }}</span>
        </li>
      }
    </ul>
  `,
  styles: `
    .bars {
      list-style: none;
      margin: 0;
      padding: 0;
      display: grid;
      gap: 8px;
    }
    li {
      display: grid;
      grid-template-columns: minmax(80px, 34%) 1fr minmax(48px, auto);
      align-items: center;
      gap: 10px;
      font: var(--mat-sys-body-medium);
    }
    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .track {
      height: 10px;
      border-radius: 5px;
      background: var(--mat-sys-surface-container-highest);
      overflow: hidden;
    }
    .fill {
      display: block;
      height: 100%;
      border-radius: 5px;
      background: var(--mat-sys-primary);
      transition: width 300ms ease;
    }
    .value {
      text-align: right;
      font-variant-numeric: tabular-nums;
    }
  `,
})
export class BarList {
  readonly items = input.required<readonly BarItem[]>();
  /** Largest value of the scale; defaults to the largest item (1 for probabilities). */
  readonly max = input<number | null>(null);
  readonly label = input('');

  readonly bars = computed(() => {
    const items = this.items();
    const max = this.max() ?? Math.max(0, ...items.map((item) => item.value));
    return items.map((item) => ({
      label: item.label,
      display: item.display ?? String(item.value),
      percent: max > 0 ? Math.min(100, (item.value / max) * 100) : 0,
    }));
  });
}
