"""The public entry points: prepare once, then classify / attributes / defects / analyze."""

from __future__ import annotations

import json
import os
import select
import signal
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
import pytest

from backend.ml.config import get_ml_config, set_ml_config
from backend.ml.errors import ImageDecodeError
from backend.ml.inference import (
    AnalysisResult,
    AnalyzeOptions,
    analyze,
    analyze_many,
    classify,
    detect_defects,
    extract_features,
    prepare,
)
from backend.ml.model_registry import get_registry, preload_if_configured, reset_registry
from tests.ml.conftest import PHOTOS, photo_bytes


def test_one_prepare_feeds_every_step() -> None:
    prepared = prepare(photo_bytes("red_coffee_cup.jpg"))
    assert prepared.outputs.logits.shape == (1000,)
    assert prepared.outputs.embedding.shape == (1280,)
    assert prepared.outputs.patch_features.shape == (152, 28, 28)
    classification = classify(prepared)
    attributes = extract_features(prepared, classification)
    report = detect_defects(prepared, classification)
    assert classification.label == "kitchen/mugs"
    assert {
        "color",
        "material",
        "sharpness",
        "exposure",
        "resolution",
        "background",
        "fill_ratio",
    } <= {a.name for a in attributes}
    assert report.condition.name == "condition"
    assert report.condition.value in ("new", "used", "damaged")


def test_analysis_result_is_json_safe(analysis: Callable[[str], AnalysisResult]) -> None:
    result = analysis("grey_duffel_bag_stain.jpg")
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["classification"]["label"] == "bags/messenger_bags"
    assert len(payload["embedding"]) == 1280
    assert payload["model_versions"]["backbone"] == "1.0.0-fp32"
    assert payload["condition"]["name"] == "condition"
    timings = payload["timings_ms"]
    assert set(timings) >= {
        "decode",
        "preprocess",
        "forward",
        "defect_cues",
        "prepare",
        "classify",
        "attributes",
        "defects",
        "total",
    }
    steps = timings["prepare"] + timings["classify"] + timings["attributes"] + timings["defects"]
    assert timings["total"] == pytest.approx(steps, abs=0.05)
    for defect in payload["defects"]["defects"]:
        assert set(defect["box"]) == {"x", "y", "width", "height"}


def test_embedding_is_unit_length_and_similar_for_the_same_product(
    analysis: Callable[[str], AnalysisResult],
) -> None:
    bag = np.array(analysis("grey_duffel_bag.jpg").embedding, dtype=np.float32)
    side = np.array(analysis("grey_duffel_bag_side.jpg").embedding, dtype=np.float32)
    cat = np.array(analysis("cat_chelsea.png").embedding, dtype=np.float32)
    assert np.linalg.norm(bag) == pytest.approx(1.0, abs=1e-5)
    assert float(bag @ side) > float(bag @ cat) + 0.2


def test_analyze_many_keeps_order_and_reports_bad_files() -> None:
    results = analyze_many(
        [photo_bytes("red_coffee_cup.jpg"), b"not an image", photo_bytes("cat_chelsea.png")],
        AnalyzeOptions(include_heatmap=False),
    )
    assert isinstance(results[0], AnalysisResult)
    assert results[0].classification.label == "kitchen/mugs"
    assert isinstance(results[1], ImageDecodeError)
    assert isinstance(results[2], AnalysisResult)
    assert results[2].classification.is_unknown


@pytest.mark.parametrize("threads", [1, 3])
def test_analyze_many_gives_what_analyze_gives_one_by_one(threads: int) -> None:
    names = ["red_coffee_cup.jpg", "grey_duffel_bag_stain.jpg", "led_bulb_crack.jpg", "dog.jpg"]
    options = AnalyzeOptions(include_heatmap=False)
    base = get_ml_config()
    set_ml_config(replace(base, batch_threads=threads))
    try:
        together = analyze_many([photo_bytes(name) for name in names], options)
    finally:
        set_ml_config(base)
    for name, result in zip(names, together, strict=True):
        alone = analyze(photo_bytes(name), options)
        assert isinstance(result, AnalysisResult)
        assert result.classification.label == alone.classification.label
        assert [d.box for d in result.defects.defects] == [d.box for d in alone.defects.defects]
        assert result.embedding == alone.embedding


def test_heic_and_exif_rotated_uploads_are_analysed() -> None:
    validation = PHOTOS.parent / "validation"
    heic = analyze((validation / "chelsea.heic").read_bytes())
    assert heic.image["format"] == "HEIF"
    assert heic.classification.is_unknown  # a cat
    rotated = analyze((validation / "coffee_exif_orientation_6.jpg").read_bytes())
    assert rotated.image["exif_orientation"] == 6
    assert rotated.classification.label == "kitchen/mugs"
    assert next(a for a in rotated.attributes if a.name == "color").value == "red"


def test_preload_follows_the_setting() -> None:
    base = get_ml_config()
    try:
        set_ml_config(replace(base, preload=False))
        reset_registry()
        assert preload_if_configured() is False
        set_ml_config(replace(base, preload=True))
        reset_registry()
        assert preload_if_configured() is True
        assert get_registry().loaded_versions() == ["1.0.0-fp32"]
    finally:
        set_ml_config(base)
        reset_registry()


def test_analyze_raises_a_permanent_error_for_garbage() -> None:
    with pytest.raises(ImageDecodeError) as caught:
        analyze(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    assert caught.value.permanent


def test_concurrent_analyses_agree_with_sequential_ones() -> None:
    names = [
        "red_coffee_cup.jpg",
        "grey_duffel_bag.jpg",
        "vitamin_bottle.jpg",
        "led_bulb_crack.jpg",
    ]
    sequential = [analyze(photo_bytes(name)).classification.label for name in names]
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(
            pool.map(lambda n: analyze(photo_bytes(n)).classification.label, names * 2)
        )
    assert concurrent == sequential * 2


def test_ab_experiment_routes_by_image_id_and_records_it() -> None:
    base = get_ml_config()
    set_ml_config(
        replace(
            base,
            ab_experiment="int8-trial",
            ab_candidate_version="1.0.0-int8",
            ab_candidate_share=0.5,
        )
    )
    reset_registry()
    try:
        versions = {}
        for image_id in ("a", "b", "c", "d", "e", "f", "g", "h"):
            result = analyze(photo_bytes("red_coffee_cup.jpg"), AnalyzeOptions(image_id=image_id))
            versions[image_id] = result.model_versions["backbone"]
            assert result.routing["experiment"] == "int8-trial"
            assert result.classification.model_version == versions[image_id]
            assert result.classification.label == "kitchen/mugs"
        assert set(versions.values()) == {"1.0.0-fp32", "1.0.0-int8"}
        again = analyze(photo_bytes("red_coffee_cup.jpg"), AnalyzeOptions(image_id="c"))
        assert again.model_versions["backbone"] == versions["c"]
    finally:
        set_ml_config(base)
        reset_registry()


def test_a_forked_child_prepares_images_with_a_pool_of_its_own() -> None:
    analyze(photo_bytes("red_coffee_cup.jpg"))  # the parent's pool has its threads now
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        try:
            label = prepare(photo_bytes("red_coffee_cup.jpg")).outputs.logits.shape[0]
            os.write(writer, str(label).encode())
        finally:
            os._exit(0)
    os.close(writer)
    ready, _, _ = select.select([reader], [], [], 60)
    answer = os.read(reader, 16) if ready else b""
    if not answer:
        os.kill(child, signal.SIGKILL)  # stuck waiting for the parent's threads
    os.waitpid(child, 0)
    assert answer == b"1000"
