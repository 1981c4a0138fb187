"""Classification with the seller's own head, falling back to the base taxonomy."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from backend.domain.analysis import repository as analysis_repository
from backend.domain.corrections import repository
from backend.domain.corrections.service import show_correction
from backend.ml import few_shot, inference
from backend.ml.embeddings import embedding_space
from backend.ml.few_shot import FewShotHead, HeadDecision
from backend.ml.inference import PreparedImage
from backend.shared.config import Settings


def classify_for_owner(
    session: Session, prepared: PreparedImage, *, owner_id: uuid.UUID, settings: Settings
) -> HeadDecision:
    """The seller's head answers when it clears its gates; the base taxonomy otherwise."""
    base = inference.classify(prepared)
    classifier = repository.get_classifier(session, owner_id=owner_id)
    if classifier is None:
        return HeadDecision(
            result=base, base=base, head_version=None, answered_by_custom=False, reason="no head"
        )
    head = FewShotHead.from_bytes(classifier.parameters)
    if head.embedding_space != embedding_space(prepared.model_version) or head.dimensions != int(
        prepared.outputs.embedding.size
    ):
        fallback = few_shot.fallback_result(base, classifier.version)
        return HeadDecision(
            result=fallback,
            base=base,
            head_version=classifier.version,
            answered_by_custom=False,
            reason=f"head trained on {head.embedding_space} embeddings",
        )
    return few_shot.decide(
        head,
        prepared.outputs.embedding,
        base,
        head_version=classifier.version,
        min_probability=settings.custom_min_probability,
        base_confident_above=settings.custom_base_confident_above,
        base_margin=settings.custom_base_margin,
    )


def record_decision(
    session: Session, *, owner_id: uuid.UUID, image_id: uuid.UUID, decision: HeadDecision
) -> None:
    """Which head answered (and what the other said) goes with the classification scores;
    a seller's own label for the image still wins over both."""
    analysis = analysis_repository.get_or_create_for_image(session, image_id=image_id)
    analysis.classification_scores = {
        **(analysis.classification_scores or {}),
        "head": decision.to_dict(),
    }
    correction = repository.get(session, owner_id=owner_id, image_id=image_id)
    if correction is not None:
        show_correction(analysis, correction.label)
