"""Colours, material and photo quality measured on real photos."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from backend.ml.colors import dominant_colors, name_color, skin_coloured
from backend.ml.feature_extractor import color_attributes
from backend.ml.foreground import rgb_to_lab
from backend.ml.inference import AnalysisResult, analyze, prepare
from backend.ml.material import FOOD_WITHOUT_MATERIAL, MATERIALS, PRIORS
from backend.ml.results import AttributeResult
from backend.ml.taxonomy import load_taxonomy
from tests.ml.conftest import MODEL_PHOTOS, photo_bytes
from tests.support.photo_variants import exposed


def _attributes(result: AnalysisResult) -> dict[str, AttributeResult]:
    return {attribute.name: attribute for attribute in result.attributes}


@pytest.mark.parametrize(
    ("name", "colour"),
    [
        ("red_coffee_cup.jpg", "red"),
        ("grey_duffel_bag.jpg", "grey"),
        ("grey_duffel_bag_side.jpg", "grey"),
        ("led_bulb.jpg", "white"),
        ("raspberries.jpg", "red"),
    ],
)
def test_dominant_colour_of_the_object(
    analysis: Callable[[str], AnalysisResult], name: str, colour: str
) -> None:
    attribute = _attributes(analysis(name))["color"]
    assert attribute.value == colour
    assert attribute.metadata["hex"].startswith("#")
    assert len(attribute.metadata["hex"]) == 7
    assert 0.2 < attribute.metadata["share"] <= 1.0
    assert attribute.metadata["named_color"]
    assert 0.3 < attribute.confidence <= 1.0


def test_red_cup_hex_is_red(analysis: Callable[[str], AnalysisResult]) -> None:
    hex_value = _attributes(analysis("red_coffee_cup.jpg"))["color"].metadata["hex"]
    red, green, blue = (int(hex_value[i : i + 2], 16) for i in (1, 3, 5))
    assert red > 2 * green
    assert red > 2 * blue


def test_material_follows_the_category_with_honest_confidence(
    analysis: Callable[[str], AnalysisResult],
) -> None:
    mug = _attributes(analysis("red_coffee_cup.jpg"))["material"]
    assert mug.value == "ceramic"
    assert 0.3 < mug.confidence <= 0.8
    unknown = _attributes(analysis("cat_chelsea.png"))["material"]
    assert unknown.value == "unknown"
    assert unknown.confidence == 0.0


def test_material_priors_name_taxonomy_labels_and_sum_to_one() -> None:
    taxonomy = load_taxonomy()
    known = {category.id for category in taxonomy.categories} | set(taxonomy.labels)
    assert set(PRIORS) <= known
    assert FOOD_WITHOUT_MATERIAL.issubset(known)
    for label, prior in PRIORS.items():
        assert set(prior) <= set(MATERIALS), label
        assert sum(prior.values()) == pytest.approx(1.0), label


def test_a_subcategory_prior_overrides_its_category(
    analysis: Callable[[str], AnalysisResult],
) -> None:
    result = analysis("paint_brushes.jpg")
    assert result.classification.label == "books_stationery/art_supplies"
    material = _attributes(result)["material"]
    assert material.value == "wood"  # not the paper of books and notebooks
    assert material.confidence <= 0.8


def test_fresh_produce_gets_no_material(analysis: Callable[[str], AnalysisResult]) -> None:
    result = analysis("oranges.jpg")
    assert result.classification.label == "food_beverages/fruit"
    material = _attributes(result)["material"]
    assert (material.value, material.confidence) == ("unknown", 0.0)
    assert material.metadata["reason"] == "food has no material"


def test_photo_quality(analysis: Callable[[str], AnalysisResult]) -> None:
    studio = analysis("grey_duffel_bag.jpg")
    attributes = _attributes(studio)
    assert attributes["background"].value == "white"
    assert attributes["sharpness"].value == "sharp"
    assert attributes["exposure"].value == "well_exposed"
    assert attributes["fill_ratio"].value == "good"
    assert studio.quality.background_whiteness > 0.8
    blurred = analysis("clock_motion_blur.png")
    assert _attributes(blurred)["sharpness"].value == "blurry"
    assert "blurry" in blurred.quality.issues
    assert blurred.quality.sharpness < studio.quality.sharpness
    scene = _attributes(analysis("robin.jpg"))
    assert scene["background"].value in ("cluttered", "plain")
    for attribute in studio.attributes:
        assert 0.0 <= attribute.confidence <= 1.0
        assert attribute.method


def test_colour_naming_rules() -> None:
    assert name_color(np.array([95.0, 0.0, 1.0]))[0] == "white"
    assert name_color(np.array([10.0, 0.0, 0.0]))[0] == "black"
    assert name_color(np.array([55.0, 1.0, -2.0]))[0] == "grey"
    assert name_color(np.array([45.0, 60.0, 45.0]))[0] == "red"
    assert name_color(np.array([35.0, 10.0, -50.0]))[0] == "blue"


def test_a_blue_violet_is_purple_and_navy_stays_blue() -> None:
    """Magento's purple trousers (CIELAB (45, 27, -42)) lie between the navy and purple
    prototypes and were named navy; a violet shade (CSS rebeccapurple) takes them, while deep
    ultramarine blue shorts (21, 38, -63) stay navy."""
    assert name_color(np.array([44.9, 27.3, -42.2]))[:2] == ("purple", "violet")
    assert name_color(np.array([21.0, 38.1, -62.7]))[:2] == ("blue", "navy")


def test_a_saturated_pen_blue_is_blue() -> None:
    """A ballpoint blue, sRGB (30, 60, 220): CIELAB (35, 49, -83), beyond every blue prototype's
    chroma, was nearer purple (and, once the violet was added, violet) than any blue; a royal blue
    (Material blue A700) is its name."""
    assert name_color(np.array([35.3, 49.2, -82.8]))[:2] == ("blue", "royal blue")


def test_a_very_dark_navy_is_blue_and_a_tinted_black_stays_black() -> None:
    """Magento's navy T-shirt (CIELAB (15.5, 5.8, -10.6)) was named black; a black garment with
    a slight cool or warm cast, and a very dark plum, stay black."""
    assert name_color(np.array([15.5, 5.8, -10.6]))[:2] == ("blue", "navy")
    assert name_color(np.array([12.1, 2.6, -2.9]))[0] == "black"
    assert name_color(np.array([10.9, 5.5, -1.4]))[0] == "black"
    assert name_color(np.array([12.0, 9.0, -6.0]))[0] == "black"


def test_a_sky_blue_is_blue_and_turquoise_stays() -> None:
    """Magento's sky-blue sports bra (CIELAB (70.7, -24.2, -31.3)) was named turquoise; a sky blue
    (Material light blue 400) takes it, while the turquoise tops (68.6, -29.7, -8.8) stay."""
    assert name_color(np.array([70.7, -24.2, -31.3]))[:2] == ("blue", "sky blue")
    assert name_color(np.array([68.6, -29.7, -8.8]))[0] == "turquoise"
    assert name_color(np.array([62.3, -29.7, -14.8]))[0] == "turquoise"


def test_sea_green_and_mint_are_green_teal_and_turquoise_stay() -> None:
    """Garments sold as green are often a blue-ish sea green or a pale mint (Magento's green
    jacket and top: CIELAB (47, -32, 12), (83, -34, 10)), which the palette once called teal or
    turquoise; the teal and turquoise prototypes themselves keep their names."""
    assert name_color(np.array([47.0, -32.0, 12.0]))[:2] == ("green", "sea green")
    assert name_color(np.array([83.0, -34.0, 10.0]))[:2] == ("green", "mint")
    assert name_color(np.array([51.0, -38.0, -3.0]))[0] == "teal"
    assert name_color(np.array([73.0, -31.0, -15.0]))[0] == "turquoise"


@pytest.mark.parametrize(
    ("name", "colour"),
    [
        ("wt08-black_main.jpg", "black"),
        ("wb05-black_main.jpg", "black"),
        ("wsh02-gray_main.jpg", "grey"),
    ],
)
def test_a_garment_on_a_model_gets_the_garment_colour_not_the_skin(name: str, colour: str) -> None:
    """A tank top, a sports bra and shorts worn by a model: her skin is as much of the object as
    the garment. Left out for apparel, the garment's colour is the answer; counted, as for any
    other category, it is beige."""
    data = (MODEL_PHOTOS / name).read_bytes()
    result = analyze(data)
    assert result.classification.category == "apparel"
    attribute = _attributes(result)["color"]
    assert attribute.value == colour
    assert attribute.method.endswith("-skin")
    prepared = prepare(data)
    counted = color_attributes(prepared.lab, prepared.foreground)
    assert counted[0].value == "beige"
    assert not counted[0].method.endswith("-skin")


def test_skin_colours_are_not_tan_beige_or_orange_cloth() -> None:
    """Light to dark skin tones are skin; tan, beige, orange and pale yellow cloth are not."""
    skin = ["#f1c9b0", "#d19d81", "#c68863", "#9e604b", "#6b4433"]
    cloth = ["#c8a97e", "#e6d5b8", "#f3ae66", "#e7e0aa", "#ffffff", "#2050c0"]
    rgb = np.array([[[int(code[i : i + 2], 16) for i in (1, 3, 5)] for code in skin + cloth]])
    found = skin_coloured(rgb_to_lab(rgb.astype(np.uint8))[0])
    assert found.tolist() == [True] * len(skin) + [False] * len(cloth)


def test_dominant_colours_report_shares() -> None:
    pixels = np.concatenate(
        [np.tile([45.0, 60.0, 45.0], (700, 1)), np.tile([95.0, 0.0, 0.0], (300, 1))]
    ).astype(np.float32)
    colours = dominant_colors(pixels)
    assert [colour.name for colour in colours] == ["red", "white"]
    assert colours[0].share == pytest.approx(0.7, abs=0.01)


@pytest.mark.parametrize(
    ("name", "gain", "label"),
    [
        ("grey_duffel_bag.jpg", 1.0, "well_exposed"),
        ("led_bulb.jpg", 1.0, "well_exposed"),  # a white product on white is not overexposed
        ("led_bulb_pack.jpg", 1.0, "well_exposed"),
        ("red_coffee_cup.jpg", 1.0, "well_exposed"),
        ("grey_duffel_bag.jpg", 0.15, "underexposed"),
        ("red_coffee_cup.jpg", 2.0, "overexposed"),
        ("led_bulb.jpg", 1.6, "overexposed"),
    ],
)
def test_exposure_judges_the_product_not_its_colour(name: str, gain: float, label: str) -> None:
    result = analyze(exposed(photo_bytes(name), gain))
    assert _attributes(result)["exposure"].value == label
    assert (label in result.quality.issues) == (label != "well_exposed")
