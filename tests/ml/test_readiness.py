"""Listing readiness on real photos: studio shots on white against cluttered scenes."""

from __future__ import annotations

import io
from functools import cache

import cv2
import numpy as np
import pytest
from PIL import Image, ImageFilter

from backend.ml import inference
from backend.ml.readiness import (
    PhotoMetrics,
    ReadinessReport,
    RuleStatus,
    UnknownPresetError,
    evaluate,
    get_preset,
    load_presets,
    measure_photo,
)
from tests.ml.conftest import PHOTOS, photo_bytes
from tests.support.photo_variants import exposed

STUDIO = ("vitamin_bottle.jpg", "grey_duffel_bag.jpg", "grey_duffel_bag_side.jpg", "led_bulb.jpg")
CLUTTERED = ("red_coffee_cup.jpg", "paint_brushes.jpg", "tealight_candles.jpg", "oranges.jpg")


@cache
def metrics_of(data: bytes) -> PhotoMetrics:
    prepared = inference.prepare(data)
    return measure_photo(prepared.gray, prepared.lab, prepared.foreground, prepared.quality)


def metrics(name: str) -> PhotoMetrics:
    return metrics_of(photo_bytes(name))


def rule(report: ReadinessReport, name: str) -> tuple[RuleStatus, float | None, str | None]:
    found = next(r for r in report.rules if r.rule == name)
    return found.status, found.measured, found.fix


def photo_bgr(name: str) -> np.ndarray:
    image = cv2.imread(str(PHOTOS / name))
    assert image is not None
    return image


def jpeg(array_bgr: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".jpg", array_bgr, [cv2.IMWRITE_JPEG_QUALITY, 90])
    assert ok
    return encoded.tobytes()


@pytest.mark.parametrize("name", STUDIO)
def test_studio_shots_on_white_pass_the_background_and_framing_rules(name: str) -> None:
    measured = metrics(name)
    report = evaluate(measured, get_preset("amazon"))
    assert rule(report, "pure_white_background")[:2] == (RuleStatus.PASS, 1.0)
    status, extent, _ = rule(report, "fill")
    assert status == RuleStatus.PASS
    assert extent is not None
    assert extent >= 0.85
    assert rule(report, "centring")[0] == RuleStatus.PASS
    assert rule(report, "overlay")[:2] == (RuleStatus.PASS, 0.0)
    assert rule(report, "multiple_objects")[:2] == (RuleStatus.PASS, 1.0)
    assert measured.background_plain


@pytest.mark.parametrize("name", CLUTTERED)
def test_cluttered_scenes_fail_the_background_rule_with_the_measured_share(name: str) -> None:
    report = evaluate(metrics(name), get_preset("generic"))
    status, white_share, fix = rule(report, "background")
    assert status == RuleStatus.FAIL
    assert white_share is not None
    assert white_share < 0.2
    assert fix is not None
    assert fix.startswith("Shoot on white or cut the product out:")
    assert f"{white_share * 100:.0f}% of the border is white" in fix
    assert report.status == RuleStatus.FAIL
    # Overlays and separate objects cannot be told from clutter: said, not guessed.
    assert rule(report, "overlay")[1] is None
    assert rule(report, "multiple_objects")[1] is None


def test_the_rules_tell_studio_and_cluttered_apart_on_every_photo() -> None:
    studio = [metrics(name).background_whiteness for name in STUDIO]
    cluttered = [metrics(name).background_whiteness for name in CLUTTERED]
    assert min(studio) > 0.95
    assert max(cluttered) < 0.2


def test_resolution_is_the_longest_side_against_1000_px() -> None:
    report = evaluate(metrics("vitamin_bottle.jpg"), get_preset("generic"))
    status, longest, fix = rule(report, "resolution")
    assert (status, longest) == (RuleStatus.WARN, 900.0)
    assert fix == "Use a larger photo: the longest side is 900 px, aim for ≥ 1000 px."
    small = evaluate(metrics("clock_motion_blur.png"), get_preset("generic"))
    assert rule(small, "resolution")[:2] == (RuleStatus.FAIL, 400.0)


def test_a_small_product_in_a_big_frame_is_told_to_crop_closer() -> None:
    bottle = photo_bgr("vitamin_bottle.jpg")
    canvas = np.full((1800, 1800, 3), 255, np.uint8)
    canvas[450:1350, 450:1350] = bottle
    report = evaluate(metrics_of(jpeg(canvas)), get_preset("amazon"))
    status, extent, fix = rule(report, "fill")
    assert status == RuleStatus.FAIL
    assert extent is not None
    assert 0.4 < extent < 0.5
    assert fix == f"Crop closer: the product spans {extent * 100:.0f}% of the frame, aim for ≥ 85%."
    assert rule(report, "resolution")[0] == RuleStatus.PASS


def test_an_off_centre_product_is_told_to_centre() -> None:
    bottle = photo_bgr("vitamin_bottle.jpg")
    canvas = np.full((1400, 1400, 3), 255, np.uint8)
    canvas[500:1400, 500:1400] = bottle
    report = evaluate(metrics_of(jpeg(canvas)), get_preset("generic"))
    status, offset, fix = rule(report, "centring")
    assert status == RuleStatus.WARN
    assert offset is not None
    assert offset > 0.25
    assert fix is not None
    assert fix.startswith("Centre the product: it sits")


def test_text_added_onto_the_backdrop_is_an_overlay_but_print_on_the_product_is_not() -> None:
    bottle = photo_bgr("vitamin_bottle.jpg")
    with_text = bottle.copy()
    cv2.putText(with_text, "SALE -50%", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (0, 0, 255), 5)
    cv2.putText(
        with_text, "www.shop.example", (430, 870), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (90, 90, 90), 3
    )
    watermark = bottle.copy()
    cv2.putText(
        watermark, "(c) myshop", (560, 880), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (170, 170, 170), 2
    )
    for edited in (with_text, watermark):
        report = evaluate(metrics_of(jpeg(edited)), get_preset("ebay"))
        status, share, fix = rule(report, "overlay")
        assert status == RuleStatus.FAIL
        assert share is not None
        assert share > 0.005
        assert fix is not None
        assert "text-like mark" in fix
        # The marks are not the product: framing is judged on the bottle alone.
        assert rule(report, "centring")[0] == RuleStatus.PASS
    # The bottle's own label text stays the product's, on every studio photo.
    for name in STUDIO:
        assert metrics(name).overlay_share == 0.0


def test_two_products_side_by_side_are_counted() -> None:
    bottle = cv2.resize(photo_bgr("vitamin_bottle.jpg"), (600, 600))
    bulb = cv2.resize(photo_bgr("led_bulb.jpg"), (527, 600))
    canvas = np.full((900, 1400, 3), 255, np.uint8)
    canvas[150:750, 60:660] = bottle
    canvas[150:750, 800:1327] = bulb
    report = evaluate(metrics_of(jpeg(canvas)), get_preset("amazon"))
    status, count, fix = rule(report, "multiple_objects")
    assert (status, count) == (RuleStatus.WARN, 2.0)
    assert fix is not None
    assert fix.startswith("Show the product alone: 2 separate objects")


def _edited(name: str, edit: str) -> bytes:
    image = Image.open(PHOTOS / name).convert("RGB")
    if edit == "blur":
        image = image.filter(ImageFilter.GaussianBlur(3))
    elif edit == "dark":
        image = image.point(lambda value: int(value * 0.15))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_blur_and_underexposure_are_caught_on_a_real_photo() -> None:
    preset = get_preset("generic")
    sharp = evaluate(metrics("vitamin_bottle.jpg"), preset)
    blurred = evaluate(metrics_of(_edited("vitamin_bottle.jpg", "blur")), preset)
    assert rule(sharp, "sharpness")[0] == RuleStatus.PASS
    status, score, fix = rule(blurred, "sharpness")
    assert status == RuleStatus.FAIL
    assert score is not None
    assert score < 0.4
    assert fix is not None
    assert fix.startswith("Retake it in focus")
    assert rule(sharp, "exposure")[0] == RuleStatus.PASS
    dark = evaluate(metrics_of(_edited("vitamin_bottle.jpg", "dark")), preset)
    status, _, fix = rule(dark, "exposure")
    assert status == RuleStatus.FAIL
    assert fix is not None
    assert fix.startswith("Add light or brighten")


def test_a_washed_out_photo_fails_the_exposure_rule() -> None:
    washed_out = exposed(photo_bytes("red_coffee_cup.jpg"), 2.0)
    report = evaluate(metrics_of(washed_out), get_preset("generic"))
    status, _, fix = rule(report, "exposure")
    assert status == RuleStatus.FAIL
    assert fix is not None
    assert fix.startswith("Reduce light or exposure")


def test_white_products_on_white_are_not_called_overexposed() -> None:
    for name in ("led_bulb.jpg", "led_bulb_pack.jpg"):
        report = evaluate(metrics(name), get_preset("generic"))
        assert rule(report, "exposure")[0] == RuleStatus.PASS, name


def test_presets_differ_where_the_marketplaces_do() -> None:
    bag = metrics("grey_duffel_bag.jpg")
    assert rule(evaluate(bag, get_preset("ebay")), "resolution")[0] == RuleStatus.WARN
    cup = metrics("red_coffee_cup.jpg")
    # eBay only advises a white backdrop; Amazon's main image must be pure white.
    assert rule(evaluate(cup, get_preset("ebay")), "background")[0] == RuleStatus.WARN
    assert rule(evaluate(cup, get_preset("amazon")), "pure_white_background")[0] == (
        RuleStatus.FAIL
    )
    secondary = evaluate(cup, get_preset("amazon"), main_image=False)
    assert "pure_white_background" not in {r.rule for r in secondary.rules}


def test_metrics_survive_storage_and_unknown_presets_are_refused() -> None:
    measured = metrics("grey_duffel_bag.jpg")
    restored = PhotoMetrics.from_dict(measured.to_dict())
    assert restored is not None
    assert (
        evaluate(restored, get_preset(None)).to_dict()
        == evaluate(measured, get_preset("generic")).to_dict()
    )
    assert PhotoMetrics.from_dict({}) is None
    with pytest.raises(UnknownPresetError) as refused:
        get_preset("nope")
    assert refused.value.available == sorted(load_presets())
    assert {"generic", "amazon", "ebay"} <= set(load_presets())
