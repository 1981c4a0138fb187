import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  effect,
  inject,
  input,
  numberAttribute,
  signal,
} from '@angular/core';
import { rxResource, takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { bufferTime, catchError, debounceTime, filter, map, mergeMap, of, Subject } from 'rxjs';

import { DashboardApi } from '../../core/api/dashboard.api';
import { JobsApi } from '../../core/api/jobs.api';
import {
  Product,
  PRODUCT_SORTS,
  PRODUCT_STATUSES,
  ProductSort,
  ProductStatus,
} from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { orEmpty } from '../../core/api/params';
import { ProductsApi } from '../../core/api/products.api';
import { productIdOf } from '../../core/realtime/events';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { Confirmer } from '../../shared/confirm-dialog';
import { HumanizePipe } from '../../shared/format.pipes';
import { Notifier } from '../../shared/notifier';
import { EmptyState, ErrorState, LoadingState } from '../../shared/states';
import { ImportDialog } from '../imports/import-dialog';
import { ExportMenu } from './export-menu';
import { ProductCard } from './product-card';

export const PAGE_SIZES = [12, 24, 48, 96];

const SORT_LABELS: Record<ProductSort, string> = {
  '-created_at': 'Newest first',
  created_at: 'Oldest first',
  title: 'Title A–Z',
  '-title': 'Title Z–A',
  '-updated_at': 'Recently updated',
  updated_at: 'Least recently updated',
};

@Component({
  selector: 'app-product-list-page',
  imports: [
    FormsModule,
    RouterLink,
    MatButtonModule,
    MatButtonToggleModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatSelectModule,
    HumanizePipe,
    ExportMenu,
    ProductCard,
    LoadingState,
    ErrorState,
    EmptyState,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './product-list-page.html',
  styleUrl: './product-list-page.scss',
})
export class ProductListPage {
  private readonly products = inject(ProductsApi);
  private readonly jobs = inject(JobsApi);
  private readonly dashboard = inject(DashboardApi);
  private readonly router = inject(Router);
  private readonly confirmer = inject(Confirmer);
  private readonly notifier = inject(Notifier);
  private readonly realtime = inject(RealtimeService);
  private readonly dialog = inject(MatDialog);

  // Query parameters, bound by the router, so every view of the list has its own URL. The
  // router sets an absent parameter to undefined, hence the defaults in the transforms.
  readonly q = input<string, string | undefined>('', { transform: orEmpty });
  readonly status = input<ProductStatus | '', ProductStatus | '' | undefined>('', {
    transform: orEmpty,
  });
  readonly category = input<string, string | undefined>('', { transform: orEmpty });
  readonly sort = input<ProductSort, ProductSort | undefined>('-created_at', {
    transform: (value: ProductSort | undefined) => value ?? '-created_at',
  });
  readonly page = input(0, { transform: (value: unknown) => numberAttribute(value, 0) });
  readonly size = input(PAGE_SIZES[0], {
    transform: (value: unknown) => numberAttribute(value, PAGE_SIZES[0]),
  });
  readonly view = input<'grid' | 'list', 'grid' | 'list' | undefined>('grid', {
    transform: (value: 'grid' | 'list' | undefined) => value ?? 'grid',
  });

  protected readonly statuses = PRODUCT_STATUSES;
  protected readonly sorts = PRODUCT_SORTS.map((value) => ({ value, label: SORT_LABELS[value] }));
  protected readonly pageSizes = PAGE_SIZES;
  protected readonly searchText = signal('');
  protected readonly selected = signal<ReadonlySet<string>>(new Set());
  protected readonly startingBatch = signal(false);
  private readonly searchChanges = new Subject<string>();

  protected readonly list = rxResource({
    params: () => ({
      q: this.q(),
      status: this.status(),
      category: this.category(),
      sort: this.sort(),
      limit: this.size(),
      offset: this.page() * this.size(),
    }),
    stream: ({ params }) => this.products.list(params),
  });

  protected readonly categories = rxResource({
    params: () => true,
    stream: () =>
      this.dashboard.stats().pipe(
        map((stats) => stats.category_distribution.map((entry) => entry.category)),
        catchError(() => of([] as string[])),
      ),
  });

  protected readonly filtered = computed(() =>
    Boolean(this.q() || this.status() || this.category()),
  );
  protected readonly loadError = computed(() =>
    this.list.error() ? errorMessage(this.list.error(), 'Could not load products.') : null,
  );

  constructor() {
    const destroyRef = inject(DestroyRef);
    effect(() => this.searchText.set(this.q()));
    this.searchChanges
      .pipe(debounceTime(300), takeUntilDestroyed(destroyRef))
      .subscribe((q) => this.navigate({ q: q.trim() || null, page: null }));

    // Live: re-read the cards whose products an event touched, a few at a time.
    this.realtime.events$
      .pipe(
        map(productIdOf),
        filter((id): id is string => id !== null),
        bufferTime(400),
        filter((ids) => ids.length > 0),
        mergeMap((ids) => [...new Set(ids)]),
        filter((id) => this.currentItems().some((product) => product.id === id)),
        mergeMap((id) => this.products.get(id).pipe(catchError(() => of(null))), 4),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe((product) => product && this.patch(product));
    this.realtime.reconnected$
      .pipe(takeUntilDestroyed(destroyRef))
      .subscribe(() => this.list.reload());
  }

  protected currentItems(): Product[] {
    return this.list.hasValue() ? (this.list.value()?.data ?? []) : [];
  }

  protected onSearch(text: string): void {
    this.searchText.set(text);
    this.searchChanges.next(text);
  }

  protected clearFilters(): void {
    this.searchText.set('');
    this.navigate({ q: null, status: null, category: null, page: null });
  }

  protected navigate(params: Record<string, string | number | null>): void {
    void this.router.navigate([], {
      queryParams: params,
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  protected onPage(event: PageEvent): void {
    this.navigate({ page: event.pageIndex || null, size: event.pageSize });
  }

  protected toggle(id: string, checked: boolean): void {
    const next = new Set(this.selected());
    if (checked) {
      next.add(id);
    } else {
      next.delete(id);
    }
    this.selected.set(next);
  }

  protected clearSelection(): void {
    this.selected.set(new Set());
  }

  protected analyseSelected(): void {
    const productIds = [...this.selected()];
    this.startingBatch.set(true);
    this.jobs.createBatch({ product_ids: productIds }).subscribe({
      next: (job) => {
        this.startingBatch.set(false);
        this.selected.set(new Set());
        this.notifier.info(`Batch job started for ${productIds.length} product(s).`);
        void this.router.navigate(['/jobs', job.id]);
      },
      error: (error: unknown) => {
        this.startingBatch.set(false);
        this.notifier.error(error, 'Could not start the batch job');
      },
    });
  }

  protected openImport(): void {
    this.dialog
      .open(ImportDialog, { width: '640px', maxWidth: '95vw', autoFocus: 'first-tabbable' })
      .afterClosed()
      .subscribe(() => this.list.reload());
  }

  protected remove(product: Product): void {
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
          this.toggle(product.id, false);
          this.list.reload();
        },
        error: (error: unknown) => this.notifier.error(error, 'Could not delete'),
      });
  }

  private patch(product: Product): void {
    const page = this.list.value();
    if (!page) {
      return;
    }
    this.list.set({
      ...page,
      data: page.data.map((item) => (item.id === product.id ? { ...item, ...product } : item)),
    });
  }
}
