"""Each seller's catalogue index, kept in step with ``image_embeddings``.

The table is the truth; an index is a per-process cache of it. Every search first asks the
table, in one grouped query, how many vectors the seller has and when the newest changed; when
that differs from what the index holds, the changed rows are read (with an overlap window, so a
transaction that committed late is not missed) and, if the counts still disagree, the ids are
reconciled (rows purged with their image disappear). A process therefore rebuilds a seller's
index from the table on its first search after start-up, and an analysis in a worker, a
delete or a purge shows up at the next search in every process. Indexes are per seller and
per embedding space, so another seller's images can never be returned.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import structlog
from sqlalchemy.orm import Session

from backend.domain.search import repository
from backend.ml.embeddings import embedding_space, from_bytes
from backend.ml.search.index import IndexConfig, VectorIndex
from backend.shared.config import Settings

logger = structlog.get_logger(__name__)

#: Rows changed this long before the last one seen are read again at each refresh.
OVERLAP = timedelta(minutes=2)


@dataclass
class _Entry:
    index: VectorIndex | None
    lock: threading.Lock
    count: int = -1
    last_updated: datetime | None = None


class CatalogueIndexes:
    """Indexes by (seller, embedding space), least recently used ones dropped past a limit."""

    def __init__(self, settings: Settings) -> None:
        self._config = IndexConfig(
            ann_min_vectors=settings.search_ann_min_vectors,
            nprobe=settings.search_ann_nprobe,
            threads=settings.search_threads,
        )
        self._capacity = settings.search_cached_catalogues
        self._entries: OrderedDict[tuple[uuid.UUID, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def index_for(self, session: Session, *, user_id: uuid.UUID, space: str) -> VectorIndex | None:
        """The seller's index for ``space``, refreshed from the table (None: no vectors)."""
        entry = self._entry(user_id, space)
        with entry.lock:
            self._refresh(session, entry, user_id=user_id, space=space)
            return entry.index

    def rebuild(self, session: Session, *, user_id: uuid.UUID) -> int:
        """Drop the seller's indexes and load them again from the table; vectors loaded."""
        with self._lock:
            for key in [key for key in self._entries if key[0] == user_id]:
                del self._entries[key]
        spaces = {
            embedding_space(stats.model_version)
            for stats in repository.version_stats(session, user_id=user_id)
        }
        loaded = 0
        for space in spaces:
            index = self.index_for(session, user_id=user_id, space=space)
            loaded += len(index) if index is not None else 0
        return loaded

    def forget(self) -> None:
        with self._lock:
            self._entries.clear()

    def _entry(self, user_id: uuid.UUID, space: str) -> _Entry:
        key = (user_id, space)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = _Entry(index=None, lock=threading.Lock())
                self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
            return entry

    def _refresh(self, session: Session, entry: _Entry, *, user_id: uuid.UUID, space: str) -> None:
        stats = [
            item
            for item in repository.version_stats(session, user_id=user_id)
            if embedding_space(item.model_version) == space
        ]
        count = sum(item.count for item in stats)
        last = max((item.last_updated for item in stats if item.last_updated), default=None)
        if count == entry.count and last == entry.last_updated:
            return
        versions = [item.model_version for item in stats]
        since = entry.last_updated - OVERLAP if entry.last_updated and entry.index else None
        rows = repository.vectors(
            session, user_id=user_id, model_versions=versions, changed_since=since
        )
        if rows:
            dimensions = int(rows[0].dimensions)
            if entry.index is None or entry.index.dimensions != dimensions:
                entry.index = VectorIndex(dimensions, self._config)
                if since is not None:
                    rows = repository.vectors(session, user_id=user_id, model_versions=versions)
            entry.index.upsert(
                [row.product_image_id for row in rows],
                np.stack([from_bytes(row.vector, dimensions) for row in rows]),
            )
        if entry.index is not None and len(entry.index) != count:
            self._reconcile(session, entry.index, user_id=user_id, versions=versions)
        entry.count = count
        entry.last_updated = last
        logger.debug(
            "search.index_refreshed",
            user_id=str(user_id),
            space=space,
            vectors=len(entry.index) if entry.index else 0,
            read_rows=len(rows),
        )

    @staticmethod
    def _reconcile(
        session: Session, index: VectorIndex, *, user_id: uuid.UUID, versions: list[str]
    ) -> None:
        stored = repository.image_ids(session, user_id=user_id, model_versions=versions)
        present = index.stored_keys()
        index.remove(present - stored)
        missing = stored - present
        if missing:
            rows = repository.vectors(
                session, user_id=user_id, model_versions=versions, image_ids=missing
            )
            index.upsert(
                [row.product_image_id for row in rows],
                np.stack([from_bytes(row.vector, index.dimensions) for row in rows]),
            )


class _Shared:
    def __init__(self) -> None:
        self.indexes: CatalogueIndexes | None = None
        self.lock = threading.Lock()


_shared = _Shared()


def get_catalogue_indexes(settings: Settings) -> CatalogueIndexes:
    """The process-wide indexes (each API and worker process keeps its own)."""
    if _shared.indexes is None:
        with _shared.lock:
            if _shared.indexes is None:
                _shared.indexes = CatalogueIndexes(settings)
    return _shared.indexes


def reset_catalogue_indexes() -> None:
    """Forget every index (tests switch databases; the next search reloads from the table)."""
    with _shared.lock:
        _shared.indexes = None
