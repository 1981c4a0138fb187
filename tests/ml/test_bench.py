"""The benchmark runs end to end (with short measuring windows) and prints every figure."""

from __future__ import annotations

import pytest

from backend.ml import bench
from backend.ml.config import get_ml_config
from backend.ml.model_registry import get_registry


def test_bench_prints_throughput_and_rss(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench, "SECONDS", 0.05)
    before = get_ml_config()
    bench.main()
    out = capsys.readouterr().out
    assert "model b1" in out
    assert "analyze 3MP" in out
    assert "batch 1MP" in out
    assert "analyze 1MP / model b1 (aim >= 0.5)" in out
    assert "peak RSS" in out
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in (["1"], ["2"])]
    assert [row[0] for row in rows] == ["1", "2"]
    assert all(float(value) > 0 for row in rows for value in row[1:])
    assert get_ml_config() == before
    assert get_registry().config.intra_op_threads == before.intra_op_threads


def test_jpegs_have_the_requested_size() -> None:
    import io

    from PIL import Image

    data = bench._jpeg_at(bench.PHOTOS / "red_coffee_cup.jpg", 2.0)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert 1.9e6 < image.width * image.height < 2.1e6
