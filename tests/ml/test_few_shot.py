"""The few-shot head on real photos, its gates, its storage and its version strings."""

from __future__ import annotations

import csv
from functools import cache

import numpy as np
import pytest

from backend.ml import few_shot
from backend.ml.inference import PreparedImage, classify, prepare_many
from backend.ml.results import ClassificationResult
from backend.shared.config import get_settings
from tests.ml.conftest import PHOTOS


def _train(
    examples: list[few_shot.Example],
) -> tuple[few_shot.FewShotHead, few_shot.TrainingReport]:
    return few_shot.train(
        examples,
        embedding_space="efficientnet",
        min_examples_per_label=3,
        gate_slack=0.9,
        min_gate=0.2,
    )


@cache
def _dataset() -> tuple[list[dict[str, str]], dict[str, PreparedImage]]:
    with (PHOTOS / "custom_categories.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = [row["filename"] for row in rows] + ["red_coffee_cup.jpg", "vitamin_bottle.jpg"]
    prepared = prepare_many([(PHOTOS / name).read_bytes() for name in names])
    return rows, {
        name: item
        for name, item in zip(names, prepared, strict=True)
        if isinstance(item, PreparedImage)
    }


def _trained() -> few_shot.FewShotHead:
    rows, prepared = _dataset()
    examples = [
        few_shot.Example(row["label"], prepared[row["filename"]].outputs.embedding)
        for row in rows
        if row["split"] == "train"
    ]
    assert len(examples) == 20  # five per custom category
    head, report = _train(examples)
    assert report.examples_per_label == {
        "abstract art": 5,
        "architecture": 5,
        "fruit": 5,
        "wildlife": 5,
    }
    assert report.leave_one_out_accuracy is not None
    assert report.leave_one_out_accuracy >= 0.9
    return head


def _decide(head: few_shot.FewShotHead, prepared: PreparedImage) -> few_shot.HeadDecision:
    settings = get_settings()
    return few_shot.decide(
        head,
        prepared.outputs.embedding,
        classify(prepared),
        head_version="custom-test",
        min_probability=settings.custom_min_probability,
        base_confident_above=settings.custom_base_confident_above,
        base_margin=settings.custom_base_margin,
    )


def test_five_examples_per_category_classify_held_out_real_photos() -> None:
    head = _trained()
    rows, prepared = _dataset()
    held_out = [row for row in rows if row["split"] == "test"]
    decisions = [(row["label"], _decide(head, prepared[row["filename"]])) for row in held_out]
    assert all(decision.answered_by_custom for _, decision in decisions)
    correct = sum(decision.result.label == label for label, decision in decisions)
    assert correct / len(held_out) >= 0.75
    for label, decision in decisions:
        assert decision.result.model_version.endswith("+custom-test")
        assert 0 <= decision.result.confidence <= 1
        if decision.result.label == label:
            assert decision.result.category == label
            assert decision.result.subcategory is None


def test_products_of_the_base_taxonomy_fall_back_to_it() -> None:
    head = _trained()
    _, prepared = _dataset()
    for name, expected in [
        ("red_coffee_cup.jpg", "kitchen/mugs"),
        ("vitamin_bottle.jpg", "health/supplements_medicine"),
    ]:
        decision = _decide(head, prepared[name])
        assert not decision.answered_by_custom, decision.reason
        assert decision.result.label == expected
        assert decision.result.model_version.endswith("+custom-test:fallback")
        assert decision.to_dict()["head"] == "base"


def test_head_round_trips_through_bytes_and_its_version_follows_its_content() -> None:
    head = _trained()
    restored = few_shot.FewShotHead.from_bytes(head.to_bytes())
    assert restored.labels == head.labels
    assert restored.embedding_space == "efficientnet"
    _, prepared = _dataset()
    probe = prepared["custom/fruit_citrus_board.jpg"].outputs.embedding
    assert restored.predict(probe) == head.predict(probe)
    assert few_shot.head_version(restored) == few_shot.head_version(head)
    assert few_shot.head_version(head).startswith("custom-")
    other = few_shot.FewShotHead(
        labels=head.labels,
        prototypes=head.prototypes,
        gates=head.gates + 0.01,
        scale=head.scale,
        embedding_space=head.embedding_space,
    )
    assert few_shot.head_version(other) != few_shot.head_version(head)


def _unit(*values: float) -> np.ndarray:
    vector = np.zeros(8, np.float32)
    vector[: len(values)] = values
    return vector / np.linalg.norm(vector)


def test_labels_below_the_minimum_are_left_out() -> None:
    examples = [few_shot.Example("mugs", _unit(1, 0.1 * i)) for i in range(3)]
    examples.append(few_shot.Example("rare", _unit(0, 1)))
    head, report = _train(examples)
    assert head.labels == ("mugs",)
    assert report.skipped_labels == {"rare": 1}
    with pytest.raises(few_shot.NotEnoughExamplesError, match="no label has 3 examples"):
        _train(examples[2:])


def _base(label: str, confidence: float) -> ClassificationResult:
    category, _, subcategory = label.partition("/")
    return ClassificationResult(
        label=label,
        category=category or None,
        subcategory=subcategory or None,
        confidence=confidence,
        category_confidence=confidence,
        top_k=[(label, confidence)],
        model_version="1.0.0-fp32",
    )


def test_a_confident_base_label_raises_the_gate() -> None:
    examples = [few_shot.Example("vases", _unit(1, 0.2 * i, 0.1)) for i in range(4)]
    head, _ = _train(examples)
    gate = float(head.gates[0])
    # A probe exactly halfway between the plain gate and the gate raised by the margin.
    prototype = head.prototypes[0]
    orthogonal = _unit(0, 0, 0, 1)
    target = gate + 0.05
    probe = target * prototype + np.sqrt(1 - target**2) * orthogonal
    assert float(prototype @ probe) == pytest.approx(target, abs=1e-5)

    def decide(base: ClassificationResult) -> few_shot.HeadDecision:
        return few_shot.decide(
            head,
            probe,
            base,
            head_version="custom-1",
            min_probability=0.5,
            base_confident_above=0.5,
            base_margin=0.1,
        )

    unsure = decide(_base("unknown", 0.9))
    assert unsure.answered_by_custom
    assert unsure.result.label == "vases"
    assert unsure.result.model_version == "1.0.0-fp32+custom-1"
    confident = decide(_base("home_decor/vases", 0.8))
    assert not confident.answered_by_custom
    assert confident.result.label == "home_decor/vases"
    assert "similarity" in confident.reason


def test_label_rules() -> None:
    assert few_shot.normalize_label("  Vintage   Cameras ") == "vintage cameras"
    assert few_shot.normalize_label("kitchen/mugs", taxonomy_labels=["kitchen/mugs"]) == (
        "kitchen/mugs"
    )
    for bad in ["", "unknown", "../../etc/passwd", "kitchen/other", ".hidden", "x" * 101, "a\x00b"]:
        with pytest.raises(few_shot.InvalidLabelError):
            few_shot.normalize_label(bad, taxonomy_labels=["kitchen/mugs"])


def test_model_versions_say_which_head_answered() -> None:
    compose, parse = few_shot.compose_model_version, few_shot.parse_model_version
    assert compose("1.0.0-fp32", None, answered=False) == "1.0.0-fp32"
    assert compose("1.0.0-fp32", "custom-ab12", answered=True) == "1.0.0-fp32+custom-ab12"
    fallback = compose("1.0.0-int8", "custom-ab12", answered=False)
    assert fallback == "1.0.0-int8+custom-ab12:fallback"
    assert parse(fallback) == ("1.0.0-int8", "custom-ab12")
    assert parse("1.0.0-fp32+custom-ab12") == ("1.0.0-fp32", "custom-ab12")
    assert parse("1.0.0-fp32") == ("1.0.0-fp32", None)
