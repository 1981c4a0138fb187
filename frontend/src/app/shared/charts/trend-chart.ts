import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

import { areaPath, columnSlots, linePath, niceMax, plotPoints, ticks } from './chart-math';

export interface TrendPoint {
  /** ISO date (YYYY-MM-DD). */
  readonly date: string;
  readonly value: number | null;
}

const WIDTH = 560;
const HEIGHT = 180;
const LEFT = 48;
const BOTTOM = 24;
const TOP = 8;
const RIGHT = 8;

/**
 * A daily series as a line (e.g. processing time) or columns (e.g. images analysed), with a
 * y axis, first/last date labels, point titles for hover and a data table for screen readers.
 */
@Component({
  selector: 'app-trend-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <figure>
      <svg
        [attr.viewBox]="'0 0 ' + width + ' ' + height"
        role="img"
        [attr.aria-label]="summary()"
        preserveAspectRatio="xMidYMid meet"
      >
        <g [attr.transform]="'translate(' + left + ',' + top + ')'">
          @for (tick of yTicks(); track $index) {
            <line class="grid" x1="0" [attr.x2]="plotWidth" [attr.y1]="tick.y" [attr.y2]="tick.y" />
            <text class="axis" x="-6" [attr.y]="tick.y + 4" text-anchor="end">
              {{ tick.label }}
            </text>
          }
          @if (kind() === 'line') {
            <path class="area" [attr.d]="area()" />
            <path class="line" [attr.d]="line()" />
            @for (point of points(); track point.index) {
              <circle class="dot" [attr.cx]="point.x" [attr.cy]="point.y" r="3.5">
                <title>{{ series()[point.index].date }}: {{ format()(point.value) }}</title>
              </circle>
            }
          } @else {
            @for (slot of columns(); track $index) {
              <rect
                class="column"
                [attr.x]="slot.x"
                [attr.y]="slot.y"
                [attr.width]="slot.width"
                [attr.height]="slot.height"
                rx="2"
              >
                <title>
                  {{ series()[$index].date }}: {{ format()(series()[$index].value ?? 0) }}
                </title>
              </rect>
            }
          }
          @if (series().length) {
            <text class="axis" x="0" [attr.y]="plotHeight + 18">{{ series()[0].date }}</text>
            <text class="axis" [attr.x]="plotWidth" [attr.y]="plotHeight + 18" text-anchor="end">
              {{ series()[series().length - 1].date }}
            </text>
          }
        </g>
      </svg>
      <figcaption>{{ caption() }}</figcaption>
      <table class="visually-hidden">
        <caption>
          {{
            caption()
          }}
        </caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          @for (point of series(); track point.date) {
            <tr>
              <td>{{ point.date }}</td>
              <td>{{ point.value === null ? 'no data' : format()(point.value) }}</td>
            </tr>
          }
        </tbody>
      </table>
    </figure>
  `,
  styles: `
    figure {
      margin: 0;
    }
    svg {
      width: 100%;
      height: auto;
      display: block;
    }
    figcaption {
      font: var(--mat-sys-body-small);
      color: var(--mat-sys-on-surface-variant);
      margin-top: 4px;
    }
    .grid {
      stroke: var(--mat-sys-outline-variant);
      stroke-width: 1;
    }
    .axis {
      font-size: 11px;
      fill: var(--mat-sys-on-surface-variant);
    }
    .line {
      fill: none;
      stroke: var(--mat-sys-primary);
      stroke-width: 2.5;
      stroke-linejoin: round;
    }
    .area {
      fill: var(--mat-sys-primary);
      opacity: 0.12;
    }
    .dot {
      fill: var(--mat-sys-surface);
      stroke: var(--mat-sys-primary);
      stroke-width: 2;
    }
    .column {
      fill: var(--mat-sys-tertiary);
    }
  `,
})
export class TrendChart {
  readonly series = input.required<readonly TrendPoint[]>();
  readonly kind = input<'line' | 'columns'>('line');
  readonly caption = input('');
  readonly format = input<(value: number) => string>((value) => String(value));

  protected readonly width = WIDTH;
  protected readonly height = HEIGHT;
  protected readonly left = LEFT;
  protected readonly top = TOP;
  protected readonly plotWidth = WIDTH - LEFT - RIGHT;
  protected readonly plotHeight = HEIGHT - TOP - BOTTOM;

  private readonly max = computed(() =>
    niceMax(Math.max(0, ...this.series().map((point) => point.value ?? 0))),
  );
  protected readonly yTicks = computed(() =>
    ticks(this.max()).map((value) => ({
      y: this.plotHeight - (value / this.max()) * this.plotHeight,
      label: this.format()(value),
    })),
  );
  protected readonly points = computed(() =>
    plotPoints(
      this.series().map((point) => point.value),
      this.plotWidth,
      this.plotHeight,
      this.max(),
    ),
  );
  protected readonly line = computed(() => linePath(this.points()));
  protected readonly area = computed(() => areaPath(this.points(), this.plotHeight));
  protected readonly columns = computed(() =>
    columnSlots(
      this.series().map((point) => point.value ?? 0),
      this.plotWidth,
      this.plotHeight,
      this.max(),
    ),
  );
  protected readonly summary = computed(() => {
    const values = this.series()
      .map((point) => point.value)
      .filter((value): value is number => value !== null);
    if (!values.length) {
      return `${this.caption()}: no data yet`;
    }
    const latest = values[values.length - 1];
    return `${this.caption()}: ${values.length} days with data, latest ${this.format()(latest)}, highest ${this.format()(Math.max(...values))}`;
  });
}
