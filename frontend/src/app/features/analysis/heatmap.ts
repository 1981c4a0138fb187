import { BoundingBox, JobStep } from '../../core/api/models';

/** The defect detector's anomaly map: a grid of 0..1 scores over a region of the photo. */
export interface Heatmap {
  readonly values: readonly (readonly number[])[];
  /** Where the grid lies, in original-image pixels. */
  readonly region: BoundingBox;
}

export interface HeatCell {
  readonly x: number;
  readonly y: number;
  readonly value: number;
}

/** The heatmap the `detect_defects` step recorded, when it recorded a well-formed one. */
export function heatmapOf(steps: readonly JobStep[]): Heatmap | null {
  const step = steps.find((candidate) => candidate.step_name === 'detect_defects');
  const raw = step?.result_data?.['heatmap'] as Partial<Heatmap> | undefined;
  const values = raw?.values;
  const region = raw?.region;
  if (!Array.isArray(values) || !values.length || !region) {
    return null;
  }
  const width = values[0].length;
  const rectangular = values.every(
    (row) =>
      Array.isArray(row) && row.length === width && row.every((value) => typeof value === 'number'),
  );
  const sized = [region.x, region.y, region.width, region.height].every(
    (part) => typeof part === 'number',
  );
  return rectangular && width > 0 && sized ? { values, region } : null;
}

/** Cells worth drawing (faint ones would only tint the photo), in grid coordinates. */
export function hotCells(heatmap: Heatmap, threshold = 0.05): HeatCell[] {
  const cells: HeatCell[] = [];
  heatmap.values.forEach((row, y) =>
    row.forEach((value, x) => {
      if (value >= threshold) {
        cells.push({ x, y, value: Math.min(1, value) });
      }
    }),
  );
  return cells;
}
