import { Job, JobStatus } from '../../core/api/models';
import { JobEvent } from '../../core/realtime/events';

/** Applies a live job event to a job as the list or detail page holds it. */
export function applyJobEvent<T extends Job>(job: T, event: JobEvent): T {
  if (event.job_id !== job.id || event.type === 'job.step') {
    return job;
  }
  const total = event.total_images ?? job.total_images;
  const processed = event.processed_images ?? job.processed_images;
  const failed = event.failed_images ?? job.failed_images;
  return {
    ...job,
    status: event.status ?? job.status,
    total_images: total,
    processed_images: processed,
    failed_images: failed,
    progress: progressOf(total, processed, failed, event.status ?? job.status),
  };
}

/** 0..1; a finished job is full even if some images were cancelled or skipped. */
export function progressOf(
  total: number,
  processed: number,
  failed: number,
  status: JobStatus,
): number {
  if (['completed', 'completed_with_errors', 'failed'].includes(status)) {
    return 1;
  }
  return total > 0 ? Math.min(1, (processed + failed) / total) : 0;
}

export function isActive(status: JobStatus): boolean {
  return status === 'pending' || status === 'running';
}
