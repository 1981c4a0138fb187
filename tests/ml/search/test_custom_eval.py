"""``imagineai eval`` on the shipped photos prints the custom head's accuracy (regression floor)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from backend.cli import app
from backend.ml.search.custom_eval import evaluate_custom, format_custom_report
from backend.shared.config import get_settings
from tests.ml.conftest import PHOTOS


def test_custom_head_figures_on_the_print_shop_photos() -> None:
    report = evaluate_custom(PHOTOS, get_settings())
    assert report.labels == ["abstract art", "architecture", "fruit", "wildlife"]
    assert report.train_examples == 20
    assert report.test_images == 8
    assert report.answered_by_custom >= 7
    assert report.accuracy is not None
    assert report.accuracy >= 0.75
    assert report.other_images == 21
    assert report.others_fallback_rate is not None
    assert report.others_fallback_rate >= 0.7
    text = format_custom_report(report)
    assert "custom-head accuracy on held-out images: " in text


def test_eval_command_prints_the_custom_head_accuracy() -> None:
    result = CliRunner().invoke(app, ["eval", "--json", str(PHOTOS)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["images"] == 30
    assert payload["custom_head"]["accuracy"] >= 0.75
    assert payload["custom_head"]["test_images"] == 8
