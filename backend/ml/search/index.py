"""An in-memory nearest-neighbour index of unit vectors, keyed by UUID (cosine similarity).

Small collections are searched exactly (one matrix-vector product: below ``ann_min_vectors``
that is as fast as any index and never misses). From ``ann_min_vectors`` on, the vectors move
into a FAISS IVF-Flat index: k-means cells over the collection, each query scanning the
``nprobe`` nearest cells with exact inner products. IVF was chosen over HNSW (hnswlib,
usearch) because it builds 5-20x faster at the same recall on this platform's embeddings
(``make bench``, README), which matters since every process rebuilds its indexes from the
database. The cells are retrained when the collection doubles or halves since the last
training, so they keep fitting the data.

The vectors live in one place only: the exact store, or the FAISS index (with a hash-table
direct map so single vectors can be replaced, removed and read back for retraining).
"""

from __future__ import annotations

import math
import threading
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from backend.ml.embeddings import normalize, normalize_rows

#: Training points per IVF cell (FAISS warns below 39).
TRAINING_POINTS_PER_CELL = 40
MIN_CELLS = 16
MAX_CELLS = 4096


@dataclass(frozen=True, slots=True)
class IndexConfig:
    ann_min_vectors: int = 5000
    nprobe: int = 16
    threads: int = 1


@dataclass(frozen=True, slots=True)
class Neighbour:
    key: uuid.UUID
    similarity: float


def cells_for(count: int) -> int:
    """IVF cells for a collection: about 4 sqrt(n), enough points per cell to train."""
    wanted = int(4 * math.sqrt(max(count, 1)))
    trainable = max(MIN_CELLS, count // TRAINING_POINTS_PER_CELL)
    return max(MIN_CELLS, min(MAX_CELLS, wanted, trainable))


class _ExactStore:
    def __init__(self, dimensions: int) -> None:
        self.dimensions = dimensions
        self.keys: list[uuid.UUID] = []
        self.row_of: dict[uuid.UUID, int] = {}
        self.matrix = np.zeros((0, dimensions), np.float32)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def upsert(self, keys: Sequence[uuid.UUID], vectors: np.ndarray) -> None:
        for key, vector in zip(keys, vectors, strict=True):
            row = self.row_of.get(key)
            if row is None:
                row = self._size
                if row == self.matrix.shape[0]:
                    grown = np.zeros((max(64, row * 2), self.dimensions), np.float32)
                    grown[:row] = self.matrix[:row]
                    self.matrix = grown
                self.keys.append(key)
                self.row_of[key] = row
                self._size += 1
            self.matrix[row] = vector

    def remove(self, keys: Collection[uuid.UUID]) -> None:
        for key in keys:
            row = self.row_of.pop(key, None)
            if row is None:
                continue
            last = self._size - 1
            if row != last:
                moved = self.keys[last]
                self.matrix[row] = self.matrix[last]
                self.keys[row] = moved
                self.row_of[moved] = row
            self.keys.pop()
            self._size -= 1

    def search(self, query: np.ndarray, k: int) -> list[Neighbour]:
        if self._size == 0:
            return []
        similarities = self.matrix[: self._size] @ query
        count = min(k, self._size)
        top = np.argpartition(-similarities, count - 1)[:count]
        top = top[np.argsort(-similarities[top])]
        return [Neighbour(self.keys[row], float(similarities[row])) for row in top]

    def items(self) -> tuple[list[uuid.UUID], np.ndarray]:
        return list(self.keys), self.matrix[: self._size].copy()


class _IvfStore:
    def __init__(
        self, dimensions: int, keys: Sequence[uuid.UUID], vectors: np.ndarray, config: IndexConfig
    ) -> None:
        self.dimensions = dimensions
        self.trained_size = len(keys)
        cells = cells_for(len(keys))
        self._quantizer = faiss.IndexFlatIP(dimensions)
        self.index = faiss.IndexIVFFlat(
            self._quantizer, dimensions, cells, faiss.METRIC_INNER_PRODUCT
        )
        sample = vectors
        if len(keys) > cells * TRAINING_POINTS_PER_CELL:
            chosen = np.random.default_rng(0).choice(
                len(keys), cells * TRAINING_POINTS_PER_CELL, replace=False
            )
            sample = vectors[np.sort(chosen)]
        self.index.train(np.ascontiguousarray(sample, dtype=np.float32))
        # The stubs shipped with faiss miss DirectMap and the array form of remove_ids.
        self.index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        self.index.nprobe = min(config.nprobe, cells)
        self.id_of: dict[uuid.UUID, int] = {}
        self.key_of: dict[int, uuid.UUID] = {}
        self._next_id = 0
        self.upsert(keys, vectors)

    def __len__(self) -> int:
        return len(self.id_of)

    def upsert(self, keys: Sequence[uuid.UUID], vectors: np.ndarray) -> None:
        existing = [self.id_of[key] for key in keys if key in self.id_of]
        if existing:
            self.index.remove_ids(np.array(existing, dtype=np.int64))  # type: ignore[arg-type]
        ids = []
        for key in keys:
            number = self.id_of.get(key)
            if number is None:
                number = self._next_id
                self._next_id += 1
                self.id_of[key] = number
                self.key_of[number] = key
            ids.append(number)
        if ids:
            batch = np.ascontiguousarray(vectors, dtype=np.float32)
            self.index.add_with_ids(batch, np.array(ids, dtype=np.int64))

    def remove(self, keys: Collection[uuid.UUID]) -> None:
        ids = [self.id_of.pop(key) for key in keys if key in self.id_of]
        for number in ids:
            del self.key_of[number]
        if ids:
            self.index.remove_ids(np.array(ids, dtype=np.int64))  # type: ignore[arg-type]

    def search(self, query: np.ndarray, k: int) -> list[Neighbour]:
        if not self.id_of:
            return []
        similarities, ids = self.index.search(query[None, :], min(k, len(self.id_of)))
        return [
            Neighbour(self.key_of[int(number)], float(similarity))
            for similarity, number in zip(similarities[0], ids[0], strict=True)
            if number >= 0 and int(number) in self.key_of
        ]

    def items(self) -> tuple[list[uuid.UUID], np.ndarray]:
        keys = list(self.id_of)
        vectors = np.zeros((len(keys), self.dimensions), np.float32)
        for row, key in enumerate(keys):
            vectors[row] = self.index.reconstruct(self.id_of[key])
        return keys, vectors


class VectorIndex:
    """Exact below ``ann_min_vectors``, FAISS IVF-Flat above; thread-safe."""

    def __init__(self, dimensions: int, config: IndexConfig | None = None) -> None:
        self.dimensions = dimensions
        self.config = config or IndexConfig()
        self._store: _ExactStore | _IvfStore = _ExactStore(dimensions)
        self._lock = threading.RLock()
        faiss.omp_set_num_threads(self.config.threads)

    def __len__(self) -> int:
        return len(self._store)

    @property
    def uses_ann(self) -> bool:
        return isinstance(self._store, _IvfStore)

    def stored_keys(self) -> set[uuid.UUID]:
        with self._lock:
            if isinstance(self._store, _ExactStore):
                return set(self._store.keys)
            return set(self._store.id_of)

    def upsert(self, keys: Sequence[uuid.UUID], vectors: np.ndarray) -> None:
        if len(keys) == 0:
            return
        matrix = normalize_rows(np.asarray(vectors, dtype=np.float32).reshape(len(keys), -1))
        if matrix.shape[1] != self.dimensions:
            raise ValueError(f"vectors have {matrix.shape[1]} dimensions, not {self.dimensions}")
        with self._lock:
            self._store.upsert(list(keys), matrix)
            self._rebalance()

    def remove(self, keys: Collection[uuid.UUID]) -> None:
        with self._lock:
            self._store.remove(keys)
            self._rebalance()

    def search(
        self, query: np.ndarray, k: int, *, exclude: Collection[uuid.UUID] = ()
    ) -> list[Neighbour]:
        """The ``k`` most similar vectors (cosine), best first, leaving out ``exclude``."""
        if k <= 0:
            return []
        vector = normalize(query)
        with self._lock:
            found = self._store.search(vector, k + len(exclude))
        return [item for item in found if item.key not in exclude][:k]

    def search_exact(self, query: np.ndarray, k: int) -> list[Neighbour]:
        """Brute force over every vector (the reference the ANN recall is measured against)."""
        with self._lock:
            keys, vectors = self._store.items()
        exact = _ExactStore(self.dimensions)
        exact.upsert(keys, vectors)
        return exact.search(normalize(query), k)

    def rebuild(self) -> None:
        """Retrain the IVF cells on the current vectors (or go back to exact search)."""
        with self._lock:
            keys, vectors = self._store.items()
            self._store = self._new_store(keys, vectors)

    def _rebalance(self) -> None:
        size = len(self._store)
        if isinstance(self._store, _ExactStore):
            if size >= self.config.ann_min_vectors:
                self.rebuild()
            return
        trained = self._store.trained_size
        shrunk = size < self.config.ann_min_vectors // 2 or size <= trained // 2
        if shrunk or size >= 2 * trained:
            self.rebuild()

    def _new_store(self, keys: list[uuid.UUID], vectors: np.ndarray) -> _ExactStore | _IvfStore:
        if len(keys) >= self.config.ann_min_vectors:
            return _IvfStore(self.dimensions, keys, vectors, self.config)
        store = _ExactStore(self.dimensions)
        store.upsert(keys, vectors)
        return store
