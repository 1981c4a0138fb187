import { Classifier } from '../../core/api/models';
import { labelStatus, trainingDone } from './training';

const classifier = (overrides: Partial<Classifier> = {}): Classifier => ({
  trained: false,
  version: null,
  labels: [],
  example_count: 0,
  trained_at: null,
  metrics: {},
  label_counts: [],
  trainable_labels: [],
  min_examples_per_label: 3,
  corrections_since_training: 0,
  training_queued: false,
  ...overrides,
});

describe('custom head training', () => {
  it('is done when a head appears or a new one replaces the old', () => {
    const untrained = classifier();
    const first = classifier({
      trained: true,
      version: 'custom-1',
      trained_at: '2026-01-01T00:00:00Z',
    });
    expect(trainingDone(untrained, untrained)).toBe(false);
    expect(trainingDone(untrained, first)).toBe(true);
    expect(trainingDone(first, first)).toBe(false);
    expect(trainingDone(first, { ...first, trained_at: '2026-01-02T00:00:00Z' })).toBe(true);
    expect(trainingDone(null, first)).toBe(true);
  });

  it('says how far each label is from being learnt', () => {
    const head = classifier();
    expect(labelStatus({ label: 'a', examples: 3, in_head: true }, head).state).toBe('learnt');
    expect(labelStatus({ label: 'a', examples: 4, in_head: false }, head).text).toBe(
      'Ready to train',
    );
    expect(labelStatus({ label: 'a', examples: 1, in_head: false }, head).text).toBe(
      'Label 2 more analysed photos',
    );
    expect(labelStatus({ label: 'a', examples: 2, in_head: false }, head).text).toBe(
      'Label 1 more analysed photo',
    );
  });
});
