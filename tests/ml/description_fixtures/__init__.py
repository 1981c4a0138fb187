"""Analysis results of product photos, as the worker hands them to the description generator."""

from __future__ import annotations

import json
from pathlib import Path

from backend.ml.description_types import AttributeFact, DefectFact, ProductFacts

_PRODUCTS = Path(__file__).with_name("analysed_products.json")


def analysed_products() -> dict[str, ProductFacts]:
    """Realistic facts, each with low-confidence attributes and photo-quality noise mixed in."""
    products = {}
    for raw in json.loads(_PRODUCTS.read_text()):
        products[raw["key"]] = ProductFacts(
            title=raw["title"],
            seller_notes=raw["seller_notes"],
            category=raw["category"],
            subcategory=raw["subcategory"],
            category_confidence=raw["category_confidence"],
            attributes=tuple(AttributeFact(*a) for a in raw["attributes"]),
            defects=tuple(DefectFact(*d) for d in raw["defects"]),
            condition=raw["condition"],
            condition_confidence=raw["condition_confidence"],
        )
    return products
