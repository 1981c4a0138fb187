const CUSTOM_LABEL = /^[\p{L}\p{N}][\p{L}\p{N} _&'-]*$/u;

/** A label as the API stores it: lower-cased and single-spaced. */
export function normalizeLabel(raw: string): string {
  return raw.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Why the API would refuse a label, checked before sending (docs/api.md, "Corrections"): a
 * name of your own is 1-100 letters, digits, spaces and `-_&'`, starting with a letter or
 * digit; a `category/subcategory` must be one of the taxonomy's, which only the server knows.
 */
export function labelProblem(raw: string): string | null {
  const label = normalizeLabel(raw);
  if (!label) {
    return 'Enter a category name.';
  }
  if (label === 'unknown') {
    return '“unknown” cannot be a category name.';
  }
  if (label.includes('/')) {
    return null;
  }
  if (label.length > 100) {
    return 'At most 100 characters.';
  }
  if (!CUSTOM_LABEL.test(label)) {
    return "Use letters, digits, spaces and - _ & ' only, starting with a letter or digit.";
  }
  return null;
}

/** Suggestions for a label field: the seller's own labels first, then the model's guesses. */
export function labelSuggestions(
  own: readonly string[],
  guesses: readonly string[],
  typed: string,
): string[] {
  const query = normalizeLabel(typed);
  const unique = [...new Set([...own, ...guesses].map(normalizeLabel))];
  return unique.filter((label) => !query || label.includes(query)).slice(0, 8);
}
