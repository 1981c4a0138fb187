"""What the classify step stores for search: the embedding, its perceptual hash, the duplicate.

Everything comes from the image already decoded and run through the network for
classification: no second forward pass.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from backend.domain.analysis import repository as analysis_repository
from backend.domain.search import duplicates, repository
from backend.domain.search.catalogue import get_catalogue_indexes
from backend.ml.embeddings import normalize, to_bytes
from backend.ml.inference import PreparedImage
from backend.ml.perceptual_hash import hash_pair
from backend.shared.config import Settings
from backend.shared.db.models import ProductImage


def record_embedding(
    session: Session,
    *,
    image_id: uuid.UUID,
    owner_id: uuid.UUID,
    prepared: PreparedImage,
    settings: Settings,
) -> dict[str, Any]:
    """Store the image's embedding and hash, and link it to an older near-duplicate if any."""
    image = session.get(ProductImage, image_id)
    if image is None:
        return {}
    vector = normalize(prepared.outputs.embedding)
    hashes = hash_pair(prepared.rgb)
    match = duplicates.find_duplicate(
        session,
        get_catalogue_indexes(settings),
        duplicates.Thresholds.from_settings(settings),
        image=image,
        owner_id=owner_id,
        model_version=prepared.model_version,
        vector=vector,
        hashes=hashes,
    )
    repository.save_embedding(
        session,
        image_id=image_id,
        user_id=owner_id,
        model_version=prepared.model_version,
        vector=to_bytes(vector),
        dimensions=int(vector.size),
        perceptual_hash=hashes.original,
    )
    duplicates.link(analysis_repository.get_or_create_for_image(session, image_id=image_id), match)
    return {
        "embedding": {"dimensions": int(vector.size), "perceptual_hash": hashes.original},
        "duplicate_of": match.to_dict() if match else None,
    }
