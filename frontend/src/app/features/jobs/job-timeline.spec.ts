import { Job, JobStep } from '../../core/api/models';
import { applyJobEvent, progressOf } from './job-progress';
import { timelinesOf } from './job-timeline';

const step = (
  image: string,
  name: string,
  status: JobStep['status'],
  duration: number | null = null,
): JobStep => ({
  id: `${image}-${name}`,
  step_name: name,
  status,
  product_image_id: image,
  started_at: null,
  completed_at: null,
  duration_ms: duration,
  error_message: null,
  result_data: null,
});

describe('job timelines', () => {
  it('groups steps per image in pipeline order', () => {
    const rows = timelinesOf([
      {
        ...step('a', 'classify', 'completed', 30),
        result_data: { label: 'kitchen/mugs', confidence: 0.9 },
      },
      step('b', 'preprocess', 'running'),
      step('a', 'preprocess', 'completed', 10),
      step('a', 'detect_defects', 'failed', 5),
    ]);
    expect(rows.map((row) => row.imageId)).toEqual(['a', 'b']);
    expect(rows[0].steps.map((cell) => cell?.step_name ?? null)).toEqual([
      'preprocess',
      'classify',
      null,
      'detect_defects',
      null,
    ]);
    expect(rows[0]).toMatchObject({
      totalMs: 45,
      failed: true,
      finished: true,
      label: 'kitchen/mugs',
    });
    expect(rows[1]).toMatchObject({ failed: false, finished: false, label: null });
  });
});

describe('live job progress', () => {
  const job = {
    id: 'j1',
    status: 'running',
    total_images: 4,
    processed_images: 1,
    failed_images: 0,
    progress: 0.25,
  } as Job;

  it('applies progress events of its own job only', () => {
    const event = {
      type: 'job.progress',
      job_id: 'j1',
      status: 'running',
      total_images: 4,
      processed_images: 2,
      failed_images: 1,
      ts: '',
    } as const;
    expect(applyJobEvent(job, event)).toMatchObject({
      processed_images: 2,
      failed_images: 1,
      progress: 0.75,
    });
    expect(applyJobEvent(job, { ...event, job_id: 'other' })).toBe(job);
  });

  it('is full once the job finished', () => {
    expect(
      applyJobEvent(job, {
        type: 'job.completed',
        job_id: 'j1',
        status: 'completed_with_errors',
        ts: '',
      }),
    ).toMatchObject({ status: 'completed_with_errors', progress: 1 });
    expect(progressOf(0, 0, 0, 'pending')).toBe(0);
  });
});
