import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatMenuModule } from '@angular/material/menu';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router, RouterLink } from '@angular/router';
import {
  debounceTime,
  distinctUntilChanged,
  filter,
  finalize,
  from,
  interval,
  map,
  mergeMap,
  Subject,
  switchMap,
  take,
  timeout,
  toArray,
} from 'rxjs';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';

import { ApiUrl } from '../../core/api/api-url';
import { CorrectionsApi } from '../../core/api/corrections.api';
import { JobsApi } from '../../core/api/jobs.api';
import { Classifier, Product } from '../../core/api/models';
import { errorMessage, problemCode } from '../../core/api/problem';
import { ProductsApi } from '../../core/api/products.api';
import { Confirmer } from '../../shared/confirm-dialog';
import { HumanizePipe, PercentPipe } from '../../shared/format.pipes';
import { Notifier } from '../../shared/notifier';
import { EmptyState, ErrorState, LoadingState } from '../../shared/states';
import { LabelInput } from './label-input';
import { labelProblem, normalizeLabel } from './labels';
import { labelStatus, trainingDone } from './training';

export const TRAINING_POLL_MS = 1000;
export const TRAINING_TIMEOUT_MS = 120_000;
const PHOTOS_PER_PAGE = 24;

@Component({
  selector: 'app-categories-page',
  imports: [
    DatePipe,
    FormsModule,
    RouterLink,
    MatButtonModule,
    MatCheckboxModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatMenuModule,
    MatPaginatorModule,
    MatProgressBarModule,
    LabelInput,
    HumanizePipe,
    PercentPipe,
    LoadingState,
    ErrorState,
    EmptyState,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './categories-page.html',
  styleUrl: './categories-page.scss',
})
export class CategoriesPage {
  private readonly corrections = inject(CorrectionsApi);
  private readonly products = inject(ProductsApi);
  private readonly url = inject(ApiUrl);
  private readonly confirmer = inject(Confirmer);
  private readonly notifier = inject(Notifier);
  private readonly jobs = inject(JobsApi);
  private readonly router = inject(Router);

  protected readonly classifier = rxResource({ stream: () => this.corrections.classifier() });
  protected readonly classifierError = computed(() =>
    this.classifier.error()
      ? errorMessage(this.classifier.error(), 'Could not load your categories.')
      : null,
  );
  protected readonly labels = computed(() => {
    const classifier = this.classifier.value();
    return classifier
      ? classifier.label_counts.map((entry) => ({ ...entry, ...labelStatus(entry, classifier) }))
      : [];
  });
  protected readonly ownLabels = computed(() => this.labels().map((entry) => entry.label));
  protected readonly training = signal(false);
  protected readonly reanalysing = signal(false);

  // Photos to label: the main photo of each product, searchable by title.
  protected readonly searchText = signal('');
  private readonly query = signal('');
  protected readonly photoPage = signal(0);
  protected readonly photos = rxResource({
    params: () => ({
      q: this.query(),
      limit: PHOTOS_PER_PAGE,
      offset: this.photoPage() * PHOTOS_PER_PAGE,
      sort: '-updated_at' as const,
    }),
    stream: ({ params }) => this.products.list(params),
  });
  protected readonly photosError = computed(() =>
    this.photos.error() ? errorMessage(this.photos.error(), 'Could not load your photos.') : null,
  );
  protected readonly labellable = computed(() =>
    (this.photos.value()?.data ?? []).filter(
      (product) => product.primary_image?.upload_status === 'uploaded',
    ),
  );
  protected readonly selected = signal<ReadonlySet<string>>(new Set());
  protected readonly draft = signal('');
  protected readonly labelError = signal<string | null>(null);
  protected readonly labelling = signal(false);
  protected readonly photosPerPage = PHOTOS_PER_PAGE;

  // The labels given so far, newest first.
  protected readonly correctionPage = signal(0);
  protected readonly labelFilter = signal('');
  protected readonly correctionList = rxResource({
    params: () => ({
      limit: 10,
      offset: this.correctionPage() * 10,
      label: this.labelFilter() || undefined,
    }),
    stream: ({ params }) => this.corrections.list(params),
  });
  /** Photos this page has loaded, to show a correction's photo (the API gives only its id). */
  protected readonly knownPhotos = computed(() => {
    const known = new Map<string, Product>();
    for (const product of this.photos.value()?.data ?? []) {
      if (product.primary_image) {
        known.set(product.primary_image.id, product);
      }
    }
    return known;
  });

  private readonly searches = new Subject<string>();

  constructor() {
    this.searches
      .pipe(debounceTime(300), distinctUntilChanged(), takeUntilDestroyed())
      .subscribe((q) => {
        this.photoPage.set(0);
        this.query.set(q.trim());
      });
  }

  protected thumbnail(product: Product): string | null {
    const url = product.primary_image?.url;
    return url ? this.url.resolve(url) : null;
  }

  protected onSearch(text: string): void {
    this.searchText.set(text);
    this.searches.next(text);
  }

  protected onPhotoPage(event: PageEvent): void {
    this.photoPage.set(event.pageIndex);
  }

  protected toggle(imageId: string, checked: boolean): void {
    const next = new Set(this.selected());
    if (checked) {
      next.add(imageId);
    } else {
      next.delete(imageId);
    }
    this.selected.set(next);
  }

  protected applyLabel(): void {
    const label = normalizeLabel(this.draft());
    const problem = labelProblem(label);
    if (problem) {
      this.labelError.set(problem);
      return;
    }
    const ids = [...this.selected()];
    if (!ids.length || this.labelling()) {
      return;
    }
    this.labelling.set(true);
    this.labelError.set(null);
    from(ids)
      .pipe(
        mergeMap((id) => this.corrections.set(id, label), 4),
        toArray(),
        finalize(() => this.labelling.set(false)),
      )
      .subscribe({
        next: (saved) => {
          this.notifier.info(
            `Labelled ${saved.length} photo${saved.length === 1 ? '' : 's'} “${label}”.`,
          );
          this.selected.set(new Set());
          this.refresh();
        },
        error: (error: unknown) => {
          this.labelError.set(errorMessage(error, 'Could not label the photos.'));
          this.refresh();
        },
      });
  }

  protected removeCorrection(imageId: string): void {
    this.corrections.remove(imageId).subscribe({
      next: () => {
        this.notifier.info('Label removed.');
        this.refresh();
      },
      error: (error: unknown) => this.notifier.error(error, 'Could not remove the label'),
    });
  }

  protected showLabel(label: string): void {
    this.correctionPage.set(0);
    this.labelFilter.set(label);
  }

  protected train(): void {
    const before = this.classifier.value() ?? null;
    this.training.set(true);
    this.corrections
      .train()
      .pipe(
        switchMap(() => interval(TRAINING_POLL_MS)),
        switchMap(() => this.corrections.classifier()),
        filter((now) => trainingDone(before, now)),
        take(1),
        timeout(TRAINING_TIMEOUT_MS),
        finalize(() => this.training.set(false)),
      )
      .subscribe({
        next: (trained) => {
          this.classifier.set(trained);
          this.notifier.info(`Trained ${trained.version}: ${trained.labels.length} categories.`);
        },
        error: (error: unknown) => {
          this.notifier.error(
            error,
            problemCode(error) === 'not_enough_examples'
              ? 'Not enough examples yet'
              : 'Training did not finish',
          );
          this.classifier.reload();
        },
      });
  }

  /** Photos analysed before this head (or with another one) are re-run: one batch job. */
  protected reanalyseStale(): void {
    this.reanalysing.set(true);
    this.jobs
      .createBatch({ only_stale: true })
      .pipe(finalize(() => this.reanalysing.set(false)))
      .subscribe({
        next: (job) => {
          this.notifier.info(`Re-analysing ${job.total_images} photo(s) with your categories.`);
          void this.router.navigate(['/jobs', job.id]);
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not start the job'),
      });
  }

  protected reset(): void {
    this.confirmer
      .ask({
        title: 'Stop using your categories?',
        message:
          'Your trained head is deleted and the base taxonomy answers alone again. Your labels stay, so you can train again later.',
        confirmLabel: 'Reset',
        destructive: true,
      })
      .pipe(
        filter(Boolean),
        mergeMap(() => this.corrections.deleteClassifier()),
        map(() => undefined),
      )
      .subscribe({
        next: () => {
          this.notifier.info('Back to the base taxonomy.');
          this.classifier.reload();
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not reset'),
      });
  }

  protected accuracy(classifier: Classifier): number | null {
    const value = classifier.metrics.leave_one_out_accuracy;
    return typeof value === 'number' ? value : null;
  }

  private refresh(): void {
    this.classifier.reload();
    this.photos.reload();
    this.correctionList.reload();
  }
}
