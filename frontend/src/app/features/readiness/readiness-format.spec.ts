import { RuleResult } from '../../core/api/models';
import { countsText, formatMeasured, verdictOf, worstFirst } from './readiness-format';

const rule = (name: string, status: RuleResult['status']): RuleResult => ({
  rule: name,
  label: name,
  status,
  measured: 1,
  unit: 'score',
  target: '≥ 0.70',
  message: '',
  fix: null,
});

describe('readiness formatting', () => {
  it('writes measured values in the unit of the target', () => {
    expect(formatMeasured({ measured: 600, unit: 'px' })).toBe('600 px');
    expect(formatMeasured({ measured: 0.6328, unit: 'share' })).toBe('63%');
    expect(formatMeasured({ measured: 0.004, unit: 'share' })).toBe('0.4%');
    expect(formatMeasured({ measured: 0, unit: 'share' })).toBe('0%');
    expect(formatMeasured({ measured: 0.7, unit: 'score' })).toBe('0.70');
    expect(formatMeasured({ measured: 2, unit: 'count' })).toBe('2');
    expect(formatMeasured({ measured: null, unit: 'count' })).toBe('Not measured');
  });

  it('sums a photo up in words and never by colour alone', () => {
    expect(countsText({ status: 'fail', counts: { pass: 3, warn: 1, fail: 2 } })).toBe(
      '2 failing, 1 warning, 3 passing',
    );
    expect(countsText({ status: 'pass', counts: { pass: 8 } })).toBe('8 passing');
    expect(countsText({ status: 'pending', counts: {} })).toBe('Not measured yet');
    expect(verdictOf('warn')).toBe('Listable, with warnings');
  });

  it('puts failures first and keeps the preset order within a status', () => {
    const ordered = worstFirst([
      rule('resolution', 'warn'),
      rule('sharpness', 'pass'),
      rule('background', 'fail'),
      rule('fill', 'fail'),
      rule('overlay', 'warn'),
    ]);
    expect(ordered.map((item) => item.rule)).toEqual([
      'background',
      'fill',
      'resolution',
      'overlay',
      'sharpness',
    ]);
  });
});
