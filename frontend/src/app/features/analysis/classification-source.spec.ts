import { answererOf } from './classification-source';

describe('which head answered', () => {
  it('tells the base taxonomy, the custom head and its fallback apart', () => {
    expect(answererOf('taxonomy', '1.0.0-fp32')).toEqual({
      kind: 'taxonomy',
      text: 'Base taxonomy',
      head: null,
    });
    expect(answererOf('custom', '1.0.0-fp32+custom-1a2b3c4d')).toEqual({
      kind: 'custom',
      text: 'Your custom categories (custom-1a2b3c4d)',
      head: 'custom-1a2b3c4d',
    });
    expect(answererOf('taxonomy', '1.0.0-fp32+custom-1a2b3c4d:fallback')).toMatchObject({
      kind: 'fallback',
      head: 'custom-1a2b3c4d',
    });
  });

  it('puts a correction above any model, and reads older analyses without a source', () => {
    expect(answererOf('correction', '1.0.0-fp32+custom-1a2b3c4d').kind).toBe('correction');
    expect(answererOf(undefined, '1.0.0-fp32+custom-9').kind).toBe('custom');
    expect(answererOf(undefined, null).kind).toBe('taxonomy');
  });
});
