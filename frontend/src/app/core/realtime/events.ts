import { JobStatus, StepStatus } from '../api/models';

/** Events pushed on `/ws` (docs/api.md, "WebSocket"). */
export interface HeartbeatEvent {
  readonly type: 'heartbeat';
  readonly ts: string;
}

export interface JobStepEvent {
  readonly type: 'job.step';
  readonly job_id: string;
  readonly image_id: string | null;
  readonly product_id: string | null;
  readonly step: string;
  readonly status: StepStatus;
  readonly duration_ms: number | null;
  readonly error: string | null;
  readonly ts: string;
}

export interface JobProgressEvent {
  readonly type: 'job.progress';
  readonly job_id: string;
  readonly status: JobStatus;
  readonly total_images: number;
  readonly processed_images: number;
  readonly failed_images: number;
  readonly ts: string;
}

export interface JobFinishedEvent {
  readonly type: 'job.completed' | 'job.failed';
  readonly job_id: string;
  readonly status: JobStatus;
  readonly total_images?: number;
  readonly processed_images?: number;
  readonly failed_images?: number;
  readonly ts: string;
}

export interface ImageAnalyzedEvent {
  readonly type: 'image.analyzed';
  readonly image_id: string;
  readonly product_id: string;
  readonly status: string;
  readonly classification_label: string | null;
  readonly ts: string;
}

export type RealtimeEvent =
  HeartbeatEvent | JobStepEvent | JobProgressEvent | JobFinishedEvent | ImageAnalyzedEvent;

export type JobEvent = JobStepEvent | JobProgressEvent | JobFinishedEvent;

export function isJobEvent(event: RealtimeEvent): event is JobEvent {
  return event.type.startsWith('job.');
}

/** The product an event concerns, when it names one. */
export function productIdOf(event: RealtimeEvent): string | null {
  if (event.type === 'image.analyzed' || event.type === 'job.step') {
    return event.product_id;
  }
  return null;
}
