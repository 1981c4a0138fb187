"""Near-duplicate photos: found when an image is analysed, listed as clusters, kept on request.

Two signals decide, with thresholds in settings: the embeddings' cosine similarity alone
(``duplicate_embedding_threshold``: crops and re-encodes of one photo), or a perceptual-hash
match in either orientation (``duplicate_hash_max_distance`` bits: mirrored, resized,
recompressed copies) backed by a lower embedding similarity
(``duplicate_hash_min_similarity``), so that two different products that merely share a
layout are not taken for copies. A duplicate always points at an older image, so re-analysing
either photo keeps the same pair.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy.orm import Session

from backend.domain.analysis import repository as analysis_repository
from backend.domain.errors import ConflictError, NotFoundError
from backend.domain.pagination import Page, PageRequest
from backend.domain.search import repository
from backend.domain.search.catalogue import CatalogueIndexes
from backend.ml import perceptual_hash
from backend.ml.embeddings import embedding_space, from_bytes
from backend.ml.perceptual_hash import HashPair
from backend.shared.config import Settings
from backend.shared.db.models import AnalysisResult, ProductImage
from backend.shared.db.types import utcnow


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    image_id: uuid.UUID
    similarity: float
    hash_distance: int | None
    signal: str  # "embedding" or "perceptual_hash"

    def to_dict(self) -> dict[str, object]:
        return {
            "image_id": str(self.image_id),
            "similarity": round(self.similarity, 4),
            "hash_distance": self.hash_distance,
            "signal": self.signal,
        }


@dataclass(frozen=True, slots=True)
class Thresholds:
    embedding: float
    hash_max_distance: int
    hash_min_similarity: float
    candidates: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        return cls(
            embedding=settings.duplicate_embedding_threshold,
            hash_max_distance=settings.duplicate_hash_max_distance,
            hash_min_similarity=settings.duplicate_hash_min_similarity,
            candidates=settings.duplicate_candidates,
        )


def judge(similarity: float, hash_distance: int | None, thresholds: Thresholds) -> str | None:
    """Which signal (if any) makes two images near-duplicates."""
    if similarity >= thresholds.embedding:
        return "embedding"
    if (
        hash_distance is not None
        and hash_distance <= thresholds.hash_max_distance
        and similarity >= thresholds.hash_min_similarity
    ):
        return "perceptual_hash"
    return None


def find_duplicate(
    session: Session,
    indexes: CatalogueIndexes,
    thresholds: Thresholds,
    *,
    image: ProductImage,
    owner_id: uuid.UUID,
    model_version: str,
    vector: np.ndarray,
    hashes: HashPair,
) -> DuplicateMatch | None:
    """The most similar older, visible image of the same seller that is a near-duplicate."""
    index = indexes.index_for(session, user_id=owner_id, space=embedding_space(model_version))
    if index is None:
        return None
    neighbours = index.search(vector, thresholds.candidates, exclude={image.id})
    candidate_ids = [neighbour.key for neighbour in neighbours]
    uploaded = repository.visible_created_at(session, owner_id=owner_id, image_ids=candidate_ids)
    stored_hashes = repository.hashes(session, image_ids=candidate_ids)
    own_age = (image.created_at, str(image.id))
    for neighbour in neighbours:
        created_at = uploaded.get(neighbour.key)
        # Only an older image can be the original; ties go by id so two never point at each other.
        if created_at is None or (created_at, str(neighbour.key)) >= own_age:
            continue
        stored = stored_hashes.get(neighbour.key)
        distance = perceptual_hash.distance(hashes, stored) if stored else None
        signal = judge(neighbour.similarity, distance, thresholds)
        if signal is not None:
            return DuplicateMatch(neighbour.key, neighbour.similarity, distance, signal)
    return None


def link(analysis: AnalysisResult, match: DuplicateMatch | None) -> None:
    """Point the analysis at its duplicate; a new pair is not 'kept' yet."""
    target = match.image_id if match else None
    if analysis.duplicate_of_image_id != target:
        analysis.duplicate_kept_at = None
    analysis.duplicate_of_image_id = target


@dataclass(frozen=True)
class ClusterMember:
    image: ProductImage
    duplicate_of: uuid.UUID | None
    similarity: float | None  # to the image it duplicates
    kept: bool


@dataclass(frozen=True)
class DuplicateCluster:
    members: list[ClusterMember]  # the oldest (the original) first

    @property
    def pending(self) -> bool:
        return any(member.duplicate_of and not member.kept for member in self.members)

    @property
    def newest(self) -> datetime:
        return max(member.image.created_at for member in self.members)


def clusters(
    session: Session, *, owner_id: uuid.UUID, include_kept: bool, page: PageRequest
) -> Page[DuplicateCluster]:
    """Groups of near-duplicate images (connected through ``duplicate_of``), newest first."""
    links = repository.duplicate_links(session, owner_id=owner_id)
    ids = {item.image_id for item in links} | {item.duplicate_of_image_id for item in links}
    visible = repository.visible_images(session, owner_id=owner_id, image_ids=ids)
    links = [
        item for item in links if item.image_id in visible and item.duplicate_of_image_id in visible
    ]
    groups = _connected(links)
    vectors = _vectors(session, [image_id for group in groups for image_id in group])
    by_image = {item.image_id: item for item in links}
    found = []
    for group in groups:
        members = []
        for image_id in sorted(group, key=lambda key: (visible[key].created_at, str(key))):
            item = by_image.get(image_id)
            members.append(
                ClusterMember(
                    image=visible[image_id],
                    duplicate_of=item.duplicate_of_image_id if item else None,
                    similarity=_similarity(vectors, image_id, item.duplicate_of_image_id)
                    if item
                    else None,
                    kept=item.kept if item else False,
                )
            )
        cluster = DuplicateCluster(members=members)
        if include_kept or cluster.pending:
            found.append(cluster)
    found.sort(key=lambda cluster: cluster.newest, reverse=True)
    return Page(
        items=found[page.offset : page.offset + page.limit],
        total=len(found),
        limit=page.limit,
        offset=page.offset,
    )


def _connected(links: Sequence[repository.DuplicateLink]) -> list[set[uuid.UUID]]:
    parent: dict[uuid.UUID, uuid.UUID] = {}

    def root(node: uuid.UUID) -> uuid.UUID:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for item in links:
        parent[root(item.image_id)] = root(item.duplicate_of_image_id)
    groups: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for node in list(parent):
        groups[root(node)].add(node)
    return list(groups.values())


def _vectors(session: Session, image_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, np.ndarray]:
    return {
        row.product_image_id: from_bytes(row.vector, row.dimensions)
        for row in repository.embeddings_for(session, image_ids=image_ids)
    }


def _similarity(
    vectors: dict[uuid.UUID, np.ndarray], first: uuid.UUID, second: uuid.UUID
) -> float | None:
    if first not in vectors or second not in vectors:
        return None
    a, b = vectors[first], vectors[second]
    if a.shape != b.shape:
        return None
    return round(float(a @ b), 4)


def set_kept(
    session: Session, *, owner_id: uuid.UUID, image_id: uuid.UUID, kept: bool
) -> AnalysisResult:
    """Record the seller's decision to keep a near-duplicate (or take it back)."""
    analysis = analysis_repository.get_for_owner(session, owner_id=owner_id, image_id=image_id)
    if analysis is None:
        raise NotFoundError("analysis_not_found", "This image has no analysis yet.")
    if analysis.duplicate_of_image_id is None:
        raise ConflictError("not_a_duplicate", "This image is not a near-duplicate of another.")
    analysis.duplicate_kept_at = utcnow() if kept else None
    session.flush()
    return analysis
