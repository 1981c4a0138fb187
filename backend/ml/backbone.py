"""The EfficientNet-Lite0 ONNX graph: one forward pass gives logits, embedding, patch features."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import onnxruntime as ort

from backend.ml.config import MLConfig
from backend.ml.errors import ModelNotAvailableError
from backend.ml.model_registry import ModelEntry
from backend.ml.runtime import InferenceModel, create_session

OUTPUT_NAMES = ("logits", "embedding", "patch_features")


@dataclass(frozen=True)
class BackboneOutputs:
    """One image's outputs: logits (1000,), embedding (1280,), patch_features (C, 28, 28)."""

    logits: np.ndarray
    embedding: np.ndarray
    patch_features: np.ndarray


def _sha256(path_bytes: bytes) -> str:
    return hashlib.sha256(path_bytes).hexdigest()


class BackboneModel(InferenceModel):
    def __init__(self, entry: ModelEntry, config: MLConfig) -> None:
        super().__init__(entry.name, entry.version)
        self.entry = entry
        self._config = config
        self._session: ort.InferenceSession | None = None

    def _load(self) -> None:
        path = self._config.models_dir / self.entry.file
        if not path.is_file():
            raise ModelNotAvailableError(f"model file {path} is missing")
        data = path.read_bytes()
        if _sha256(data) != self.entry.sha256:
            raise ModelNotAvailableError(
                f"model file {path} does not match the sha256 recorded in the manifest"
            )
        self._session = create_session(path, self._config)

    def _predict(self, images: np.ndarray) -> list[BackboneOutputs]:
        """``images``: uint8 (N, 224, 224, 3) RGB."""
        if self._session is None:
            raise ModelNotAvailableError(f"{self.name} {self.version} is not loaded")
        logits, embedding, patches = self._session.run(list(OUTPUT_NAMES), {"image": images})
        return [
            BackboneOutputs(logits=logits[i], embedding=embedding[i], patch_features=patches[i])
            for i in range(images.shape[0])
        ]

    def run_batch(self, images: np.ndarray) -> list[BackboneOutputs]:
        outputs: list[BackboneOutputs] = self.predict(images)
        return outputs

    @property
    def providers(self) -> list[str]:
        self.load()
        return self._session.get_providers() if self._session else []
