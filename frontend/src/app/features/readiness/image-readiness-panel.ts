import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { MatProgressBarModule } from '@angular/material/progress-bar';

import { errorMessage } from '../../core/api/problem';
import { ReadinessApi } from '../../core/api/readiness.api';
import { ErrorState } from '../../shared/states';
import { StatusBadge } from '../../shared/status-badge';
import { PresetSelect } from './preset-select';
import { PresetStore } from './preset-store';
import { countsText, verdictOf } from './readiness-format';
import { ReadinessRules } from './readiness-rules';

/** Will this photo pass the marketplace's image rules? Every rule, measured, with its fix. */
@Component({
  selector: 'app-image-readiness-panel',
  imports: [MatProgressBarModule, ErrorState, StatusBadge, PresetSelect, ReadinessRules],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="panel" aria-labelledby="readiness-heading" data-testid="image-readiness">
      <h2 id="readiness-heading">Listing readiness</h2>
      <app-preset-select />
      @if (report.isLoading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Checking the rules" />
      }
      @if (loadError(); as message) {
        <app-error
          title="Could not check this photo"
          [message]="message"
          [error]="report.error()"
          (retry)="report.reload()"
        />
      } @else if (report.value(); as r) {
        <p class="verdict" role="status">
          <app-status-badge [status]="r.status" data-testid="readiness-status" />
          <span>{{ verdict() }}</span>
          <span class="muted">· {{ counts() }}</span>
        </p>
        @if (r.note) {
          <p class="muted">{{ r.note }}</p>
        }
        @if (!r.is_main) {
          <p class="muted small">
            Not the main photo: rules that apply only to the main photo are left out.
          </p>
        }
        @if (r.rules.length) {
          <app-readiness-rules [rules]="r.rules" label="Readiness rules" />
        }
      }
    </section>
  `,
  styleUrl: './readiness.scss',
})
export class ImageReadinessPanel {
  private readonly api = inject(ReadinessApi);
  private readonly store = inject(PresetStore);

  readonly imageId = input.required<string>();
  /** Changes whenever the analysis does, so the report follows a re-analysis. */
  readonly version = input<string | null>(null);

  protected readonly report = rxResource({
    params: () => ({ id: this.imageId(), preset: this.store.preset(), version: this.version() }),
    stream: ({ params }) => this.api.forImage(params.id, params.preset ?? undefined),
  });
  protected readonly loadError = computed(() =>
    this.report.error() ? errorMessage(this.report.error(), 'Could not check the rules.') : null,
  );
  protected readonly verdict = computed(() => {
    const report = this.report.value();
    return report ? verdictOf(report.status) : '';
  });
  protected readonly counts = computed(() => {
    const report = this.report.value();
    return report ? countsText(report) : '';
  });
}
