import { Classifier } from '../../core/api/models';

/** Training finished once the head's version or training time differs from before. */
export function trainingDone(before: Classifier | null, now: Classifier): boolean {
  if (!now.trained) {
    return false;
  }
  return now.version !== before?.version || now.trained_at !== before?.trained_at;
}

export interface LabelState {
  readonly state: 'learnt' | 'ready' | 'needs_more';
  readonly text: string;
}

/** Where a label stands: learnt by the head, enough examples to train, or how many to go. */
export function labelStatus(
  entry: { label: string; examples: number; in_head: boolean },
  classifier: Pick<Classifier, 'min_examples_per_label'>,
): LabelState {
  if (entry.in_head) {
    return { state: 'learnt', text: 'Learnt' };
  }
  const missing = classifier.min_examples_per_label - entry.examples;
  if (missing <= 0) {
    return { state: 'ready', text: 'Ready to train' };
  }
  return {
    state: 'needs_more',
    text: `Label ${missing} more analysed photo${missing === 1 ? '' : 's'}`,
  };
}
