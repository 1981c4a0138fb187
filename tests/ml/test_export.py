"""The ONNX export, checked against torch (needs the optional ``export`` extra)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from backend.ml.config import BUNDLED_MODELS_DIR
from backend.ml.export import MAX_ALLOWED_DIFF, prepare_models
from backend.ml.model_registry import MANIFEST_FILENAME, load_manifest
from backend.ml.preprocessing import load_image_for_model
from tests.ml.conftest import PHOTOS


def _photos(count: int) -> np.ndarray:
    names = sorted(p for p in PHOTOS.glob("*.jpg"))[:count]
    return np.stack([load_image_for_model(p.read_bytes(), max_pixels=10**8) for p in names])


def test_committed_graph_has_the_three_outputs() -> None:
    manifest = load_manifest(BUNDLED_MODELS_DIR / MANIFEST_FILENAME)
    session = ort.InferenceSession(
        str(BUNDLED_MODELS_DIR / manifest.get("1.0.0-fp32").file),
        providers=["CPUExecutionProvider"],
    )
    assert [i.name for i in session.get_inputs()] == ["image"]
    outputs = session.run(None, {"image": _photos(2)})
    assert [o.shape for o in outputs] == [(2, 1000), (2, 1280), (2, 152, 28, 28)]


def test_export_matches_torch(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the export extra (torch) is not installed")
    pytest.importorskip("efficientnet_lite_pytorch")
    report = prepare_models(tmp_path, _photos(8), with_int8=True)
    assert max(report.max_abs_diff.values()) < MAX_ALLOWED_DIFF
    assert report.int8_top1_agreement is not None
    assert report.int8_top1_agreement >= 0.75
    manifest = load_manifest(tmp_path / MANIFEST_FILENAME)
    assert manifest.versions == ["1.0.0-fp32", "1.0.0-int8"]
    committed = load_manifest(BUNDLED_MODELS_DIR / MANIFEST_FILENAME)
    # The same weights give the same logits as the committed graph.
    fresh = ort.InferenceSession(str(report.fp32_path), providers=["CPUExecutionProvider"])
    bundled = ort.InferenceSession(
        str(BUNDLED_MODELS_DIR / committed.get("1.0.0-fp32").file),
        providers=["CPUExecutionProvider"],
    )
    images = _photos(2)
    assert np.allclose(
        fresh.run(["logits"], {"image": images})[0],
        bundled.run(["logits"], {"image": images})[0],
        atol=1e-4,
    )
    assert io.BytesIO(report.fp32_path.read_bytes()).getbuffer().nbytes > 10_000_000
