/** Pure geometry for the hand-rolled SVG charts (no chart library to ship or keep offline). */

/** A round axis maximum at or above `value`: 1, 2, 2.5, 5 or 10 times a power of ten. */
export function niceMax(value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    return 1;
  }
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (value <= step * power) {
      return step * power;
    }
  }
  return 10 * power;
}

/**
 * Evenly spaced ticks from 0 to `max` at round steps: a maximum from `niceMax` is split in
 * 4 (1, 2 × 10ⁿ) or 5 (2.5, 5 × 10ⁿ) parts, so labels read 0, 50, 100 … rather than 62.5.
 */
export function ticks(max: number, count?: number): number[] {
  const leading = max / 10 ** Math.floor(Math.log10(max || 1));
  const parts = count ?? (Math.abs(leading - 2.5) < 1e-9 || Math.abs(leading - 5) < 1e-9 ? 5 : 4);
  return Array.from(
    { length: parts + 1 },
    (_, index) => Math.round(((max * index) / parts) * 1e6) / 1e6,
  );
}

export interface PlotPoint {
  readonly x: number;
  readonly y: number;
  readonly value: number;
  readonly index: number;
}

/**
 * Places values on a `width` × `height` plot (origin bottom-left, SVG y grows downwards);
 * missing values (null) are skipped, so the line joins only real measurements.
 */
export function plotPoints(
  values: readonly (number | null)[],
  width: number,
  height: number,
  max: number,
): PlotPoint[] {
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const points: PlotPoint[] = [];
  values.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) {
      return;
    }
    const x = values.length > 1 ? index * step : width / 2;
    const y = height - (Math.max(0, value) / (max || 1)) * height;
    points.push({ x: round(x), y: round(y), value, index });
  });
  return points;
}

export function linePath(points: readonly PlotPoint[]): string {
  return points.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x},${point.y}`).join(' ');
}

export function areaPath(points: readonly PlotPoint[], height: number): string {
  if (points.length === 0) {
    return '';
  }
  const first = points[0];
  const last = points[points.length - 1];
  return `${linePath(points)} L${last.x},${height} L${first.x},${height} Z`;
}

export interface BarSlot {
  readonly x: number;
  readonly width: number;
  readonly y: number;
  readonly height: number;
}

/** Columns for `values` across `width`, each with a gap of `gapRatio` of its slot. */
export function columnSlots(
  values: readonly number[],
  width: number,
  height: number,
  max: number,
  gapRatio = 0.25,
): BarSlot[] {
  const slot = values.length ? width / values.length : 0;
  const barWidth = slot * (1 - gapRatio);
  return values.map((value, index) => {
    const barHeight = (Math.max(0, value) / (max || 1)) * height;
    return {
      x: round(index * slot + (slot - barWidth) / 2),
      width: round(barWidth),
      y: round(height - barHeight),
      height: round(barHeight),
    };
  });
}

/** Stroke dash for a ring showing `fraction` of its circumference. */
export function ringDash(fraction: number, radius: number): string {
  const circumference = 2 * Math.PI * radius;
  const filled = Math.min(1, Math.max(0, fraction)) * circumference;
  return `${round(filled)} ${round(circumference - filled)}`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
