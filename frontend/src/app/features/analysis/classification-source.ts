import { ClassificationSource } from '../../core/api/models';

export interface Answerer {
  readonly kind: 'taxonomy' | 'custom' | 'fallback' | 'correction';
  /** Who answered, in words. */
  readonly text: string;
  /** The custom head's version (`custom-1a2b3c4d`) when one was used or consulted. */
  readonly head: string | null;
}

/**
 * Which head answered, from the analysis's `classification.source` and `model_version`:
 * `1.0.0-fp32` (base taxonomy), `1.0.0-fp32+custom-1a2b3c4d` (the seller's head answered),
 * `1.0.0-fp32+custom-1a2b3c4d:fallback` (the head was consulted, the taxonomy answered).
 */
export function answererOf(
  source: ClassificationSource | undefined,
  modelVersion: string | null,
): Answerer {
  const [, suffix = ''] = (modelVersion ?? '').split('+', 2);
  const fallback = suffix.endsWith(':fallback');
  const head = suffix ? suffix.replace(/:fallback$/, '') : null;
  if (source === 'correction') {
    return { kind: 'correction', text: 'Your correction', head };
  }
  if (source === 'custom' || (head && !fallback && source !== 'taxonomy')) {
    return { kind: 'custom', text: `Your custom categories (${head ?? 'custom head'})`, head };
  }
  if (head && fallback) {
    return {
      kind: 'fallback',
      text: `Base taxonomy: your categories (${head}) did not match`,
      head,
    };
  }
  return { kind: 'taxonomy', text: 'Base taxonomy', head };
}
