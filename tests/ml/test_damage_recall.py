"""Recall on random damage drawn onto the held-out clean photos."""

from __future__ import annotations

from pathlib import Path

from backend.ml.damage_recall import format_damage_recall, measure_damage_recall
from backend.ml.evaluation import read_dataset
from tests.ml.conftest import MORE_PHOTOS, PHOTOS


def test_damage_is_drawn_onto_held_out_clean_products_only() -> None:
    result = measure_damage_recall([PHOTOS, MORE_PHOTOS], 2)
    labelled = {
        item.filename: item for folder in (PHOTOS, MORE_PHOTOS) for item in read_dataset(folder)
    }
    assert result.photos
    for name in result.photos:
        item = labelled[name]
        assert (item.split, item.defective) == ("holdout", False)
        assert item.category != "unknown"
    assert set(result.drawn_on) <= set(result.photos)
    assert "grocery_apple_juice.jpg" in result.drawn_on  # a carton filling much of the frame


def test_counts_add_up_and_recall_falls_as_the_threshold_rises() -> None:
    result = measure_damage_recall([MORE_PHOTOS], 3)
    report_above = result.thresholds[-1]
    assert 0 < result.draws <= 3 * len(result.drawn_on)
    assert sum(kind.draws for kind in result.by_kind.values()) == result.draws
    assert sum(kind.found for kind in result.by_kind.values()) == result.found
    assert result.recalled[report_above] == sum(k.recalled for k in result.by_kind.values())
    counts = [result.recalled.get(threshold, 0) for threshold in result.thresholds]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] <= result.found <= result.draws
    # Regression floor: most drawn damage gets a candidate box; some is reported.
    assert result.found >= result.draws / 2
    assert result.recalled[report_above] >= 1
    text = format_damage_recall(result)
    assert f"visible draws: {result.draws}" in text
    assert "false defects per clean photo" in text


def test_the_draws_are_seeded() -> None:
    first = measure_damage_recall([MORE_PHOTOS], 1, seed=5).to_dict()
    assert measure_damage_recall([MORE_PHOTOS], 1, seed=5).to_dict() == first


def test_photos_that_do_not_decode_are_left_out(tmp_path: Path) -> None:
    (tmp_path / "hats.jpg").write_bytes((MORE_PHOTOS / "hats.jpg").read_bytes())
    (tmp_path / "broken.jpg").write_bytes((MORE_PHOTOS / "hats.jpg").read_bytes()[:500])
    (tmp_path / "labels.csv").write_text(
        "filename,category,colour,defective,split\n"
        "broken.jpg,accessories,,0,holdout\n"
        "missing.jpg,accessories,,0,holdout\n"
        "hats.jpg,accessories,,0,holdout\n"
    )
    result = measure_damage_recall([tmp_path], 2)
    assert result.photos == ["hats.jpg"]
    assert result.draws > 0


def test_marks_are_drawn_instead_of_worn_damage_when_asked() -> None:
    result = measure_damage_recall([MORE_PHOTOS], 2, marks=True)
    assert result.draws > 0
    assert set(result.by_kind) <= {"scratch", "stain"}
    assert result.to_dict()["damage"] == "paint and ink marks"
    assert format_damage_recall(result).startswith("\npaint and ink marks drawn onto")
    assert measure_damage_recall([MORE_PHOTOS], 2).to_dict()["damage"] == (
        "scratches, cracks and stains"
    )
