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
) -> ClassificationResult:
    """Sum class probabilities per label and per category; "unknown" below the thresholds (the
    category's probability, and the shown label's own probability).

    The label's confidence is the summed softmax probability of its ImageNet classes, so it is
    a probability in [0, 1] with the network's own calibration; a category's confidence adds
    all of its subcategories.
    """
    probabilities = softmax(logits, thresholds.temperature)
    label_probs = np.bincount(
        taxonomy.class_to_label, weights=probabilities, minlength=len(taxonomy.labels)
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
    if (
        category_confidence < thresholds.unknown_below
        or float(product_labels[best_label]) < thresholds.label_unknown_below
        or not_product > category_confidence
    ):
        return ClassificationResult(
            label=UNKNOWN_LABEL,
            category=None,
            subcategory=None,
            confidence=max(not_product, 1.0 - float(product_labels[best_label])),
            category_confidence=category_confidence,
            top_k=top_k,
            model_version=model_version,
            imagenet_top=imagenet_top,
        )
    label = taxonomy.labels[best_label]
    category, subcategory = label.split("/", 1)
    return ClassificationResult(
        label=label,
        category=category,
        subcategory=subcategory,
        confidence=float(product_labels[best_label]),
        category_confidence=category_confidence,
        top_k=top_k,
        model_version=model_version,
        imagenet_top=imagenet_top,
    )


__all__ = ["NOT_A_PRODUCT", "classify_logits", "softmax"]
