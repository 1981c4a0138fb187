"""The product taxonomy (data/taxonomy.json) and its ImageNet mapping (data/imagenet_taxonomy.csv).

Every one of the 1000 ImageNet classes is either mapped to a ``category/subcategory`` label or
marked ``not_a_product``; ``load_taxonomy`` refuses data where that is not so.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from backend.ml.config import DATA_DIR

NOT_A_PRODUCT = "not_a_product"
IMAGENET_CLASSES = 1000


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    subcategories: tuple[str, ...]
    #: The category may be the answer on its own when none of its subcategories is likely
    #: enough: ImageNet spreads a garment over jersey, sweatshirt, cardigan, maillot and
    #: miniskirt, a bag over backpack, mailbag and purse, while the category is clear. Not
    #: for categories ImageNet uses as a stand-in for what it has no class for (an LED bulb
    #: comes out as toilet seat, sink and soap dispenser: "bathroom").
    answer_alone: bool = False


@dataclass(frozen=True)
class Taxonomy:
    version: str
    categories: tuple[Category, ...]
    labels: tuple[str, ...]  # "category/subcategory" for every product label, then NOT_A_PRODUCT
    imagenet_names: tuple[str, ...]  # short English name of each ImageNet class
    imagenet_labels: tuple[str, ...]  # label of each ImageNet class
    class_to_label: np.ndarray  # (1000,) index into ``labels``
    #: ImageNet classes learned from photos of people using the object (dumbbell, barbell,
    #: gymnastics apparatus): on a photo that shows a person they are no evidence either way.
    shown_with_people: np.ndarray
    label_to_category: np.ndarray  # (len(labels),) index into ``categories``; -1 for NOT_A_PRODUCT

    @property
    def not_a_product_index(self) -> int:
        return len(self.labels) - 1

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)


def read_taxonomy(taxonomy_path: Path, mapping_path: Path) -> Taxonomy:
    """A taxonomy and its ImageNet mapping from their files (``ValueError`` for bad data)."""
    raw = json.loads(taxonomy_path.read_text())
    categories = tuple(
        Category(
            id=item["id"],
            name=item["name"],
            subcategories=tuple(sub["id"] for sub in item["subcategories"]),
            answer_alone=bool(item.get("answer_alone", False)),
        )
        for item in raw["categories"]
    )
    labels = [f"{c.id}/{sub}" for c in categories for sub in c.subcategories] + [NOT_A_PRODUCT]
    label_index = {label: i for i, label in enumerate(labels)}
    category_index = {c.id: i for i, c in enumerate(categories)}
    with mapping_path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if [int(row["index"]) for row in rows] != list(range(IMAGENET_CLASSES)):
        raise ValueError(f"{mapping_path} must list ImageNet classes 0..999 in order")
    unknown = {row["label"] for row in rows} - set(labels)
    if unknown:
        raise ValueError(f"{mapping_path} uses labels missing from the taxonomy: {sorted(unknown)}")
    class_to_label = np.array([label_index[row["label"]] for row in rows], dtype=np.int64)
    imagenet_names = tuple(row["imagenet_name"].split(",")[0].strip() for row in rows)
    people = raw.get("shown_with_people", [])
    for entry in people:
        index = int(entry["index"])
        if not 0 <= index < IMAGENET_CLASSES or imagenet_names[index] != entry["name"]:
            raise ValueError(f"{taxonomy_path}: ImageNet class {index} is not {entry['name']!r}")
    shown_with_people = np.array([int(entry["index"]) for entry in people], dtype=np.int64)
    label_to_category = np.array(
        [category_index[label.split("/")[0]] if "/" in label else -1 for label in labels],
        dtype=np.int64,
    )
    return Taxonomy(
        version=str(raw["version"]),
        categories=categories,
        labels=tuple(labels),
        imagenet_names=imagenet_names,
        imagenet_labels=tuple(row["label"] for row in rows),
        class_to_label=class_to_label,
        shown_with_people=shown_with_people,
        label_to_category=label_to_category,
    )


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    return read_taxonomy(DATA_DIR / "taxonomy.json", DATA_DIR / "imagenet_taxonomy.csv")
