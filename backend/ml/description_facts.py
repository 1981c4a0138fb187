"""Which facts a description may state: the confidence thresholds are applied here, once."""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from backend.ml.description_phrases import normalize_key
from backend.ml.description_types import ProductFacts, StatedAttribute, StatedFacts

log = structlog.get_logger(__name__)

_NAME_ALIASES = {"colour": "color", "colors": "color", "colours": "color", "materials": "material"}
# Attributes about the photo, not the product: never part of a listing.
_PHOTO_ATTRIBUTES = frozenset(
    {
        "sharpness",
        "exposure",
        "brightness",
        "blur",
        "noise",
        "resolution",
        "background",
        "background_whiteness",
        "fill_ratio",
        "photo_quality",
    }
)
_UNKNOWN_LABELS = frozenset({"", "unknown", "other", "not_a_product", "none"})
NEW_CONDITIONS = frozenset({"new", "brand_new", "new_with_tags", "like_new", "mint", "unused"})


@dataclass(frozen=True)
class Thresholds:
    attribute: float
    category: float
    defect: float


def select_facts(facts: ProductFacts, thresholds: Thresholds) -> StatedFacts:
    defects = tuple(d for d in facts.defects if d.confidence >= thresholds.defect)
    condition = _stated_condition(facts, thresholds.attribute)
    if condition is not None and defects and normalize_key(condition) in NEW_CONDITIONS:
        log.warning("description.condition_contradicts_defects", condition=condition)
        condition = None
    category_ok = facts.category_confidence >= thresholds.category
    category = _label(facts.category) if category_ok else None
    return StatedFacts(
        title=" ".join(facts.title.split()),
        seller_notes=" ".join(facts.seller_notes.split()),
        category=category,
        subcategory=_label(facts.subcategory) if category else None,
        attributes=_stated_attributes(facts, thresholds.attribute),
        defects=defects,
        condition=condition,
        unconfirmed_defects=len(defects) < len(facts.defects),
        image=facts.image,
    )


def _label(value: str | None) -> str | None:
    if value is None or normalize_key(value) in _UNKNOWN_LABELS:
        return None
    return value.strip().replace("_", " ")


def _stated_condition(facts: ProductFacts, threshold: float) -> str | None:
    if facts.condition and facts.condition_confidence >= threshold:
        return facts.condition.strip().replace("_", " ")
    for attribute in facts.attributes:
        if normalize_key(attribute.name) == "condition" and attribute.confidence >= threshold:
            return attribute.value.strip().replace("_", " ")
    return None


def _stated_attributes(facts: ProductFacts, threshold: float) -> tuple[StatedAttribute, ...]:
    grouped: dict[str, list[str]] = {}
    for attribute in facts.attributes:
        name = normalize_key(attribute.name)
        name = _NAME_ALIASES.get(name, name)
        value = " ".join(attribute.value.split())
        if name in _PHOTO_ATTRIBUTES or name == "condition" or not value:
            continue
        if attribute.confidence < threshold:
            continue
        values = grouped.setdefault(name, [])
        if value.lower() not in (v.lower() for v in values):
            values.append(value)
    return tuple(StatedAttribute(name, tuple(values)) for name, values in grouped.items())
