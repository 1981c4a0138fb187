import { DatePipe } from '@angular/common';
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
import { MatTooltipModule } from '@angular/material/tooltip';
import { RouterLink } from '@angular/router';
import { debounceTime, filter, finalize, Observable } from 'rxjs';

import { Job, JobDetail, JobStep } from '../../core/api/models';
import { JobsApi } from '../../core/api/jobs.api';
import { errorMessage } from '../../core/api/problem';
import { isJobEvent } from '../../core/realtime/events';
import { RealtimeService } from '../../core/realtime/realtime.service';
import { formatDuration, humanize } from '../../shared/format';
import { DurationPipe, HumanizePipe, PercentPipe } from '../../shared/format.pipes';
import { Notifier } from '../../shared/notifier';
import { EmptyState, ErrorState, LoadingState } from '../../shared/states';
import { StatusBadge } from '../../shared/status-badge';
import { applyJobEvent, isActive } from './job-progress';
import { timelinesOf } from './job-timeline';

const STEP_ICONS: Record<string, string> = {
  pending: 'radio_button_unchecked',
  running: 'autorenew',
  completed: 'check_circle',
  failed: 'cancel',
  skipped: 'redo',
  cancelled: 'block',
};

@Component({
  selector: 'app-job-detail-page',
  imports: [
    DatePipe,
    RouterLink,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTooltipModule,
    StatusBadge,
    PercentPipe,
    DurationPipe,
    HumanizePipe,
    LoadingState,
    ErrorState,
    EmptyState,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './job-detail-page.html',
  styleUrl: './job-detail-page.scss',
})
export class JobDetailPage {
  private readonly jobs = inject(JobsApi);
  private readonly notifier = inject(Notifier);

  readonly id = input.required<string>();

  protected readonly job = rxResource({
    params: () => this.id(),
    stream: ({ params }) => this.jobs.get(params),
  });
  protected readonly loadError = computed(() =>
    this.job.error() ? errorMessage(this.job.error(), 'Could not load the job.') : null,
  );
  protected readonly timelines = computed(() => timelinesOf(this.job.value()?.steps ?? []));
  /** Product of each image, learned from live step events (steps do not carry it). */
  protected readonly productOfImage = signal<Readonly<Record<string, string>>>({});
  protected readonly busy = signal(false);
  protected readonly isActive = isActive;
  protected readonly stepNames = ['Preprocess', 'Classify', 'Attributes', 'Defects', 'Description'];

  constructor() {
    const destroyRef = inject(DestroyRef);
    const realtime = inject(RealtimeService);
    const mine = realtime.events$.pipe(
      filter(isJobEvent),
      filter((event) => event.job_id === this.id()),
    );
    mine.pipe(takeUntilDestroyed(destroyRef)).subscribe((event) => {
      if (event.type === 'job.step' && event.image_id && event.product_id) {
        this.productOfImage.update((map) => ({
          ...map,
          [event.image_id as string]: event.product_id as string,
        }));
      }
      const current = this.job.hasValue() ? this.job.value() : undefined;
      if (current) {
        this.job.set(applyJobEvent(current, event));
      }
    });
    mine.pipe(debounceTime(400), takeUntilDestroyed(destroyRef)).subscribe(() => this.job.reload());
    realtime.reconnected$.pipe(takeUntilDestroyed(destroyRef)).subscribe(() => this.job.reload());
  }

  protected stepIcon(step: JobStep | null): string {
    return step ? (STEP_ICONS[step.status] ?? 'help') : 'remove';
  }

  protected stepText(step: JobStep | null, index: number): string {
    const name = this.stepNames[index] ?? humanize(step?.step_name);
    if (!step) {
      return `${name}: not part of this job`;
    }
    const time = step.duration_ms !== null ? `, ${formatDuration(step.duration_ms)}` : '';
    const error = step.error_message ? ` — ${step.error_message}` : '';
    return `${name}: ${humanize(step.status)}${time}${error}`;
  }

  protected productLink(imageId: string): string | null {
    return this.productOfImage()[imageId] ?? null;
  }

  protected cancel(): void {
    this.act(this.jobs.cancel(this.id()), 'Job cancelled.');
  }

  protected retry(): void {
    this.act(this.jobs.retry(this.id()), 'Failed photos queued again.');
  }

  private act(request: Observable<Job>, done: string): void {
    this.busy.set(true);
    request.pipe(finalize(() => this.busy.set(false))).subscribe({
      next: (job) => {
        const current = this.job.value();
        if (current) {
          this.job.set({ ...current, ...job } as JobDetail);
        }
        this.notifier.info(done);
        this.job.reload();
      },
      error: (error: unknown) => this.notifier.error(error),
    });
  }
}
