import {
  afterNextRender,
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  ElementRef,
  inject,
  input,
  model,
  signal,
  viewChild,
} from '@angular/core';
import { MatTooltipModule } from '@angular/material/tooltip';

import { Defect } from '../../core/api/models';
import { formatPercent, humanize } from '../../shared/format';
import { scaleBox, Size } from './box-geometry';
import { Heatmap, hotCells } from './heatmap';

/** The photo with its defect boxes drawn over it, scaled as the photo resizes. */
@Component({
  selector: 'app-defect-overlay',
  imports: [MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="frame">
      <img #photo [src]="src()" [alt]="alt()" (load)="onLoad(photo)" (error)="failed.set(true)" />
      @if (failed()) {
        <p class="failed" role="alert">The photo could not be loaded.</p>
      }
      @if (heat(); as map) {
        <svg
          class="heat"
          aria-hidden="true"
          [attr.viewBox]="'0 0 ' + map.columns + ' ' + map.rows"
          preserveAspectRatio="none"
          [style.left.px]="map.rect.left"
          [style.top.px]="map.rect.top"
          [style.width.px]="map.rect.width"
          [style.height.px]="map.rect.height"
        >
          @for (cell of map.cells; track $index) {
            <rect
              [attr.x]="cell.x"
              [attr.y]="cell.y"
              width="1"
              height="1"
              [attr.fill-opacity]="cell.value * 0.6"
            />
          }
        </svg>
      }
      @for (box of boxes(); track $index) {
        <button
          type="button"
          class="box"
          [class.active]="highlighted() === $index"
          [attr.data-severity]="box.defect.severity"
          [style.left.px]="box.rect.left"
          [style.top.px]="box.rect.top"
          [style.width.px]="box.rect.width"
          [style.height.px]="box.rect.height"
          [matTooltip]="box.text"
          [attr.aria-label]="'Defect ' + ($index + 1) + ': ' + box.text"
          (mouseenter)="highlighted.set($index)"
          (mouseleave)="highlighted.set(null)"
          (focus)="highlighted.set($index)"
          (blur)="highlighted.set(null)"
        >
          <span class="tag" aria-hidden="true">{{ $index + 1 }}</span>
        </button>
      }
    </div>
  `,
  styleUrl: './defect-overlay.scss',
})
export class DefectOverlay {
  readonly src = input.required<string>();
  readonly alt = input('');
  readonly defects = input.required<readonly Defect[]>();
  /** Size of the original image the boxes refer to; the loaded picture's size when unknown. */
  readonly originalSize = input<Size | null>(null);
  /** The detector's anomaly map, drawn under the boxes when given. */
  readonly heatmap = input<Heatmap | null>(null);
  /** Index of the defect under the pointer or focus, shared with the defect list. */
  readonly highlighted = model<number | null>(null);

  protected readonly failed = signal(false);
  private readonly natural = signal<Size | null>(null);
  private readonly displayed = signal<Size>({ width: 0, height: 0 });
  private readonly photo = viewChild.required<ElementRef<HTMLImageElement>>('photo');

  protected readonly boxes = computed(() => {
    const original = this.originalSize() ?? this.natural();
    const shown = this.displayed();
    if (!original || shown.width === 0) {
      return [];
    }
    return this.defects()
      .filter((defect) => defect.bounding_box)
      .map((defect) => ({
        defect,
        rect: scaleBox(defect.bounding_box!, original, shown),
        text: `${humanize(defect.defect_type)} · ${humanize(defect.severity)} severity · ${formatPercent(defect.confidence)} confidence`,
      }));
  });

  protected readonly heat = computed(() => {
    const heatmap = this.heatmap();
    const original = this.originalSize() ?? this.natural();
    const shown = this.displayed();
    if (!heatmap || !original || shown.width === 0) {
      return null;
    }
    return {
      rect: scaleBox(heatmap.region, original, shown),
      rows: heatmap.values.length,
      columns: heatmap.values[0].length,
      cells: hotCells(heatmap),
    };
  });

  constructor() {
    const destroyRef = inject(DestroyRef);
    afterNextRender(() => {
      const element = this.photo().nativeElement;
      if (typeof ResizeObserver === 'undefined') {
        return;
      }
      const observer = new ResizeObserver(() => this.measure(element));
      observer.observe(element);
      destroyRef.onDestroy(() => observer.disconnect());
    });
  }

  protected onLoad(element: HTMLImageElement): void {
    this.failed.set(false);
    this.natural.set({ width: element.naturalWidth, height: element.naturalHeight });
    this.measure(element);
  }

  private measure(element: HTMLImageElement): void {
    this.displayed.set({ width: element.clientWidth, height: element.clientHeight });
  }
}
