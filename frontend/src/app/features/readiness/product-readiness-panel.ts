import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { MatProgressBarModule } from '@angular/material/progress-bar';

import { ImageReadiness, ProductImage } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { ReadinessApi } from '../../core/api/readiness.api';
import { ErrorState } from '../../shared/states';
import { StatusBadge } from '../../shared/status-badge';
import { PresetSelect } from './preset-select';
import { PresetStore } from './preset-store';
import { countsText, verdictOf } from './readiness-format';
import { ReadinessRules } from './readiness-rules';

/** The product's photos judged together: the fixes to make first, then each photo's rules. */
@Component({
  selector: 'app-product-readiness-panel',
  imports: [MatProgressBarModule, ErrorState, StatusBadge, PresetSelect, ReadinessRules],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="readiness-heading" data-testid="product-readiness">
      <h2 id="readiness-heading">Listing readiness</h2>
      <app-preset-select />
      @if (report.isLoading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Checking the rules" />
      }
      @if (loadError(); as message) {
        <app-error
          title="Could not check this product"
          [message]="message"
          [error]="report.error()"
          (retry)="report.reload()"
        />
      } @else if (report.value(); as r) {
        <p class="verdict" role="status">
          <app-status-badge [status]="r.status" data-testid="readiness-status" />
          <span>{{ verdict() }}</span>
        </p>
        @if (r.fixes.length) {
          <h3>What to fix</h3>
          <ol class="fixes" data-testid="readiness-fixes">
            @for (fix of r.fixes; track fix) {
              <li>{{ fix }}</li>
            }
          </ol>
        }
        @if (r.images.length) {
          <h3>Per photo</h3>
          <ul class="photos">
            @for (photo of mainFirst(r.images); track photo.image_id) {
              <li [attr.data-image-id]="photo.image_id">
                <details>
                  <summary>
                    <app-status-badge [status]="photo.status" />
                    <span class="name">{{ nameOf(photo) }}</span>
                    <span class="muted small">{{ counts(photo) }}</span>
                  </summary>
                  @if (photo.note) {
                    <p class="muted small">{{ photo.note }}</p>
                  }
                  @if (photo.rules.length) {
                    <app-readiness-rules
                      [rules]="photo.rules"
                      [label]="'Rules for ' + nameOf(photo)"
                    />
                  }
                </details>
              </li>
            }
          </ul>
        }
      }
    </section>
  `,
  styleUrl: './readiness.scss',
})
export class ProductReadinessPanel {
  private readonly api = inject(ReadinessApi);
  private readonly store = inject(PresetStore);

  readonly productId = input.required<string>();
  /** The product's photos, to name them; also re-checks when any of them changes. */
  readonly images = input<ProductImage[]>([]);

  private readonly imagesKey = computed(() =>
    this.images()
      .map((image) => `${image.id}:${image.is_primary}:${image.analysis?.status ?? ''}`)
      .join(','),
  );
  protected readonly report = rxResource({
    params: () => ({ id: this.productId(), preset: this.store.preset(), key: this.imagesKey() }),
    stream: ({ params }) => this.api.forProduct(params.id, params.preset ?? undefined),
  });
  protected readonly loadError = computed(() =>
    this.report.error() ? errorMessage(this.report.error(), 'Could not check the rules.') : null,
  );
  protected readonly verdict = computed(() => {
    const report = this.report.value();
    return report ? verdictOf(report.status) : '';
  });
  protected readonly counts = countsText;

  protected mainFirst(photos: ImageReadiness[]): ImageReadiness[] {
    return [...photos].sort((a, b) => Number(b.is_main) - Number(a.is_main));
  }

  protected nameOf(photo: ImageReadiness): string {
    const name =
      this.images().find((image) => image.id === photo.image_id)?.original_filename ?? 'Photo';
    return photo.is_main ? `Main photo: ${name}` : name;
  }
}
