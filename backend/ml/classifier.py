"""Product classification: ImageNet probabilities summed onto the product taxonomy."""

from __future__ import annotations

import numpy as np

from backend.ml.config import ClassifierThresholds
from backend.ml.results import UNKNOWN_LABEL, ClassificationResult
from backend.ml.taxonomy import NOT_A_PRODUCT, Taxonomy


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    scaled = logits.astype(np.float64) / temperature
    scaled -= scaled.max()
    exp = np.exp(scaled)
    return exp / exp.sum()  # type: ignore[no-any-return]


def classify_logits(
    logits: np.ndarray,
    taxonomy: Taxonomy,
    thresholds: ClassifierThresholds,
    model_version: str,
    *,
    shows_person: bool = False,
) -> ClassificationResult:
    """Sum class probabilities per label and per category; "unknown" below the thresholds (the
    category's probability, and the shown label's own probability). The label is
    ``category/subcategory``, or the category alone where no subcategory is more likely than not
    but the category is, for the categories that allow it (``Category.answer_alone``).

    The label's confidence is the summed softmax probability of its ImageNet classes, so it is
    a probability in [0, 1] with the network's own calibration; a category's confidence adds
    all of its subcategories. ``shows_person``: the photo shows a person, so the classes ImageNet
    learned from people using an object (``Taxonomy.shown_with_people``) are no evidence either
    way: they are left out and the other classes' probabilities renormalised.
    """
    probabilities = softmax(logits, thresholds.temperature)
    evidence = probabilities
    if shows_person and taxonomy.shown_with_people.size:
        evidence = probabilities.copy()
        evidence[taxonomy.shown_with_people] = 0.0
        evidence /= max(float(evidence.sum()), 1e-12)
    label_probs = np.bincount(
        taxonomy.class_to_label, weights=evidence, minlength=len(taxonomy.labels)
    )
    product_labels = label_probs[:-1]
    category_probs = np.bincount(
        taxonomy.label_to_category[:-1],
        weights=product_labels,
        minlength=len(taxonomy.categories),
    )
    order = np.argsort(product_labels)[::-1][: thresholds.top_k]
    top_k = [(taxonomy.labels[i], float(product_labels[i])) for i in order]
    imagenet_order = np.argsort(probabilities)[::-1][:5]
    imagenet_top = [(taxonomy.imagenet_names[i], float(probabilities[i])) for i in imagenet_order]
    best_category = int(np.argmax(category_probs))
    category_confidence = float(category_probs[best_category])
    not_product = float(label_probs[-1])
    members = np.flatnonzero(taxonomy.label_to_category[:-1] == best_category)
    best_label = int(members[np.argmax(product_labels[members])])
    label_confidence = float(product_labels[best_label])
    category = taxonomy.categories[best_category]

    def result(label: str, confidence: float) -> ClassificationResult:
        parts = label.split("/", 1) if label != UNKNOWN_LABEL else []
        return ClassificationResult(
            label=label,
            category=parts[0] if parts else None,
            subcategory=parts[1] if len(parts) == 2 else None,
            confidence=confidence,
            category_confidence=category_confidence,
            top_k=top_k,
            model_version=model_version,
            imagenet_top=imagenet_top,
        )

    if category_confidence >= thresholds.unknown_below and not_product <= category_confidence:
        if label_confidence >= thresholds.label_unknown_below:
            return result(taxonomy.labels[best_label], label_confidence)
        # No subcategory is more likely than not; the category alone may be, where it is one
        # ImageNet splits over sibling classes (``Category.answer_alone``).
        if category.answer_alone and category_confidence >= thresholds.label_unknown_below:
            return result(category.id, category_confidence)
    return result(UNKNOWN_LABEL, max(not_product, 1.0 - label_confidence))


__all__ = ["NOT_A_PRODUCT", "classify_logits", "softmax"]
