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


def test_a_rate_is_the_median_of_its_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each run advances a fake clock (in binary fractions, so that the window ends are exact):
    # the warm-up, then 1/8 s a run in the first window (8/s), 1/2 s in the second (2/s, a
    # neighbour's burst), 1/16 s in the third (16/s).
    durations = iter([0.25, 0.125, 0.5, 0.0625, 0.0625])
    clock = [0.0]

    def run() -> int:
        clock[0] += next(durations)
        return 1

    monkeypatch.setattr(bench.time, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(bench, "SECONDS", 0.375)
    monkeypatch.setattr(bench, "WINDOWS", 3)
    assert bench._rate(run) == 8.0


def test_jpegs_have_the_requested_size() -> None:
    import io

    from PIL import Image

    data = bench._jpeg_at(bench.PHOTOS / "red_coffee_cup.jpg", 2.0)
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert 1.9e6 < image.width * image.height < 2.1e6
