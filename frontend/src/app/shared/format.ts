/** Small, pure formatters shared by the pages. */

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return '—';
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  }
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) {
    return '—';
  }
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatPercent(fraction: number | null | undefined, digits = 0): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) {
    return '—';
  }
  return `${(fraction * 100).toFixed(digits)} %`;
}

/**
 * `extract_features` → `Extract features`, `completed_with_errors` → `Completed with errors`,
 * `home/kitchen` → `Home › kitchen` (taxonomy paths).
 */
export function humanize(value: string | null | undefined): string {
  if (!value) {
    return '—';
  }
  const spaced = value
    .replace(/[_\-.]+/g, ' ')
    .replace(/\s*\/\s*/g, ' › ')
    .trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
