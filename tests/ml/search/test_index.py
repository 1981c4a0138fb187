"""The catalogue index: exact below the threshold, FAISS IVF above, recall against brute force."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from backend.ml.search.index import IndexConfig, VectorIndex, cells_for
from backend.ml.search_bench import exact_top_k, synthetic_catalogue

DIMENSIONS = 64


def _keys(count: int, offset: int = 0) -> list[uuid.UUID]:
    return [uuid.UUID(int=offset + i + 1) for i in range(count)]


def _unit(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIMENSIONS)).astype(np.float32)
    unit: np.ndarray = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit


def test_small_collections_are_searched_exactly() -> None:
    rng = np.random.default_rng(1)
    vectors = _unit(rng, 50)
    keys = _keys(50)
    index = VectorIndex(DIMENSIONS, IndexConfig(ann_min_vectors=1000))
    index.upsert(keys, vectors * 3)  # stored unit length whatever the input norm
    assert not index.uses_ann
    found = index.search(vectors[7], 5)
    assert found[0].key == keys[7]
    assert found[0].similarity == pytest.approx(1.0, abs=1e-5)
    assert [item.similarity for item in found] == sorted(
        (item.similarity for item in found), reverse=True
    )
    assert index.search(vectors[7], 5, exclude={keys[7]})[0].key != keys[7]
    assert index.search(vectors[7], 0) == []
    assert VectorIndex(DIMENSIONS).search(vectors[0], 3) == []


def test_upsert_replaces_and_remove_forgets() -> None:
    rng = np.random.default_rng(2)
    vectors = _unit(rng, 20)
    keys = _keys(20)
    index = VectorIndex(DIMENSIONS, IndexConfig(ann_min_vectors=1000))
    index.upsert(keys, vectors)
    index.upsert([keys[3]], vectors[[10]])
    assert len(index) == 20
    assert {item.key for item in index.search(vectors[10], 2)} == {keys[3], keys[10]}
    index.remove([keys[3], keys[10], uuid.uuid4()])
    assert len(index) == 18
    assert keys[3] not in index.stored_keys()
    assert all(item.key not in {keys[3], keys[10]} for item in index.search(vectors[10], 18))
    with pytest.raises(ValueError, match="dimensions"):
        index.upsert([uuid.uuid4()], np.ones((1, DIMENSIONS + 1)))


def test_ivf_recall_against_exact_search_and_mode_switches() -> None:
    catalogue, queries = synthetic_catalogue(3000, 100, dimensions=256, seed=3)
    keys = _keys(3000)
    index = VectorIndex(256, IndexConfig(ann_min_vectors=1000, nprobe=8))
    index.upsert(keys[:900], catalogue[:900])
    assert not index.uses_ann
    index.upsert(keys[900:], catalogue[900:])
    assert index.uses_ann
    truth = exact_top_k(catalogue, queries, 10)
    hits = sum(
        len({key.int - 1 for key in (item.key for item in index.search(query, 10))} & set(row))
        for query, row in zip(queries, truth.tolist(), strict=True)
    )
    assert hits / (len(queries) * 10) >= 0.95
    exact = index.search_exact(queries[0], 10)
    assert {item.key.int - 1 for item in exact} == set(truth[0].tolist())
    # Replacing and removing works inside the IVF index too.
    index.upsert([keys[0]], catalogue[[1]])
    assert {item.key for item in index.search(catalogue[1], 2)} == {keys[0], keys[1]}
    index.remove(keys[:2600])
    assert not index.uses_ann  # fell below half the threshold: back to exact search
    assert len(index) == 400
    assert index.search(catalogue[2700], 1)[0].key == keys[2700]


def test_cells_grow_with_the_collection() -> None:
    assert cells_for(1) == 16
    assert cells_for(10_000) == 250
    assert cells_for(100_000) == 1264
    assert cells_for(10_000_000) == 4096
