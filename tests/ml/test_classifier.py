"""Classification of real photos onto the product taxonomy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from backend.ml.classifier import classify_logits, softmax
from backend.ml.colors import skin_share
from backend.ml.config import DATA_DIR, ClassifierThresholds, get_ml_config
from backend.ml.evaluation import read_dataset
from backend.ml.inference import AnalysisResult, analyze, prepare
from backend.ml.taxonomy import IMAGENET_CLASSES, NOT_A_PRODUCT, load_taxonomy, read_taxonomy
from tests.ml.conftest import CATALOG_PHOTOS, MODEL_PHOTOS


def test_taxonomy_covers_every_imagenet_class_and_25_categories() -> None:
    taxonomy = load_taxonomy()
    assert len(taxonomy.categories) >= 25
    assert len(taxonomy.imagenet_labels) == IMAGENET_CLASSES
    assert set(taxonomy.imagenet_labels) <= set(taxonomy.labels)
    assert taxonomy.imagenet_labels[504] == "kitchen/mugs"  # coffee mug
    assert taxonomy.imagenet_labels[770] == "footwear/sneakers"  # running shoe
    assert taxonomy.imagenet_labels[281] == NOT_A_PRODUCT  # tabby cat
    mapped = sum(label != NOT_A_PRODUCT for label in taxonomy.imagenet_labels)
    assert 350 < mapped < 600


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("red_coffee_cup.jpg", "kitchen/mugs"),
        ("grey_duffel_bag.jpg", "bags/messenger_bags"),
        ("vitamin_bottle.jpg", "health/supplements_medicine"),
        ("paint_brushes.jpg", "books_stationery/art_supplies"),
        ("oranges.jpg", "food_beverages/fruit"),
    ],
)
def test_unambiguous_products_get_their_label(
    analysis: Callable[[str], AnalysisResult], name: str, label: str
) -> None:
    result = analysis(name).classification
    assert result.label == label
    assert result.category == label.split("/", maxsplit=1)[0]
    assert 0.5 < result.confidence <= result.category_confidence <= 1.0
    assert result.top_k[0][0] == label
    assert result.model_version == "1.0.0-fp32"


@pytest.mark.parametrize("name", ["cat_chelsea.png", "robin.jpg", "dog.jpg", "clownfish.jpg"])
def test_animals_are_not_products(analysis: Callable[[str], AnalysisResult], name: str) -> None:
    result = analysis(name).classification
    assert result.is_unknown
    assert result.category is None
    assert result.confidence > 0.9


def test_probabilities_sum_per_category() -> None:
    taxonomy = load_taxonomy()
    logits = np.full(IMAGENET_CLASSES, -10.0)
    logits[504] = 2.0  # coffee mug
    logits[968] = 2.0  # cup
    logits[849] = 1.0  # teapot
    result = classify_logits(logits, taxonomy, ClassifierThresholds(), "test")
    probabilities = softmax(logits)
    assert result.label == "kitchen/mugs"
    assert result.confidence == pytest.approx(probabilities[504] + probabilities[968], rel=1e-3)
    assert result.category_confidence == pytest.approx(
        probabilities[504] + probabilities[968] + probabilities[849], rel=1e-3
    )


def test_below_the_threshold_the_label_is_unknown() -> None:
    taxonomy = load_taxonomy()
    logits = np.zeros(IMAGENET_CLASSES)  # uniform: no category reaches 35 %
    result = classify_logits(logits, taxonomy, ClassifierThresholds(), "test")
    assert result.label == "unknown"
    assert 0.0 <= result.confidence <= 1.0


@pytest.mark.parametrize("name", ["led_bulb.jpg", "led_bulb_pack.jpg"])
def test_products_imagenet_does_not_know_are_unknown_not_absurd(
    analysis: Callable[[str], AnalysisResult], name: str
) -> None:
    """ImageNet has no light-bulb class: its best guesses (toilet seat, abacus) are uncertain,
    so the label is "unknown" rather than bathroom or kitchen."""
    result = analysis(name).classification
    assert result.is_unknown
    assert result.category is None
    assert result.top_k[0][1] < 0.5


def test_the_shown_label_must_be_more_likely_than_not() -> None:
    taxonomy = load_taxonomy()
    logits = np.full(IMAGENET_CLASSES, -10.0)
    logits[861] = 2.0  # toilet seat
    logits[896] = 1.6  # washbasin: the category "bathroom" is sure, "toilets" is not
    logits[804] = 1.0  # soap dispenser
    result = classify_logits(logits, taxonomy, ClassifierThresholds(), "test")
    assert result.is_unknown
    assert result.category_confidence > 0.9
    assert result.confidence == pytest.approx(1.0 - result.top_k[0][1], rel=1e-6)
    lenient = classify_logits(
        logits, taxonomy, ClassifierThresholds(label_unknown_below=0.3), "test"
    )
    assert lenient.label == "bathroom/toilets"


def test_a_garment_imagenet_splits_over_its_classes_is_apparel() -> None:
    """Jersey, miniskirt and maillot, about a third each: no subcategory of apparel is more
    likely than not, but apparel is, and apparel may be the answer on its own."""
    taxonomy = load_taxonomy()
    logits = np.full(IMAGENET_CLASSES, -10.0)
    logits[610] = 2.0  # jersey: apparel/tops
    logits[655] = 1.8  # miniskirt: apparel/dresses_skirts
    logits[639] = 1.6  # maillot: apparel/swimwear
    result = classify_logits(logits, taxonomy, ClassifierThresholds(), "test")
    assert result.top_k[0] == ("apparel/tops", pytest.approx(softmax(logits)[610], rel=1e-3))
    assert result.top_k[0][1] < 0.5
    assert (result.label, result.category, result.subcategory) == ("apparel", "apparel", None)
    assert result.confidence == result.category_confidence > 0.9
    assert not result.is_unknown


def test_only_the_categories_imagenet_splits_may_answer_alone() -> None:
    """Bathroom stays out: it is what ImageNet calls an LED bulb (see the test above)."""
    answering = {c.id for c in load_taxonomy().categories if c.answer_alone}
    assert answering == {"apparel", "footwear", "bags", "watches_clocks"}


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("purple_jacket.jpg", "apparel"),
        ("blue_pullover.jpg", "apparel"),
        ("blue_messenger_bag.jpg", "bags"),
        ("analogue_watch_leather.jpg", "watches_clocks"),
    ],
)
def test_catalog_photos_with_no_clear_subcategory_get_their_category(
    name: str, category: str
) -> None:
    """Real catalog photos that were ``unknown`` because their category's probability is split
    over sibling classes (the pullover: 45 % miniskirt, 7 % sweatshirt, 6 % jersey; the bag: 43 %
    messenger bag, 38 % backpack): now their category, without a subcategory."""
    result = analyze((CATALOG_PHOTOS / name).read_bytes()).classification
    assert (result.label, result.category, result.subcategory) == (category, category, None)
    assert 0.5 <= result.confidence == result.category_confidence
    assert result.top_k[0][1] < 0.5


def test_a_dumbbell_is_no_evidence_on_a_photo_of_a_person() -> None:
    """ImageNet's dumbbells are mostly held by people, so a fit model in shorts looks like one.
    Without a person the class means the product; with one it is left out, and what else the
    network saw decides."""
    taxonomy = load_taxonomy()
    logits = np.full(IMAGENET_CLASSES, -10.0)
    logits[543] = 2.0  # dumbbell
    logits[842] = 0.8  # swimming trunks
    alone = classify_logits(logits, taxonomy, ClassifierThresholds(), "test")
    assert alone.label == "sports/fitness"
    with_person = classify_logits(
        logits, taxonomy, ClassifierThresholds(), "test", shows_person=True
    )
    assert with_person.label == "apparel/swimwear"
    assert with_person.confidence > 0.9
    assert with_person.imagenet_top[0] == ("dumbbell", pytest.approx(softmax(logits)[543]))


def test_shorts_on_a_model_are_not_sports_equipment() -> None:
    """Black shorts on a man: 51 % dumbbell to ImageNet, so sports/fitness before; a third of the
    object is skin, so the photo shows a person, the dumbbell is left out, and the shorts are
    apparel."""
    data = (MODEL_PHOTOS / "msh02-black_main.jpg").read_bytes()
    prepared = prepare(data)
    share = skin_share(prepared.lab, prepared.foreground.mask)
    assert share >= 2 * get_ml_config().classifier.person_skin_share
    result = analyze(data).classification
    assert result.imagenet_top[0][0] == "dumbbell"
    assert result.category == "apparel"


def test_product_photos_without_a_person_show_no_skin() -> None:
    """Bags, watches and fitness gear in the catalog folder: their objects are far below the
    share of skin that means a person, so their classes keep their meaning."""
    threshold = get_ml_config().classifier.person_skin_share
    for item in read_dataset(CATALOG_PHOTOS):
        if item.category in {"bags", "watches_clocks", "sports"}:
            prepared = prepare(item.path.read_bytes())
            assert skin_share(prepared.lab, prepared.foreground.mask) < threshold / 2, item.filename


def test_the_classes_shown_with_people_are_named_as_imagenet_names_them(tmp_path: Path) -> None:
    """A wrong index in ``shown_with_people`` is refused, not silently applied to another class."""
    data = json.loads((DATA_DIR / "taxonomy.json").read_text())
    data["shown_with_people"][0]["index"] += 1
    (tmp_path / "taxonomy.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="is not"):
        read_taxonomy(tmp_path / "taxonomy.json", DATA_DIR / "imagenet_taxonomy.csv")
