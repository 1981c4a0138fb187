"""The ML commands through typer's test runner (backend/cli.py registers the same functions)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from backend.ml.cli import register
from tests.ml.conftest import PHOTOS


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    return app


def test_analyze_json_lines_in_input_order(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes((PHOTOS / "red_coffee_cup.jpg").read_bytes()[:2000])
    paths = [PHOTOS / "red_coffee_cup.jpg", broken, PHOTOS / "cat_chelsea.png"]
    result = CliRunner().invoke(_app(), ["analyze", "--json", *map(str, paths)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == [str(p) for p in paths]
    assert lines[0]["classification"]["label"] == "kitchen/mugs"
    assert "embedding" not in lines[0]
    assert "corrupt or truncated" in lines[1]["error"]
    assert lines[2]["classification"]["label"] == "unknown"


def test_analyze_prints_a_readable_summary() -> None:
    result = CliRunner().invoke(_app(), ["analyze", str(PHOTOS / "led_bulb_crack.jpg")])
    assert result.exit_code == 0, result.output
    assert "colour:    white" in result.stdout
    assert "defect:    crack high" in result.stdout
    assert "condition: new" not in result.stdout
    assert "compared:" not in result.stdout  # no reference set ships for lighting


def test_analyze_names_the_reference_set_a_product_was_compared_with() -> None:
    result = CliRunner().invoke(_app(), ["analyze", str(PHOTOS / "oranges.jpg")])
    assert result.exit_code == 0, result.output
    assert "compared:  with 81 defect-free photos of food_beverages" in result.stdout


def test_analyze_with_embedding() -> None:
    result = CliRunner().invoke(
        _app(), ["analyze", "--json", "--embedding", str(PHOTOS / "grey_duffel_bag.jpg")]
    )
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["embedding"]) == 1280


def test_models_list_shows_versions_and_licence() -> None:
    result = CliRunner().invoke(_app(), ["models", "list"])
    assert result.exit_code == 0
    assert "* efficientnet-lite0-imagenet 1.0.0-fp32" in result.stdout
    assert "1.0.0-int8" in result.stdout
    assert "Apache-2.0" in result.stdout


def test_add_references_builds_a_bank(tmp_path: Path, monkeypatch: object) -> None:
    from dataclasses import replace

    from backend.ml.config import get_ml_config, set_ml_config

    base = get_ml_config()
    set_ml_config(replace(base, reference_dir=tmp_path))
    try:
        result = CliRunner().invoke(
            _app(),
            ["models", "add-references", "bags", str(PHOTOS / "grey_duffel_bag_side.jpg")],
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / "bags.npz").is_file()
        refused = CliRunner().invoke(_app(), ["models", "add-references", "nonsense", str(PHOTOS)])
        assert refused.exit_code == 2
    finally:
        set_ml_config(base)


def test_add_references_skips_broken_photos_and_never_replaces_a_bank_with_nothing(
    tmp_path: Path,
) -> None:
    from dataclasses import replace

    from backend.ml.config import get_ml_config, set_ml_config
    from backend.ml.patch_anomaly import MemoryBank

    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes((PHOTOS / "led_bulb.jpg").read_bytes()[:3000])
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    banks = tmp_path / "banks"
    base = get_ml_config()
    set_ml_config(replace(base, reference_dir=banks))
    try:
        built = CliRunner().invoke(
            _app(),
            ["models", "add-references", "lighting", str(truncated), str(PHOTOS / "led_bulb.jpg")],
        )
        assert built.exit_code == 0, built.output
        assert f"{truncated}: skipped: image data is corrupt or truncated" in built.stderr
        bank = MemoryBank.load(banks / "lighting.npz")
        assert bank.sources == (str(PHOTOS / "led_bulb.jpg"),)
        assert bank.features.shape[0] > 0

        unusable = CliRunner().invoke(
            _app(), ["models", "add-references", "lighting", str(truncated), str(text)]
        )
        assert unusable.exit_code == 2
        assert "none of the 2 photos could be decoded" in unusable.stderr
        assert MemoryBank.load(banks / "lighting.npz").sources == bank.sources

        missing = CliRunner().invoke(
            _app(), ["models", "add-references", "lighting", str(tmp_path / "gone.jpg")]
        )
        assert missing.exit_code == 2
        assert "cannot read" in missing.stderr
    finally:
        set_ml_config(base)


def test_eval_prints_the_figures() -> None:
    result = CliRunner().invoke(_app(), ["eval", str(PHOTOS)])
    assert result.exit_code == 0, result.output
    for heading in (
        "top-1 accuracy",
        "top-3 accuracy",
        "colour agreement",
        "defect AUROC",
        "box hit rate",
    ):
        assert heading in result.stdout
    missing = CliRunner().invoke(_app(), ["eval", "/nonexistent"])
    assert missing.exit_code == 2


def test_eval_refuses_a_malformed_labels_file_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_text("name,cat\nx.jpg,bags\n")
    result = CliRunner().invoke(_app(), ["eval", str(tmp_path)])
    assert result.exit_code == 2
    assert "needs the columns filename, category" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_eval_refuses_a_malformed_custom_categories_file(tmp_path: Path) -> None:
    (tmp_path / "cup.jpg").write_bytes((PHOTOS / "red_coffee_cup.jpg").read_bytes())
    (tmp_path / "labels.csv").write_text("filename,category\ncup.jpg,kitchen\n")
    (tmp_path / "custom_categories.csv").write_text("filename,label,split\ncup.jpg,mugs,maybe\n")
    result = CliRunner().invoke(_app(), ["eval", str(tmp_path)])
    assert result.exit_code == 2
    assert "custom_categories.csv line 2: needs a filename, a label and split" in result.stderr


def test_eval_draws_damage_onto_held_out_photos_when_asked() -> None:
    result = CliRunner().invoke(_app(), ["eval", str(PHOTOS), "--drawn-damage", "1"])
    assert result.exit_code == 0, result.output
    assert "random damage drawn onto held-out clean photos (1 draws per photo" in result.stdout
    as_json = CliRunner().invoke(_app(), ["eval", str(PHOTOS), "--drawn-damage", "1", "--json"])
    assert as_json.exit_code == 0, as_json.output
    figures = json.loads(as_json.stdout)["drawn_damage"]
    assert figures["draws_per_photo"] == 1
    assert "drawn_marks" not in json.loads(as_json.stdout)
    assert figures["photos"] == ["vitamin_bottle.jpg", "led_bulb.jpg", "led_bulb_pack.jpg"]
    negative = CliRunner().invoke(_app(), ["eval", str(PHOTOS), "--drawn-damage", "-1"])
    assert negative.exit_code == 2


def test_eval_draws_paint_and_ink_marks_when_asked() -> None:
    arguments = ["eval", str(PHOTOS), "--marks", "1", "--seed", "7", "--json"]
    result = CliRunner().invoke(_app(), arguments)
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)["drawn_marks"]
    assert figures["damage"] == "paint and ink marks"
    assert figures["seed"] == 7
    assert figures["photos"] == ["vitamin_bottle.jpg", "led_bulb.jpg", "led_bulb_pack.jpg"]
