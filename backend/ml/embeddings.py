"""Image embeddings for visual search: the backbone's pooled features, L2-normalised.

Stored as float32 little-endian bytes (``image_embeddings.vector``). Embeddings are only
comparable within one *embedding space*: the weights that produced them. The fp32 and int8
exports of one checkpoint share a space (same manifest ``name``); another checkpoint would not.
"""

from __future__ import annotations

import numpy as np

from backend.ml.errors import ModelNotAvailableError
from backend.ml.model_registry import get_registry

VECTOR_DTYPE = np.dtype("<f4")


def normalize(vector: np.ndarray) -> np.ndarray:
    """A float32 copy scaled to unit length (a zero vector stays zero)."""
    as_float = np.asarray(vector, dtype=np.float32).reshape(-1)
    norm = float(np.linalg.norm(as_float))
    return as_float / norm if norm > 0 else as_float.copy()


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    as_float = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(as_float, axis=1, keepdims=True)
    normalized: np.ndarray = np.divide(
        as_float, norms, out=np.zeros_like(as_float), where=norms > 0
    )
    return normalized


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=VECTOR_DTYPE).reshape(-1).tobytes()


def from_bytes(data: bytes, dimensions: int) -> np.ndarray:
    vector = np.frombuffer(data, dtype=VECTOR_DTYPE)
    if vector.size != dimensions:
        raise ValueError(f"stored vector has {vector.size} values, expected {dimensions}")
    return vector.astype(np.float32)


def embedding_space(model_version: str) -> str:
    """The space a backbone version's embeddings live in (unknown versions: their own)."""
    try:
        return get_registry().manifest.get(model_version).name
    except ModelNotAvailableError:
        return model_version
