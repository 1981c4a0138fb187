"""Model versions from the manifest, lazy thread-safe loading, and A/B routing.

The manifest (``models/manifest.json``) lists every model file with its name, version, sha256,
source and licence. The registry verifies a file's sha256 before loading it, loads each version
once (on first use, under a lock) and routes images between the default version and an A/B
candidate by a stable hash of the image id, so the same image always gets the same version.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import structlog

from backend.ml.config import MLConfig, get_ml_config
from backend.ml.errors import ModelNotAvailableError

if TYPE_CHECKING:
    from backend.ml.backbone import BackboneModel

log = structlog.get_logger(__name__)

MANIFEST_FILENAME = "manifest.json"
MANIFEST_SCHEMA = 1


@dataclass(frozen=True)
class ModelEntry:
    name: str
    version: str
    file: str
    sha256: str
    source: str
    licence: str
    precision: str
    input_size: int
    opset: int
    created_at: str
    notes: str = ""


@dataclass(frozen=True)
class Manifest:
    entries: tuple[ModelEntry, ...]
    default_version: str

    def get(self, version: str) -> ModelEntry:
        for entry in self.entries:
            if entry.version == version:
                return entry
        known = ", ".join(entry.version for entry in self.entries)
        raise ModelNotAvailableError(f"model version {version!r} is not in the manifest ({known})")

    @property
    def versions(self) -> list[str]:
        return [entry.version for entry in self.entries]


@dataclass(frozen=True)
class RoutingDecision:
    """Which backbone version serves an image, and why (stored with the results)."""

    version: str
    experiment: str | None
    arm: str  # "default", "candidate" or "pinned"
    bucket: float | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def load_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise ModelNotAvailableError(
            f"no model manifest at {path}; run `imagineai models prepare`"
        ) from exc
    entries = tuple(ModelEntry(**item) for item in raw["models"])
    return Manifest(entries=entries, default_version=str(raw["default_version"]))


def write_manifest(path: Path, entries: Sequence[ModelEntry], *, default_version: str) -> None:
    payload = {
        "schema": MANIFEST_SCHEMA,
        "default_version": default_version,
        "models": [asdict(entry) for entry in entries],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")


def ab_bucket(experiment: str, image_id: str) -> float:
    """A stable number in [0, 1) for this image in this experiment (same on every machine)."""
    digest = hashlib.sha256(f"{experiment}:{image_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def route(manifest: Manifest, config: MLConfig, image_id: str | None) -> RoutingDecision:
    """The version for one image: pinned version, else the A/B split, else the default."""
    if config.pinned_version:
        manifest.get(config.pinned_version)
        return RoutingDecision(config.pinned_version, None, "pinned", None)
    experiment, candidate = config.ab_experiment, config.ab_candidate_version
    if not experiment or not candidate or image_id is None:
        return RoutingDecision(manifest.default_version, None, "default", None)
    manifest.get(candidate)
    bucket = ab_bucket(experiment, image_id)
    if bucket < config.ab_candidate_share:
        return RoutingDecision(candidate, experiment, "candidate", bucket)
    return RoutingDecision(manifest.default_version, experiment, "default", bucket)


class ModelRegistry:
    """Backbone models by version, each loaded once, on first use."""

    def __init__(self, config: MLConfig | None = None) -> None:
        self._config = config or get_ml_config()
        self._manifest: Manifest | None = None
        self._models: dict[str, BackboneModel] = {}
        self._lock = threading.RLock()  # backbone() reads the manifest while holding it

    @property
    def config(self) -> MLConfig:
        return self._config

    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            with self._lock:
                if self._manifest is None:
                    self._manifest = load_manifest(self._config.models_dir / MANIFEST_FILENAME)
        return self._manifest

    def route(self, image_id: str | None) -> RoutingDecision:
        return route(self.manifest, self._config, image_id)

    def backbone(self, version: str | None = None) -> BackboneModel:
        from backend.ml.backbone import BackboneModel

        chosen = version or self.route(None).version
        model = self._models.get(chosen)
        if model is None:
            with self._lock:
                model = self._models.get(chosen)
                if model is None:
                    entry = self.manifest.get(chosen)
                    model = BackboneModel(entry, self._config)
                    self._models[chosen] = model
        return model

    def preload(self) -> None:
        self.backbone().load()

    def loaded_versions(self) -> list[str]:
        return [version for version, model in self._models.items() if model.loaded]


class _Shared:
    def __init__(self) -> None:
        self.registry: ModelRegistry | None = None
        self.lock = threading.Lock()


_shared = _Shared()


def get_registry() -> ModelRegistry:
    """The process-wide registry (models are shared by every thread of a worker)."""
    if _shared.registry is None:
        with _shared.lock:
            if _shared.registry is None:
                _shared.registry = ModelRegistry()
    return _shared.registry


def preload_if_configured() -> bool:
    """Load the default backbone now when ``IMAGINEAI_ML_PRELOAD`` asks for it (worker start)."""
    registry = get_registry()
    if not registry.config.preload:
        return False
    registry.preload()
    return True


def reset_registry() -> None:
    """Forget loaded models and settings (tests, or after changing the settings)."""
    with _shared.lock:
        _shared.registry = None
