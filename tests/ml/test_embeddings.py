"""Embedding storage format and embedding spaces."""

from __future__ import annotations

import numpy as np
import pytest

from backend.ml.embeddings import (
    embedding_space,
    from_bytes,
    normalize,
    normalize_rows,
    to_bytes,
)
from backend.ml.inference import prepare
from tests.ml.conftest import photo_bytes


def test_vectors_are_stored_as_float32_little_endian() -> None:
    vector = normalize(np.array([3.0, 4.0]))
    assert vector.dtype == np.float32
    assert np.allclose(vector, [0.6, 0.8])
    data = to_bytes(vector)
    assert data == np.array([0.6, 0.8], dtype="<f4").tobytes()
    assert np.array_equal(from_bytes(data, 2), vector)
    with pytest.raises(ValueError, match="expected 3"):
        from_bytes(data, 3)


def test_zero_vectors_stay_zero() -> None:
    assert not normalize(np.zeros(4)).any()
    rows = normalize_rows(np.array([[0.0, 0.0], [0.0, 2.0]]))
    assert np.array_equal(rows, [[0.0, 0.0], [0.0, 1.0]])


def test_fp32_and_int8_backbones_share_a_space_and_nearly_agree() -> None:
    assert embedding_space("1.0.0-fp32") == embedding_space("1.0.0-int8")
    assert embedding_space("not-in-the-manifest") == "not-in-the-manifest"
    data = photo_bytes("grey_duffel_bag.jpg")
    fp32 = normalize(prepare(data, model_version="1.0.0-fp32").outputs.embedding)
    int8 = normalize(prepare(data, model_version="1.0.0-int8").outputs.embedding)
    assert fp32.shape == (1280,)
    assert float(fp32 @ int8) > 0.9
