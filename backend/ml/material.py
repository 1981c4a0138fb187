"""Material: a category prior adjusted by surface statistics, honest about its uncertainty.

A photo alone rarely proves what something is made of. The prior says what products of the
predicted category are usually made of; gloss (specular highlights) and texture energy inside
the object shift it. The confidence is capped well below 1 and drops with the category's own
confidence; an unknown category gives "unknown".
"""

from __future__ import annotations

import cv2
import numpy as np

from backend.ml.results import AttributeResult, ClassificationResult

MATERIALS = ("ceramic", "glass", "metal", "plastic", "fabric", "leather", "wood", "paper", "rubber")
GLOSSY = {"ceramic", "glass", "metal", "plastic"}
TEXTURED = {"fabric", "wood", "leather", "paper"}
MAX_CONFIDENCE = 0.8
METHOD = "category-prior+texture"

#: What products of each category (or category/subcategory) are usually made of.
PRIORS: dict[str, dict[str, float]] = {
    "apparel": {"fabric": 0.85, "leather": 0.1, "plastic": 0.05},
    "footwear": {"leather": 0.4, "fabric": 0.35, "rubber": 0.25},
    "footwear/sneakers": {"fabric": 0.45, "rubber": 0.3, "leather": 0.25},
    "bags": {"fabric": 0.55, "leather": 0.35, "plastic": 0.1},
    "bags/backpacks": {"fabric": 0.85, "leather": 0.1, "plastic": 0.05},
    "bags/wallets": {"leather": 0.6, "fabric": 0.2, "plastic": 0.2},
    "accessories": {"fabric": 0.4, "plastic": 0.25, "metal": 0.2, "leather": 0.15},
    "accessories/hats": {"fabric": 0.9, "leather": 0.05, "plastic": 0.05},
    "accessories/eyewear": {"plastic": 0.55, "metal": 0.4, "glass": 0.05},
    "watches_clocks": {"metal": 0.55, "plastic": 0.3, "glass": 0.1, "leather": 0.05},
    "jewellery": {"metal": 0.85, "glass": 0.1, "plastic": 0.05},
    "phones": {"glass": 0.45, "metal": 0.3, "plastic": 0.25},
    "computers": {"plastic": 0.55, "metal": 0.4, "glass": 0.05},
    "cameras": {"plastic": 0.5, "metal": 0.4, "glass": 0.1},
    "audio": {"plastic": 0.6, "metal": 0.25, "wood": 0.1, "fabric": 0.05},
    "tv_video": {"plastic": 0.7, "glass": 0.2, "metal": 0.1},
    "furniture": {"wood": 0.55, "metal": 0.2, "fabric": 0.15, "plastic": 0.1},
    "lighting": {"metal": 0.35, "glass": 0.3, "plastic": 0.25, "fabric": 0.1},
    "kitchen": {"metal": 0.45, "ceramic": 0.25, "glass": 0.15, "plastic": 0.1, "wood": 0.05},
    "kitchen/mugs": {"ceramic": 0.7, "glass": 0.12, "metal": 0.1, "plastic": 0.08},
    "kitchen/cookware": {"metal": 0.85, "ceramic": 0.1, "glass": 0.05},
    "kitchen/utensils": {"metal": 0.6, "wood": 0.25, "plastic": 0.15},
    "kitchen/glassware": {"glass": 0.9, "plastic": 0.1},
    "kitchen/tableware": {"ceramic": 0.6, "glass": 0.15, "plastic": 0.15, "wood": 0.1},
    "appliances": {"plastic": 0.55, "metal": 0.45},
    "bottles": {"plastic": 0.5, "glass": 0.4, "metal": 0.1},
    "bottles/wine_bottles": {"glass": 0.95, "plastic": 0.05},
    "bottles/beer_bottles": {"glass": 0.85, "metal": 0.15},
    "beauty": {"plastic": 0.6, "glass": 0.35, "metal": 0.05},
    "health": {"plastic": 0.8, "glass": 0.1, "metal": 0.1},
    "baby": {"fabric": 0.4, "plastic": 0.4, "wood": 0.2},
    "toys": {"plastic": 0.5, "fabric": 0.3, "wood": 0.15, "paper": 0.05},
    "sports": {"plastic": 0.35, "rubber": 0.25, "metal": 0.2, "fabric": 0.15, "leather": 0.05},
    "tools": {"metal": 0.75, "plastic": 0.2, "wood": 0.05},
    "garden": {"plastic": 0.4, "metal": 0.3, "ceramic": 0.2, "wood": 0.1},
    "books_stationery": {"paper": 0.7, "plastic": 0.2, "metal": 0.1},
    "books_stationery/pens": {"plastic": 0.6, "metal": 0.35, "wood": 0.05},
    "books_stationery/desk_supplies": {"plastic": 0.45, "metal": 0.4, "wood": 0.1, "paper": 0.05},
    "books_stationery/art_supplies": {"wood": 0.35, "plastic": 0.35, "paper": 0.2, "metal": 0.1},
    "musical_instruments": {"wood": 0.5, "metal": 0.4, "plastic": 0.1},
    "home_decor": {"ceramic": 0.3, "glass": 0.25, "fabric": 0.25, "wood": 0.2},
    "home_textiles": {"fabric": 0.95, "plastic": 0.05},
    "bathroom": {"ceramic": 0.6, "plastic": 0.3, "metal": 0.1},
    "bathroom/paper_products": {"paper": 0.95, "plastic": 0.05},
    "household": {"plastic": 0.6, "metal": 0.2, "wood": 0.1, "paper": 0.1},
    "automotive": {"metal": 0.6, "plastic": 0.25, "rubber": 0.15},
    "food_beverages": {"paper": 0.5, "plastic": 0.3, "glass": 0.2},
}

#: Food itself is not made of a material; only packaged products (beverages in cartons and
#: bottles, the category's own prior) have one.
FOOD_WITHOUT_MATERIAL = frozenset(
    {
        "food_beverages/fruit",
        "food_beverages/vegetables",
        "food_beverages/prepared_food",
        "food_beverages/bakery",
    }
)


def surface_statistics(rgb: np.ndarray, gray: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """Gloss (share of specular pixels) and texture energy inside the object."""
    if not mask.any():
        return {"gloss": 0.0, "texture": 0.0}
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    value, saturation = hsv[..., 2][mask], hsv[..., 1][mask]
    specular = (value > 240) & (saturation < 30)
    gloss = float(specular.mean())
    blurred = cv2.GaussianBlur(gray, (0, 0), 1.0)
    detail = np.abs(gray.astype(np.int16) - blurred.astype(np.int16))[mask]
    texture = float(detail.mean()) / 10.0
    return {"gloss": gloss, "texture": min(1.0, texture)}


def estimate_material(
    classification: ClassificationResult, statistics: dict[str, float]
) -> AttributeResult:
    if classification.label in FOOD_WITHOUT_MATERIAL:
        return AttributeResult(
            "material", "unknown", 0.0, METHOD, {"reason": "food has no material", **statistics}
        )
    prior = None
    if classification.category:
        prior = PRIORS.get(classification.label) or PRIORS.get(classification.category)
    if prior is None:
        return AttributeResult(
            "material", "unknown", 0.0, METHOD, {"reason": "no category prior", **statistics}
        )
    scores = {material: prior.get(material, 0.0) for material in MATERIALS}
    gloss, texture = statistics["gloss"], statistics["texture"]
    glossy_evidence = min(1.0, gloss / 0.02)
    textured_evidence = min(1.0, max(0.0, texture - 0.2) / 0.4)
    for material in scores:
        if material in GLOSSY:
            scores[material] *= 1.0 + 0.6 * glossy_evidence - 0.3 * textured_evidence
        elif material in TEXTURED:
            scores[material] *= 1.0 + 0.6 * textured_evidence - 0.4 * glossy_evidence
    total = sum(scores.values()) or 1.0
    ranked = sorted(((m, s / total) for m, s in scores.items() if s > 0), key=lambda i: -i[1])
    best, probability = ranked[0]
    confidence = min(MAX_CONFIDENCE, probability * classification.category_confidence)
    return AttributeResult(
        "material",
        best,
        float(confidence),
        METHOD,
        {"candidates": [{"material": m, "probability": p} for m, p in ranked[:4]], **statistics},
    )
