import { DatePipe } from '@angular/common';
import {
  ChangeDetectionStrategy,
  Component,
  computed,
  DestroyRef,
  inject,
  input,
  numberAttribute,
} from '@angular/core';
import { rxResource, takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatDialog } from '@angular/material/dialog';
import { MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { debounceTime, filter } from 'rxjs';

import { JobsApi } from '../../core/api/jobs.api';
import { Job, JOB_STATUSES, JobStatus, JobType } from '../../core/api/models';
import { orEmpty } from '../../core/api/params';
import { errorMessage } from '../../core/api/problem';
import { isJobEvent } from '../../core/realtime/events';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { HumanizePipe, PercentPipe } from '../../shared/format.pipes';
import { Notifier } from '../../shared/notifier';
import { EmptyState, ErrorState, LoadingState } from '../../shared/states';
import { StatusBadge } from '../../shared/status-badge';
import { BatchJobDialog } from './batch-job-dialog';
import { applyJobEvent, isActive } from './job-progress';

@Component({
  selector: 'app-job-list-page',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatIconModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatSelectModule,
    StatusBadge,
    HumanizePipe,
    PercentPipe,
    LoadingState,
    ErrorState,
    EmptyState,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './job-list-page.html',
  styleUrl: './job-list-page.scss',
})
export class JobListPage {
  private readonly jobs = inject(JobsApi);
  private readonly router = inject(Router);
  private readonly notifier = inject(Notifier);
  private readonly dialog = inject(MatDialog);

  readonly status = input<JobStatus | '', JobStatus | '' | undefined>('', { transform: orEmpty });
  readonly type = input<JobType | '', JobType | '' | undefined>('', { transform: orEmpty });
  readonly page = input(0, { transform: (value: unknown) => numberAttribute(value, 0) });
  readonly size = input(20, { transform: (value: unknown) => numberAttribute(value, 20) });

  protected readonly statuses = JOB_STATUSES;
  protected readonly list = rxResource({
    params: () => ({
      status: this.status(),
      job_type: this.type(),
      limit: this.size(),
      offset: this.page() * this.size(),
    }),
    stream: ({ params }) => this.jobs.list(params),
  });
  protected readonly loadError = computed(() =>
    this.list.error() ? errorMessage(this.list.error(), 'Could not load jobs.') : null,
  );
  protected readonly isActive = isActive;

  constructor() {
    const destroyRef = inject(DestroyRef);
    const realtime = inject(RealtimeService);
    realtime.events$.pipe(filter(isJobEvent), takeUntilDestroyed(destroyRef)).subscribe((event) => {
      const page = this.list.hasValue() ? this.list.value() : undefined;
      if (page?.data.some((job) => job.id === event.job_id)) {
        this.list.set({ ...page, data: page.data.map((job) => applyJobEvent(job, event)) });
      }
    });
    // A job this page does not list yet (started elsewhere) or a status change that moves it
    // between filters: re-read the list, but not on every step.
    realtime.events$
      .pipe(
        filter(isJobEvent),
        filter(
          (event) =>
            event.type === 'job.completed' ||
            event.type === 'job.failed' ||
            !(this.list.value()?.data ?? []).some((job) => job.id === event.job_id),
        ),
        debounceTime(1000),
        takeUntilDestroyed(destroyRef),
      )
      .subscribe(() => this.list.reload());
    realtime.reconnected$.pipe(takeUntilDestroyed(destroyRef)).subscribe(() => this.list.reload());
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

  protected newBatch(): void {
    this.dialog
      .open<BatchJobDialog, void, Job>(BatchJobDialog, { width: '560px', maxWidth: '95vw' })
      .afterClosed()
      .pipe(filter((job): job is Job => Boolean(job)))
      .subscribe((job) => {
        this.notifier.info(`Batch job started: ${job.total_images} photo(s).`);
        void this.router.navigate(['/jobs', job.id]);
      });
  }
}
