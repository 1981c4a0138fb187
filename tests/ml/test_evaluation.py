"""The eval metrics, and the figures on the shipped labelled photos (regression floor)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.ml.evaluation import (
    DatasetError,
    DefectFigures,
    ReliabilityBin,
    auroc,
    evaluate,
    format_report,
    read_dataset,
)
from backend.ml.taxonomy import load_taxonomy
from tests.ml.conftest import CATALOG_PHOTOS, MORE_PHOTOS, PHOTOS


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


def test_the_catalog_photos_are_clean_labelled_and_sourced() -> None:
    """Every catalog photo is listed, defect-free, labelled with a taxonomy category and named
    with its source file in LICENSES.md; both splits are present."""
    items = read_dataset(CATALOG_PHOTOS)
    assert {item.filename for item in items} == {p.name for p in CATALOG_PHOTOS.glob("*.jpg")}
    assert all(item.defective is False for item in items)
    assert {item.split for item in items} == {"tune", "holdout"}
    categories = {category.id for category in load_taxonomy().categories}
    assert {item.category for item in items} <= categories
    sources = (CATALOG_PHOTOS / "LICENSES.md").read_text()
    assert all(f"`{item.filename}`" in sources for item in items)


@pytest.mark.parametrize(
    ("labels", "boxes", "message"),
    [
        (b"name,cat\nx.jpg,bags\n", None, "needs the columns filename, category"),
        (b"\xff\xfe\x00garbage", None, "is not UTF-8 text"),
        (
            b"filename,category,defective\nx.jpg,bags,maybe\n",
            None,
            "labels.csv line 2: defective must be 0 or 1, not 'maybe'",
        ),
        (b"filename,category\nx.jpg,\n", None, "line 2: filename and category must not be"),
        (
            b"filename,category\nx.jpg,bags\n",
            b"filename,x,y,width,height\nx.jpg,1,2,wide,4\n",
            "defect_boxes.csv line 2",
        ),
        (b"filename,category\nx.jpg,bags\n", b"filename,x,y\nx.jpg,1,2\n", "missing width"),
    ],
)
def test_malformed_dataset_files_name_the_file_and_line(
    tmp_path: Path, labels: bytes, boxes: bytes | None, message: str
) -> None:
    (tmp_path / "labels.csv").write_bytes(labels)
    if boxes is not None:
        (tmp_path / "defect_boxes.csv").write_bytes(boxes)
    with pytest.raises(DatasetError, match=message):
        read_dataset(tmp_path)


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
