import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { rxResource } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { finalize } from 'rxjs';

import { JobsApi } from '../../core/api/jobs.api';
import { Job } from '../../core/api/models';
import { errorMessage } from '../../core/api/problem';
import { ProductsApi } from '../../core/api/products.api';
import { StatusBadge } from '../../shared/status-badge';

/** The API takes at most this many ids in one batch request. */
export const MAX_BATCH_PRODUCTS = 100;

/** Pick products (or none: every photo that needs it) and start one batch job. */
@Component({
  selector: 'app-batch-job-dialog',
  imports: [
    FormsModule,
    MatButtonModule,
    MatCheckboxModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatProgressBarModule,
    MatSlideToggleModule,
    StatusBadge,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './batch-job-dialog.html',
  styleUrl: './batch-job-dialog.scss',
})
export class BatchJobDialog {
  private readonly jobs = inject(JobsApi);
  private readonly products = inject(ProductsApi);
  private readonly dialog = inject<MatDialogRef<BatchJobDialog, Job>>(MatDialogRef);

  protected readonly search = signal('');
  protected readonly selected = signal<ReadonlySet<string>>(new Set());
  protected readonly onlyStale = signal(false);
  protected readonly starting = signal(false);
  protected readonly error = signal<string | null>(null);

  protected readonly list = rxResource({
    params: () => this.search().trim(),
    stream: ({ params }) =>
      this.products.list({ limit: MAX_BATCH_PRODUCTS, offset: 0, q: params, sort: '-updated_at' }),
  });
  protected readonly candidates = computed(() =>
    this.list.hasValue()
      ? (this.list.value()?.data ?? []).filter((product) => product.image_count > 0)
      : [],
  );
  protected readonly canStart = computed(() => this.selected().size > 0 || this.onlyStale());
  protected readonly summary = computed(() => {
    const count = this.selected().size;
    const scope = count
      ? `${count} selected product${count === 1 ? '' : 's'}`
      : 'all your products';
    return this.onlyStale()
      ? `Photos of ${scope} that were never analysed, failed, or used an older model.`
      : `Every photo of ${scope}.`;
  });

  protected toggle(id: string, checked: boolean): void {
    const next = new Set(this.selected());
    if (checked) {
      next.add(id);
    } else {
      next.delete(id);
    }
    this.selected.set(next);
  }

  protected toggleAll(checked: boolean): void {
    this.selected.set(new Set(checked ? this.candidates().map((product) => product.id) : []));
  }

  protected start(): void {
    if (!this.canStart()) {
      return;
    }
    this.starting.set(true);
    this.error.set(null);
    this.jobs
      .createBatch({ product_ids: [...this.selected()], only_stale: this.onlyStale() })
      .pipe(finalize(() => this.starting.set(false)))
      .subscribe({
        next: (job) => this.dialog.close(job),
        error: (error: unknown) =>
          this.error.set(errorMessage(error, 'Could not start the batch job.')),
      });
  }
}
