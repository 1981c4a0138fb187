import { labelProblem, labelSuggestions, normalizeLabel } from './labels';

describe('category labels', () => {
  it('normalises as the API does', () => {
    expect(normalizeLabel('  Vintage   Cameras ')).toBe('vintage cameras');
  });

  it('accepts own names and taxonomy paths, refuses what the API refuses', () => {
    expect(labelProblem('Vintage cameras')).toBeNull();
    expect(labelProblem("Rock & roll 45's")).toBeNull();
    expect(labelProblem('Blåbær-skåler')).toBeNull();
    expect(labelProblem('kitchen/mugs')).toBeNull();
    expect(labelProblem('   ')).toBe('Enter a category name.');
    expect(labelProblem('Unknown')).toContain('cannot');
    expect(labelProblem('-dash first')).toContain('starting with a letter');
    expect(labelProblem('cups!')).toContain('letters, digits');
    expect(labelProblem('x'.repeat(101))).toBe('At most 100 characters.');
  });

  it('suggests own labels first, without repeats, filtered by what was typed', () => {
    expect(labelSuggestions(['red cups', 'travel bags'], ['kitchen/mugs', 'Red Cups'], '')).toEqual(
      ['red cups', 'travel bags', 'kitchen/mugs'],
    );
    expect(labelSuggestions(['red cups', 'travel bags'], ['kitchen/mugs'], 'CUP')).toEqual([
      'red cups',
    ]);
  });
});
