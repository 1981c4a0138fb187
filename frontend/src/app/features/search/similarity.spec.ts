import { similarityPercent, similarityText } from './similarity';

describe('similarity wording', () => {
  it('follows the thresholds the API documents', () => {
    expect(similarityText(0.9983)).toBe('Same photo');
    expect(similarityText(0.6904)).toBe('Similar');
    expect(similarityText(0.72)).toBe('Likely the same product');
    expect(similarityText(0.1)).toBe('Different product');
  });

  it('shows a percentage that never goes below zero', () => {
    expect(similarityPercent(0.9983)).toBe('100%');
    expect(similarityPercent(0.6904)).toBe('69%');
    expect(similarityPercent(-0.2)).toBe('0%');
  });
});
