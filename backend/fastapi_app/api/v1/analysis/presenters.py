from __future__ import annotations

from typing import Any, Literal

from backend.domain.analysis.service import AnalysisView
from backend.fastapi_app.api.v1.analysis.schemas import (
    AnalysisPublic,
    AttributePublic,
    BoundingBox,
    Classification,
    DefectPublic,
    DuplicateOf,
    ScoredLabel,
)
from backend.fastapi_app.api.v1.jobs.schemas import JobStepPublic
from backend.shared.db.models import AnalysisResult


def _top_k(scores: dict[str, Any]) -> list[ScoredLabel]:
    entries = scores.get("top_k", [])
    return [
        ScoredLabel(label=str(entry["label"]), score=float(entry["score"]))
        for entry in entries
        if isinstance(entry, dict) and "label" in entry and "score" in entry
    ]


def _source(scores: dict[str, Any]) -> Literal["taxonomy", "custom", "correction"]:
    if scores.get("correction"):
        return "correction"
    head = scores.get("head")
    return "custom" if isinstance(head, dict) and head.get("head") == "custom" else "taxonomy"


def _duplicate_of(analysis: AnalysisResult) -> DuplicateOf | None:
    other = analysis.duplicate_of_image
    if other is None or other.deleted_at is not None:
        return None
    return DuplicateOf(
        image_id=other.id, product_id=other.product_id, kept=analysis.duplicate_kept_at is not None
    )


def analysis_public(view: AnalysisView) -> AnalysisPublic:
    analysis = view.analysis
    scores = analysis.classification_scores or {}
    return AnalysisPublic(
        id=analysis.id,
        image_id=analysis.product_image_id,
        status=analysis.status,
        model_version=analysis.model_version,
        classification=Classification(
            label=analysis.classification_label,
            category=scores.get("category"),
            subcategory=scores.get("subcategory"),
            confidence=analysis.classification_confidence,
            top_k=_top_k(scores),
            source=_source(scores),
        ),
        attributes=[
            AttributePublic(
                name=attribute.attribute_name,
                value=attribute.attribute_value,
                confidence=attribute.confidence,
                metadata=attribute.metadata_,
            )
            for attribute in analysis.attributes
        ],
        defects=[
            DefectPublic(
                defect_type=defect.defect_type,
                severity=defect.severity,
                confidence=defect.confidence,
                bounding_box=BoundingBox.model_validate(defect.bounding_box),
                description=defect.description,
            )
            for defect in analysis.defects
        ],
        description_text=analysis.description_text,
        description_model=analysis.description_model,
        processing_time_ms=analysis.processing_time_ms,
        error_message=analysis.error_message,
        steps=[JobStepPublic.model_validate(step) for step in view.steps],
        duplicate_of=_duplicate_of(analysis),
        created_at=analysis.created_at,
        updated_at=analysis.updated_at,
    )
