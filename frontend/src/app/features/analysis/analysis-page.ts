import { Clipboard } from '@angular/cdk/clipboard';
import { HttpErrorResponse } from '@angular/common/http';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  input,
  signal,
} from '@angular/core';
import { rxResource, takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router, RouterLink } from '@angular/router';
import { catchError, debounceTime, filter, finalize, merge, of, throwError } from 'rxjs';

import { ApiUrl } from '../../core/api/api-url';
import { ImagesApi } from '../../core/api/images.api';
import { Analysis, DescriptionRequest, STEP_NAMES } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { ProductsApi } from '../../core/api/products.api';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { BarList } from '../../shared/charts/bar-list';
import { formatPercent, humanize } from '../../shared/format';
import { DurationPipe, HumanizePipe, PercentPipe } from '../../shared/format.pipes';
import { Notifier } from '../../shared/notifier';
import { ErrorState, LoadingState } from '../../shared/states';
import { RegenerateMenu } from '../../shared/regenerate-menu';
import { StatusBadge } from '../../shared/status-badge';
import { ImageReadinessPanel } from '../readiness/image-readiness-panel';
import { ConditionGradePanel } from './condition-grade-panel';
import { CorrectionEditor } from './correction-editor';
import { DefectOverlay } from './defect-overlay';
import { DuplicateNotice } from './duplicate-notice';
import { heatmapOf } from './heatmap';
import { SimilarPanel } from './similar-panel';
import { swatchesOf } from './swatches';

@Component({
  selector: 'app-analysis-page',
  imports: [
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatSlideToggleModule,
    MatTooltipModule,
    BarList,
    ConditionGradePanel,
    CorrectionEditor,
    DefectOverlay,
    DuplicateNotice,
    ImageReadinessPanel,
    SimilarPanel,
    StatusBadge,
    RegenerateMenu,
    LoadingState,
    ErrorState,
    HumanizePipe,
    PercentPipe,
    DurationPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './analysis-page.html',
  styleUrl: './analysis-page.scss',
})
export class AnalysisPage {
  private readonly products = inject(ProductsApi);
  private readonly images = inject(ImagesApi);
  private readonly url = inject(ApiUrl);
  private readonly notifier = inject(Notifier);
  private readonly clipboard = inject(Clipboard);
  private readonly router = inject(Router);

  readonly productId = input.required<string>();
  readonly imageId = input.required<string>();

  protected readonly product = rxResource({
    params: () => this.productId(),
    stream: ({ params }) => this.products.get(params),
  });
  /** `null` while the image has no analysis yet (the API answers 404 until then). */
  protected readonly analysis = rxResource({
    params: () => this.imageId(),
    stream: ({ params }) =>
      this.images
        .analysis(params)
        .pipe(
          catchError((error: unknown) =>
            error instanceof HttpErrorResponse && error.status === 404
              ? of(null)
              : throwError(() => error),
          ),
        ),
  });

  protected readonly image = computed(() =>
    this.product.hasValue()
      ? (this.product.value()?.images.find((image) => image.id === this.imageId()) ?? null)
      : null,
  );
  protected readonly imageSrc = computed(() => {
    const url = this.image()?.url;
    return url ? this.url.resolve(url) : null;
  });
  protected readonly originalSize = computed(() => {
    const image = this.image();
    return image?.width && image.height ? { width: image.width, height: image.height } : null;
  });
  protected readonly loadError = computed(() => {
    const error = this.product.error() ?? this.analysis.error();
    return error ? errorMessage(error, 'Could not load the analysis.') : null;
  });
  protected readonly result = computed<Analysis | null>(() =>
    this.analysis.hasValue() ? (this.analysis.value() ?? null) : null,
  );
  protected readonly topK = computed(() =>
    (this.result()?.classification?.top_k ?? []).map((entry) => ({
      label: humanize(entry.label),
      value: entry.score,
      display: formatPercent(entry.score, 1),
    })),
  );
  protected readonly swatches = computed(() => swatchesOf(this.result()?.attributes ?? []));
  protected readonly steps = computed(() => {
    const steps = this.result()?.steps ?? [];
    const total = steps.reduce((sum, step) => sum + (step.duration_ms ?? 0), 0);
    return STEP_NAMES.map((name) => steps.find((step) => step.step_name === name))
      .filter((step) => step !== undefined)
      .map((step) => ({ ...step, share: total ? (step.duration_ms ?? 0) / total : 0 }));
  });
  protected readonly pending = computed(() => {
    const status = this.result()?.status;
    return !this.result() || status === 'pending' || status === 'processing';
  });
  protected readonly heatmap = computed(() => heatmapOf(this.result()?.steps ?? []));
  protected readonly showHeatmap = signal(false);
  protected readonly highlighted = signal<number | null>(null);
  protected readonly description = signal<string | null>(null);
  protected readonly busy = signal<'describe' | 'reanalyse' | null>(null);

  constructor() {
    const destroyRef = inject(DestroyRef);
    const realtime = inject(RealtimeService);
    merge(
      realtime
        .on('job.step', 'image.analyzed')
        .pipe(filter((event) => event.image_id === this.imageId())),
      realtime.reconnected$,
    )
      .pipe(debounceTime(250), takeUntilDestroyed(destroyRef))
      .subscribe(() => {
        this.analysis.reload();
        this.product.reload();
      });
  }

  /** Changes with every stored change of the analysis, for the panels that read from it. */
  protected readonly version = computed(() => {
    const result = this.result();
    return result ? `${result.id}:${result.updated_at}:${result.status}` : null;
  });

  protected onCopyDeleted(): void {
    void this.router.navigate(['/products', this.productId()]);
  }

  protected shownDescription(): string | null {
    return this.description() ?? this.result()?.description_text ?? null;
  }

  protected copy(): void {
    const text = this.shownDescription();
    if (text) {
      this.notifier.info(
        this.clipboard.copy(text) ? 'Description copied.' : 'Copy failed; select the text instead.',
      );
    }
  }

  protected regenerate(request: DescriptionRequest): void {
    this.busy.set('describe');
    this.products
      .regenerateDescription(this.productId(), request)
      .pipe(finalize(() => this.busy.set(null)))
      .subscribe({
        next: (product) => {
          this.description.set(product.ai_description);
          this.notifier.info('New description written.');
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not write a description'),
      });
  }

  protected reanalyse(): void {
    this.busy.set('reanalyse');
    this.images
      .reanalyze(this.imageId())
      .pipe(finalize(() => this.busy.set(null)))
      .subscribe({
        next: () => {
          this.notifier.info('Analysis queued.');
          this.analysis.reload();
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not start the analysis'),
      });
  }
}
