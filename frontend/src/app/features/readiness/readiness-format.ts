import { ImageReadiness, ReadinessStatus, RuleResult } from '../../core/api/models';

/** The measured value as the rule's target words it: `600 px`, `63%`, `0.85`, `2`. */
export function formatMeasured(rule: Pick<RuleResult, 'measured' | 'unit'>): string {
  const value = rule.measured;
  if (value === null || !Number.isFinite(value)) {
    return 'Not measured';
  }
  switch (rule.unit) {
    case 'px':
      return `${Math.round(value)} px`;
    case 'share': {
      const percent = value * 100;
      return `${percent > 0 && percent < 1 ? percent.toFixed(1) : Math.round(percent)}%`;
    }
    case 'count':
      return String(Math.round(value));
    default:
      return value.toFixed(2);
  }
}

/** A one-line verdict for a photo: "2 fail, 3 warnings, 3 pass". */
export function countsText(readiness: Pick<ImageReadiness, 'counts' | 'status'>): string {
  if (readiness.status === 'pending') {
    return 'Not measured yet';
  }
  const fail = readiness.counts.fail ?? 0;
  const warn = readiness.counts.warn ?? 0;
  const pass = readiness.counts.pass ?? 0;
  return [
    fail ? `${fail} failing` : '',
    warn ? `${warn} ${warn === 1 ? 'warning' : 'warnings'}` : '',
    `${pass} passing`,
  ]
    .filter(Boolean)
    .join(', ');
}

const VERDICTS: Record<ReadinessStatus, string> = {
  pass: 'Ready to list',
  warn: 'Listable, with warnings',
  fail: 'Not ready: fix the failures',
  pending: 'Waiting for the analysis',
};

export function verdictOf(status: ReadinessStatus): string {
  return VERDICTS[status];
}

/** Failures first, then warnings, then passes, keeping the preset's order within each. */
export function worstFirst(rules: readonly RuleResult[]): RuleResult[] {
  const rank = { fail: 0, warn: 1, pass: 2 } as const;
  return rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => rank[a.rule.status] - rank[b.rule.status] || a.index - b.index)
    .map(({ rule }) => rule);
}
