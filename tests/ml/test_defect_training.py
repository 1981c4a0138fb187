"""``python -m backend.ml.defect_training`` on datasets it cannot use."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.ml import defect_training
from tests.ml.conftest import PHOTOS


@pytest.fixture
def scorer_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "scorer.json"
    monkeypatch.setattr(defect_training, "SCORER_PATH", path)
    return path


def _refusal(folder: Path, scorer_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """What training on ``folder`` printed, after checking it exited 2 and saved nothing."""
    assert defect_training.main([str(folder)]) == 2
    assert not scorer_path.exists()
    return capsys.readouterr().err


def test_a_malformed_labels_file_is_refused_with_its_line(
    tmp_path: Path, scorer_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "labels.csv").write_text("filename,category,defective\ncup.jpg,kitchen,maybe\n")
    assert "labels.csv line 2" in _refusal(tmp_path, scorer_path, capsys)


def test_a_folder_without_labels_is_refused(
    tmp_path: Path, scorer_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "labels.csv not found" in _refusal(tmp_path, scorer_path, capsys)


def test_a_dataset_without_clean_tuning_photos_is_refused(
    tmp_path: Path, scorer_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "cup.jpg").write_bytes((PHOTOS / "red_coffee_cup.jpg").read_bytes())
    (tmp_path / "labels.csv").write_text(
        "filename,category,defective,split\ncup.jpg,kitchen,0,holdout\n"
    )
    assert "no clean tuning photos" in _refusal(tmp_path, scorer_path, capsys)
