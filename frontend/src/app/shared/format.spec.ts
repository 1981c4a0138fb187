import { formatBytes, formatDuration, formatPercent, humanize } from './format';

describe('formatters', () => {
  it('formats durations for people', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(340.4)).toBe('340 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });

  it('formats sizes and percentages', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(50 * 1024 * 1024)).toBe('50 MB');
    expect(formatPercent(0.873)).toBe('87 %');
    expect(formatPercent(0.873, 1)).toBe('87.3 %');
    expect(formatPercent(undefined)).toBe('—');
  });

  it('turns API names into labels', () => {
    expect(humanize('extract_features')).toBe('Extract features');
    expect(humanize('completed_with_errors')).toBe('Completed with errors');
    expect(humanize('job.step')).toBe('Job step');
    expect(humanize('food_beverages/coffee')).toBe('Food beverages › coffee');
    expect(humanize(null)).toBe('—');
  });
});
