"""Search results to API schemas (image URLs need the storage adapter)."""

from __future__ import annotations

from backend.domain.search.duplicates import DuplicateCluster
from backend.domain.search.service import PhotoQuery, SimilarImage
from backend.fastapi_app.api.v1.images.presenters import image_public
from backend.fastapi_app.api.v1.search.schemas import (
    DuplicateClusterPublic,
    DuplicateMemberPublic,
    DuplicateStatusPublic,
    PhotoQueryPublic,
    ProductRef,
    QueryClassification,
    SimilarImagePublic,
)
from backend.shared.config import Settings
from backend.shared.db.models import AnalysisResult
from backend.shared.storage.base import ImageStorage


def similar_public(
    found: list[SimilarImage], *, storage: ImageStorage, settings: Settings
) -> list[SimilarImagePublic]:
    return [
        SimilarImagePublic(
            similarity=round(item.similarity, 4),
            product=ProductRef(id=item.image.product.id, title=item.image.product.title),
            image=image_public(item.image, storage=storage, settings=settings),
        )
        for item in found
    ]


def photo_query_public(query: PhotoQuery) -> PhotoQueryPublic:
    result = query.decision.result
    return PhotoQueryPublic(
        classification=QueryClassification(
            label=result.label,
            confidence=round(float(result.confidence), 4),
            source="custom" if query.decision.answered_by_custom else "taxonomy",
        ),
        model_version=query.model_version,
        width=query.width,
        height=query.height,
    )


def cluster_public(
    cluster: DuplicateCluster, *, storage: ImageStorage, settings: Settings
) -> DuplicateClusterPublic:
    return DuplicateClusterPublic(
        pending=cluster.pending,
        images=[
            DuplicateMemberPublic(
                product=ProductRef(id=member.image.product.id, title=member.image.product.title),
                image=image_public(member.image, storage=storage, settings=settings),
                duplicate_of=member.duplicate_of,
                similarity=member.similarity,
                kept=member.kept,
            )
            for member in cluster.members
        ],
    )


def duplicate_status_public(analysis: AnalysisResult) -> DuplicateStatusPublic:
    if analysis.duplicate_of_image_id is None:
        raise ValueError("the analysis has no duplicate")
    return DuplicateStatusPublic(
        image_id=analysis.product_image_id,
        duplicate_of=analysis.duplicate_of_image_id,
        kept=analysis.duplicate_kept_at is not None,
        kept_at=analysis.duplicate_kept_at,
    )
