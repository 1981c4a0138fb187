"""Fixtures for the ML tests: the labelled real photos and cached analyses of them."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from backend.ml.inference import AnalysisResult, AnalyzeOptions, analyze

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
MORE_PHOTOS = PHOTOS.parent / "more_photos"
CATALOG_PHOTOS = PHOTOS.parent / "catalog_photos"
MODEL_PHOTOS = PHOTOS.parent / "model_photos"


@cache
def photo_bytes(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


@cache
def analysed(name: str) -> AnalysisResult:
    return analyze(photo_bytes(name), AnalyzeOptions())


@pytest.fixture
def photo() -> Callable[[str], bytes]:
    return photo_bytes


@pytest.fixture
def analysis() -> Callable[[str], AnalysisResult]:
    return analysed
