"""The eval metrics, and the figures on the shipped labelled photos (regression floor)."""

from __future__ import annotations

import pytest

from backend.ml.evaluation import (
    DefectFigures,
    ReliabilityBin,
    auroc,
    evaluate,
    format_report,
    read_dataset,
)
from tests.ml.conftest import MORE_PHOTOS, PHOTOS


def test_auroc_counts_ties_as_half() -> None:
    assert auroc([0.9, 0.8, 0.1], [True, True, False]) == 1.0
    assert auroc([0.1, 0.9], [True, False]) == 0.0
    assert auroc([0.5, 0.5], [True, False]) == 0.5
    assert auroc([0.5], [True]) is None


def test_expected_calibration_error_weights_bins_by_size() -> None:
    figures = DefectFigures(
        reliability=[
            ReliabilityBin(0.1, 0.5, count=10, right=2, confidence_sum=3.0),
            ReliabilityBin(0.5, 1.0, count=30, right=24, confidence_sum=24.0),
        ]
    )
    assert figures.expected_calibration_error == pytest.approx(10 / 40 * 0.1)
    assert figures.reliability[0].mean_confidence == pytest.approx(0.3)


def test_dataset_labels_splits_and_boxes_are_read() -> None:
    items = {item.filename: item for item in read_dataset(PHOTOS)}
    assert items["red_coffee_cup.jpg"].colour == "red"
    assert items["led_bulb_crack.jpg"].defective is True
    assert len(items["led_bulb_crack.jpg"].boxes) == 1
    assert items["robin.jpg"].defective is False
    assert items["led_bulb.jpg"].split == "holdout"
    assert items["red_coffee_cup.jpg"].path == PHOTOS / "red_coffee_cup.jpg"
    more = read_dataset(MORE_PHOTOS)
    assert {item.split for item in more} == {"tune", "holdout"}
    # A photo and its damaged copies are always in the same split.
    splits = {item.filename: item.split for item in read_dataset(PHOTOS) + more}
    for name, split in splits.items():
        for suffix in ("_scratch", "_stain", "_crack", "_cap_scratch"):
            if name.replace(".jpg", "").endswith(suffix):
                source = name.replace(suffix, "").replace(".jpg", "")
                assert splits.get(f"{source}.jpg", split) == split, name


def test_figures_on_the_shipped_photos() -> None:
    report = evaluate(PHOTOS, MORE_PHOTOS)
    assert report.images == 61
    assert not report.failed
    assert report.per_category["kitchen"]["top1"] == 3
    assert report.per_category["unknown"]["top1"] == 6
    # Uncertain photos say "unknown" instead of something absurd.
    assert report.outcomes["all"]["wrong"] <= 3
    assert report.colour_agreement is not None
    assert report.colour_agreement >= 0.7
    holdout = report.defects["holdout"]
    assert (holdout.clean, holdout.damaged) == (16, 10)
    assert (report.defects["tune"].clean, report.defects["tune"].damaged) == (27, 8)
    # Precision first: a clean photo rarely gets a defect, and "damaged" needs strong evidence.
    assert holdout.false_defects_per_clean_image is not None
    assert holdout.false_defects_per_clean_image <= 0.2
    assert report.defects["tune"].false_defects_per_clean_image == 0.0
    assert report.defects["all"].conditions["clean"].get("damaged", 0) <= 1
    assert holdout.auroc is not None
    assert holdout.auroc >= 0.6
    assert holdout.box_hits >= 2
    assert sum(b.count for b in holdout.reliability) > 0
    text = format_report(report)
    for heading in ("defect AUROC", "false defects per clean photo", "reliability (holdout)"):
        assert heading in text
    assert report.to_dict()["defects"]["holdout"]["clean"] == 16
