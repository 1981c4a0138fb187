/**
 * Cosine similarity of two embeddings in words (docs/api.md: ≥ 0.9 is usually the same photo,
 * about 0.7 the same product from another side, ≤ 0.5 another product).
 */
export function similarityText(similarity: number): string {
  if (similarity >= 0.9) {
    return 'Same photo';
  }
  if (similarity >= 0.7) {
    return 'Likely the same product';
  }
  if (similarity >= 0.5) {
    return 'Similar';
  }
  return 'Different product';
}

/** Similarity as a percentage for display, clamped to 0..100 (cosine can be negative). */
export function similarityPercent(similarity: number): string {
  return `${Math.round(Math.max(0, Math.min(1, similarity)) * 100)}%`;
}
