"""The reference sets that ship: each bank is built from exactly its shipped photos with the
default backbone, and a product of that category is compared with it without turning clean
photos into defects."""

from __future__ import annotations

import numpy as np
from PIL import Image

from backend.ml.config import BUNDLED_REFERENCE_BANKS_DIR
from backend.ml.evaluation import read_dataset
from backend.ml.inference import AnalyzeOptions, analyze
from backend.ml.model_registry import get_registry
from backend.ml.patch_anomaly import MemoryBank
from backend.ml.perceptual_hash import distance, hash_pair, phash
from backend.ml.reference_sets import build_bundled_bank, bundled_categories, reference_photos
from backend.ml.results import ReferenceSetUsed
from backend.shared.config import get_settings
from tests.ml.conftest import CATALOG_PHOTOS, MORE_PHOTOS, PHOTOS, analysed

FOOD_PHOTOS = 81
BAG_PHOTOS = 13
APPAREL_PHOTOS = 39


def test_reference_sets_ship_for_groceries_bags_and_apparel() -> None:
    assert bundled_categories() == ["apparel", "bags", "food_beverages"]
    assert len(reference_photos("food_beverages")) == FOOD_PHOTOS
    assert len(reference_photos("bags")) == BAG_PHOTOS
    assert len(reference_photos("apparel")) == APPAREL_PHOTOS


def test_no_reference_photo_is_a_near_duplicate_of_a_test_photo() -> None:
    """The reference sets must not hold the photos the detector is measured on, nor copies of
    them: no reference photo lies within the platform's near-duplicate distance of one."""
    labelled = [
        phash(np.asarray(Image.open(item.path).convert("L")))
        for folder in (PHOTOS, MORE_PHOTOS, CATALOG_PHOTOS)
        for item in read_dataset(folder)
    ]
    limit = get_settings().duplicate_hash_max_distance
    for category in bundled_categories():
        for path in reference_photos(category):
            hashes = hash_pair(np.asarray(Image.open(path).convert("RGB")))
            nearest = min(distance(hashes, stored) for stored in labelled)
            assert nearest > limit, path.name


def test_every_shipped_bank_is_built_from_its_photos_with_the_default_backbone() -> None:
    for category in bundled_categories():
        shipped = MemoryBank.load(BUNDLED_REFERENCE_BANKS_DIR / f"{category}.npz")
        rebuilt = build_bundled_bank(category)
        assert shipped.category == category
        assert shipped.sources == tuple(path.name for path in reference_photos(category))
        assert shipped.backbone_version == get_registry().manifest.default_version
        # The bank is stored in float16.
        np.testing.assert_allclose(shipped.features, rebuilt.features, rtol=2e-3, atol=2e-2)


def test_a_grocery_photo_is_compared_with_the_shipped_references() -> None:
    report = analysed("oranges.jpg").defects
    assert report.reference_set == ReferenceSetUsed("food_beverages", FOOD_PHOTOS)
    expected = {"category": "food_beverages", "images": FOOD_PHOTOS}
    assert report.to_dict()["reference_set"] == expected
    bag = analysed("grey_duffel_bag.jpg").defects.reference_set
    assert bag == ReferenceSetUsed("bags", BAG_PHOTOS)
    assert analysed("led_bulb.jpg").defects.reference_set is None  # no lighting set ships


def test_clean_bag_and_garment_photos_stay_clean_against_the_references() -> None:
    compared = []
    for item in read_dataset(CATALOG_PHOTOS):
        if item.defective is False:
            report = analyze(item.path.read_bytes(), AnalyzeOptions()).defects
            if report.reference_set is not None:
                compared.append(report.reference_set.category)
                assert report.defects == [], item.path.name
    assert compared.count("bags") >= 10, compared
    assert compared.count("apparel") >= 1, compared


def test_clean_grocery_photos_stay_clean_against_the_references() -> None:
    compared = []
    for folder in (PHOTOS, MORE_PHOTOS):
        for item in read_dataset(folder):
            if item.category == "food_beverages" and item.defective is False:
                report = analyze(item.path.read_bytes(), AnalyzeOptions()).defects
                if report.reference_set is not None:
                    compared.append(item.path.name)
                    assert report.defects == [], item.path.name
    assert len(compared) >= 5, compared
