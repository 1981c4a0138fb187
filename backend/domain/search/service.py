"""Visual search in a seller's own catalogue: images like one of theirs, or like a new photo."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from backend.domain.corrections import heads
from backend.domain.errors import ConflictError, NotFoundError, error_for_status
from backend.domain.images import repository as images_repository
from backend.domain.search import repository
from backend.domain.search.catalogue import CatalogueIndexes
from backend.ml import inference
from backend.ml.embeddings import embedding_space, from_bytes, normalize
from backend.ml.errors import ImageDecodeError
from backend.ml.few_shot import HeadDecision
from backend.shared.config import Settings
from backend.shared.db.models import ProductImage
from backend.shared.images import ImageValidationError, validate_image

#: Extra neighbours fetched so that deleted images can be dropped and ``limit`` still met.
OVERFETCH = 10


@dataclass(frozen=True)
class SimilarImage:
    image: ProductImage
    similarity: float


@dataclass(frozen=True)
class PhotoQuery:
    decision: HeadDecision
    model_version: str
    width: int
    height: int


def similar_to_image(
    session: Session,
    indexes: CatalogueIndexes,
    *,
    owner_id: uuid.UUID,
    image_id: uuid.UUID,
    limit: int,
) -> list[SimilarImage]:
    """The seller's images most like one of theirs (itself left out), most similar first."""
    image = images_repository.get_for_owner(session, owner_id=owner_id, image_id=image_id)
    if image is None:
        raise NotFoundError("image_not_found", "No such image.")
    row = repository.get_embedding(session, image_id=image_id)
    if row is None:
        raise ConflictError("not_analysed", "The image has not been analysed yet.")
    return _search(
        session,
        indexes,
        owner_id=owner_id,
        space=embedding_space(row.model_version),
        vector=from_bytes(row.vector, row.dimensions),
        limit=limit,
        exclude={image_id},
    )


def similar_to_photo(
    session: Session,
    indexes: CatalogueIndexes,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    photo: Path,
    limit: int,
) -> tuple[PhotoQuery, list[SimilarImage]]:
    """Search with a photo that is analysed here (one forward pass) and never stored."""
    try:
        validated = validate_image(
            photo, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels
        )
    except ImageValidationError as exc:
        raise error_for_status(exc.http_status, exc.code, exc.message) from exc
    try:
        prepared = inference.prepare(photo.read_bytes(), defect_surface=False)
    except ImageDecodeError as exc:
        raise error_for_status(422, "corrupt", str(exc)) from exc
    decision = heads.classify_for_owner(session, prepared, owner_id=owner_id, settings=settings)
    query = PhotoQuery(
        decision=decision,
        model_version=decision.result.model_version,
        width=validated.width,
        height=validated.height,
    )
    found = _search(
        session,
        indexes,
        owner_id=owner_id,
        space=embedding_space(prepared.model_version),
        vector=normalize(prepared.outputs.embedding),
        limit=limit,
        exclude=set(),
    )
    return query, found


def _search(
    session: Session,
    indexes: CatalogueIndexes,
    *,
    owner_id: uuid.UUID,
    space: str,
    vector: np.ndarray,
    limit: int,
    exclude: set[uuid.UUID],
) -> list[SimilarImage]:
    index = indexes.index_for(session, user_id=owner_id, space=space)
    if index is None:
        return []
    wanted = limit + OVERFETCH
    while True:
        neighbours = index.search(vector, wanted, exclude=exclude)
        visible = repository.visible_images(
            session, owner_id=owner_id, image_ids=[item.key for item in neighbours]
        )
        found = [
            SimilarImage(image=visible[item.key], similarity=item.similarity)
            for item in neighbours
            if item.key in visible
        ]
        if len(found) >= limit or len(neighbours) < wanted or wanted >= len(index):
            return found[:limit]
        wanted *= 4


def rebuild_index(session: Session, indexes: CatalogueIndexes, *, owner_id: uuid.UUID) -> int:
    """Reload the seller's index from the table in this process; the number of vectors."""
    return indexes.rebuild(session, user_id=owner_id)
