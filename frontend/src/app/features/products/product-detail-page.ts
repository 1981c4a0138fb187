import { Clipboard } from '@angular/cdk/clipboard';
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
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Router, RouterLink } from '@angular/router';
import { debounceTime, filter, finalize, merge, mergeMap } from 'rxjs';

import { ApiUrl } from '../../core/api/api-url';
import { ImagesApi } from '../../core/api/images.api';
import { JobsApi } from '../../core/api/jobs.api';
import {
  aiListingOf,
  DescriptionRequest,
  plainMetadata,
  ProductImage,
  StepStatus,
} from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { ProductsApi } from '../../core/api/products.api';
import { productIdOf } from '../../core/realtime/events';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { Confirmer } from '../../shared/confirm-dialog';
import { BytesPipe, HumanizePipe, PercentPipe } from '../../shared/format.pipes';
import { Notifier } from '../../shared/notifier';
import { EmptyState, ErrorState, LoadingState } from '../../shared/states';
import { RegenerateMenu } from '../../shared/regenerate-menu';
import { StatusBadge } from '../../shared/status-badge';
import { ProductReadinessPanel } from '../readiness/product-readiness-panel';
import { UploadManager } from '../upload/upload-manager';
import { UploadZone } from '../upload/upload-zone';

interface LiveStep {
  readonly step: string;
  readonly status: StepStatus;
}

@Component({
  selector: 'app-product-detail-page',
  imports: [
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatMenuModule,
    MatProgressBarModule,
    MatTooltipModule,
    StatusBadge,
    RegenerateMenu,
    ProductReadinessPanel,
    UploadZone,
    LoadingState,
    ErrorState,
    EmptyState,
    HumanizePipe,
    PercentPipe,
    BytesPipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './product-detail-page.html',
  styleUrl: './product-detail-page.scss',
})
export class ProductDetailPage {
  private readonly products = inject(ProductsApi);
  private readonly images = inject(ImagesApi);
  private readonly jobs = inject(JobsApi);
  private readonly url = inject(ApiUrl);
  private readonly router = inject(Router);
  private readonly confirmer = inject(Confirmer);
  private readonly notifier = inject(Notifier);
  private readonly clipboard = inject(Clipboard);

  readonly id = input.required<string>();

  protected readonly product = rxResource({
    params: () => this.id(),
    stream: ({ params }) => this.products.get(params),
  });
  protected readonly loadError = computed(() =>
    this.product.error() ? errorMessage(this.product.error(), 'Could not load the product.') : null,
  );
  protected readonly listing = computed(() =>
    this.product.hasValue() ? aiListingOf(this.product.value()!) : null,
  );
  protected readonly details = computed(() =>
    this.product.hasValue() ? plainMetadata(this.product.value()!.metadata) : [],
  );
  protected readonly detectedCategory = computed(() => {
    const product = this.product.hasValue() ? this.product.value() : undefined;
    return product?.primary_image?.analysis?.classification_label ?? null;
  });
  protected readonly liveSteps = signal<Readonly<Record<string, LiveStep>>>({});
  protected readonly busy = signal<'analyse' | 'describe' | null>(null);

  constructor() {
    const destroyRef = inject(DestroyRef);
    const realtime = inject(RealtimeService);
    realtime
      .on('job.step')
      .pipe(
        filter((event) => event.product_id === this.id() && event.image_id !== null),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((event) =>
        this.liveSteps.update((steps) => ({
          ...steps,
          [event.image_id as string]: { step: event.step, status: event.status },
        })),
      );
    merge(
      realtime.events$.pipe(filter((event) => productIdOf(event) === this.id())),
      inject(UploadManager).completed$.pipe(filter((done) => done.productId === this.id())),
      realtime.reconnected$,
    )
      .pipe(debounceTime(300), takeUntilDestroyed(destroyRef))
      .subscribe(() => this.product.reload());
  }

  protected imageUrl(image: ProductImage): string | null {
    return image.url ? this.url.resolve(image.url) : null;
  }

  protected liveStep(image: ProductImage): LiveStep | null {
    const step = this.liveSteps()[image.id];
    const status = image.analysis?.status;
    return step && status !== 'completed' && status !== 'failed' ? step : null;
  }

  protected analyseAgain(): void {
    this.busy.set('analyse');
    this.jobs
      .createBatch({ product_ids: [this.id()] })
      .pipe(finalize(() => this.busy.set(null)))
      .subscribe({
        next: (job) => {
          this.liveSteps.set({});
          this.notifier.info('Analysis started.');
          void this.router.navigate(['/jobs', job.id]);
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not start the analysis'),
      });
  }

  protected regenerate(request: DescriptionRequest): void {
    this.busy.set('describe');
    this.products
      .regenerateDescription(this.id(), request)
      .pipe(finalize(() => this.busy.set(null)))
      .subscribe({
        next: (updated) => {
          const current = this.product.value();
          if (current) {
            this.product.set({ ...current, ...updated, images: current.images });
          }
          this.notifier.info('New description written.');
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not write a description'),
      });
  }

  protected useSuggestedTitle(title: string): void {
    this.products.update(this.id(), { title }).subscribe({
      next: (updated) => {
        const current = this.product.value();
        if (current) {
          this.product.set({ ...current, ...updated, images: current.images });
        }
        this.notifier.info('Title updated.');
      },
      error: (error: unknown) => this.notifier.error(error, 'Could not change the title'),
    });
  }

  protected copy(text: string): void {
    this.notifier.info(
      this.clipboard.copy(text) ? 'Description copied.' : 'Copy failed; select the text instead.',
    );
  }

  protected makePrimary(image: ProductImage): void {
    this.images.makePrimary(this.id(), image.id).subscribe({
      next: () => this.product.reload(),
      error: (error: unknown) => this.notifier.error(error, 'Could not change the main photo'),
    });
  }

  protected deleteImage(image: ProductImage): void {
    this.confirmer
      .ask({
        title: 'Delete photo?',
        message: `“${image.original_filename}” and its analysis will be deleted.`,
        confirmLabel: 'Delete',
        destructive: true,
      })
      .pipe(
        filter(Boolean),
        mergeMap(() => this.images.delete(this.id(), image.id)),
      )
      .subscribe({
        next: () => this.product.reload(),
        error: (error: unknown) => this.notifier.error(error, 'Could not delete the photo'),
      });
  }

  protected deleteProduct(): void {
    const product = this.product.value();
    if (!product) {
      return;
    }
    this.confirmer
      .ask({
        title: 'Delete product?',
        message: `“${product.title}” and its ${product.image_count} image(s) will be deleted.`,
        confirmLabel: 'Delete',
        destructive: true,
      })
      .pipe(
        filter(Boolean),
        mergeMap(() => this.products.delete(product.id)),
      )
      .subscribe({
        next: () => {
          this.notifier.info(`Deleted “${product.title}”.`);
          void this.router.navigate(['/products']);
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not delete'),
      });
  }
}
