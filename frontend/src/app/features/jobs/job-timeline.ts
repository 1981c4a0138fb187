import { JobStep, STEP_NAMES } from '../../core/api/models';

export interface ImageTimeline {
  readonly imageId: string;
  /** One cell per pipeline step in order; `null` where the job has no such step row. */
  readonly steps: readonly (JobStep | null)[];
  readonly totalMs: number;
  /** What the classify step called the photo, once it ran. */
  readonly label: string | null;
  readonly failed: boolean;
  readonly finished: boolean;
}

/** Groups a job's steps per image, in pipeline order, images in the order they first appear. */
export function timelinesOf(steps: readonly JobStep[]): ImageTimeline[] {
  const byImage = new Map<string, JobStep[]>();
  for (const step of steps) {
    const key = step.product_image_id ?? 'job';
    byImage.set(key, [...(byImage.get(key) ?? []), step]);
  }
  return [...byImage.entries()].map(([imageId, imageSteps]) => {
    const ordered = STEP_NAMES.map(
      (name) => imageSteps.find((step) => step.step_name === name) ?? null,
    );
    const extra = imageSteps.filter(
      (step) => !(STEP_NAMES as readonly string[]).includes(step.step_name),
    );
    const cells = [...ordered, ...extra];
    const present = cells.filter((step): step is JobStep => step !== null);
    const label = imageSteps.find((step) => step.step_name === 'classify')?.result_data?.['label'];
    return {
      label: typeof label === 'string' ? label : null,
      imageId,
      steps: cells,
      totalMs: present.reduce((sum, step) => sum + (step.duration_ms ?? 0), 0),
      failed: present.some((step) => step.status === 'failed'),
      finished:
        present.length > 0 &&
        present.every((step) => !['pending', 'running'].includes(step.status)),
    };
  });
}
