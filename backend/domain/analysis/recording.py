"""Writing ML results into the analysis tables; each step replaces only its own rows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backend.domain.analysis import repository
from backend.ml.results import AttributeResult, ClassificationResult, DefectReport
from backend.shared.db.enums import AnalysisStatus, StepStatus
from backend.shared.db.models import (
    AnalysisResult,
    DetectedDefect,
    ExtractedAttribute,
    JobStep,
)

#: Attributes written by the defect step; every other attribute belongs to the feature step.
DEFECT_STEP_ATTRIBUTES = ("condition", "condition_grade")


def start(session: Session, *, image_id: uuid.UUID) -> AnalysisResult:
    analysis = repository.get_or_create_for_image(session, image_id=image_id)
    if analysis.status != AnalysisStatus.COMPLETED:
        analysis.status = AnalysisStatus.PROCESSING
        analysis.error_message = None
    return analysis


def record_classification(
    session: Session, *, image_id: uuid.UUID, result: ClassificationResult
) -> dict[str, Any]:
    analysis = repository.get_or_create_for_image(session, image_id=image_id)
    analysis.classification_label = result.label
    analysis.classification_confidence = float(result.confidence)
    analysis.classification_scores = {
        "category": result.category,
        "subcategory": result.subcategory,
        "category_confidence": float(result.category_confidence),
        "top_k": [{"label": label, "score": float(score)} for label, score in result.top_k],
        "model_version": result.model_version,
    }
    analysis.model_version = result.model_version
    return {"label": result.label, "confidence": round(float(result.confidence), 4)}


def record_attributes(
    session: Session,
    *,
    image_id: uuid.UUID,
    attributes: Sequence[AttributeResult],
    quality_metrics: dict[str, Any] | None = None,
) -> dict[str, Any]:
    analysis = repository.get_or_create_for_image(session, image_id=image_id)
    if quality_metrics is not None:
        analysis.quality_metrics = quality_metrics
    session.execute(
        delete(ExtractedAttribute).where(
            ExtractedAttribute.analysis_result_id == analysis.id,
            ExtractedAttribute.attribute_name.not_in(DEFECT_STEP_ATTRIBUTES),
        )
    )
    _add_attributes(session, analysis.id, attributes)
    return {"attributes": len(attributes)}


def record_defects(
    session: Session,
    *,
    image_id: uuid.UUID,
    report: DefectReport,
    extra_attributes: Sequence[AttributeResult] = (),
) -> dict[str, Any]:
    analysis = repository.get_or_create_for_image(session, image_id=image_id)
    session.execute(
        delete(ExtractedAttribute).where(
            ExtractedAttribute.analysis_result_id == analysis.id,
            ExtractedAttribute.attribute_name.in_(DEFECT_STEP_ATTRIBUTES),
        )
    )
    _add_attributes(session, analysis.id, [report.condition, *extra_attributes])
    repository.replace_defects(
        session,
        analysis_id=analysis.id,
        defects=[
            DetectedDefect(
                defect_type=defect.defect_type,
                severity=defect.severity,
                confidence=_probability(defect.confidence),
                bounding_box={
                    "x": round(defect.box.x),
                    "y": round(defect.box.y),
                    "width": max(1, round(defect.box.width)),
                    "height": max(1, round(defect.box.height)),
                },
                description=defect.description,
            )
            for defect in report.defects
        ],
    )
    return {
        "defects": len(report.defects),
        "condition": report.condition.value,
        "anomaly_score": round(float(report.anomaly_score), 4),
        "heatmap": report.heatmap.to_dict() if report.heatmap is not None else None,
        "reference_set": report.reference_set.to_dict() if report.reference_set else None,
    }


def record_description(
    session: Session, *, image_id: uuid.UUID, text: str, model: str
) -> AnalysisResult:
    analysis = repository.get_or_create_for_image(session, image_id=image_id)
    analysis.description_text = text
    analysis.description_model = model
    return analysis


def finish(
    session: Session, *, job_id: uuid.UUID, image_id: uuid.UUID, succeeded: bool, error: str | None
) -> AnalysisResult:
    analysis = repository.get_or_create_for_image(session, image_id=image_id)
    analysis.status = AnalysisStatus.COMPLETED if succeeded else AnalysisStatus.FAILED
    analysis.error_message = error
    total_ms = session.scalar(
        select(func.sum(JobStep.duration_ms)).where(
            JobStep.job_id == job_id,
            JobStep.product_image_id == image_id,
            JobStep.status.in_([StepStatus.COMPLETED, StepStatus.FAILED]),
        )
    )
    analysis.processing_time_ms = int(total_ms or 0)
    return analysis


def _add_attributes(
    session: Session, analysis_id: uuid.UUID, attributes: Iterable[AttributeResult]
) -> None:
    for attribute in attributes:
        session.add(
            ExtractedAttribute(
                analysis_result_id=analysis_id,
                attribute_name=attribute.name,
                attribute_value=str(attribute.value)[:500],
                confidence=_probability(attribute.confidence),
                metadata_={"method": attribute.method, **attribute.metadata},
            )
        )


def _probability(value: float) -> float:
    return min(1.0, max(0.0, float(value)))
