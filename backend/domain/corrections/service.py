"""Corrections and custom categories: a seller labels images, and their own head learns them.

A correction is the seller's label for one image: either a label of the base taxonomy
(``kitchen/cups``: "you got it wrong") or a name of their own (``vintage cameras``: a custom
category). It shows at once on the image's analysis. Training the head (a worker task, seconds)
uses every corrected image that has an embedding; it runs on request, or by itself after
``custom_auto_train_every`` label changes.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session

from backend.domain.analysis import repository as analysis_repository
from backend.domain.corrections import repository
from backend.domain.errors import ConflictError, InvalidInputError, NotFoundError
from backend.domain.images import repository as images_repository
from backend.domain.pagination import Page, PageRequest
from backend.ml import few_shot
from backend.ml.embeddings import embedding_space, from_bytes
from backend.ml.taxonomy import load_taxonomy
from backend.shared.config import Settings
from backend.shared.db.enums import UploadStatus
from backend.shared.db.models import AnalysisResult, ClassificationCorrection, CustomClassifier
from backend.shared.db.types import utcnow

logger = structlog.get_logger(__name__)

RequestTraining = Callable[[uuid.UUID], None]


def normalize_label(raw: str) -> str:
    try:
        return few_shot.normalize_label(raw, taxonomy_labels=load_taxonomy().labels[:-1])
    except few_shot.InvalidLabelError as exc:
        raise InvalidInputError("invalid_label", str(exc)) from exc


def set_correction(
    session: Session,
    *,
    owner_id: uuid.UUID,
    image_id: uuid.UUID,
    label: str,
    settings: Settings,
    request_training: RequestTraining,
) -> ClassificationCorrection:
    """Store the seller's label for the image and show it on the image's analysis."""
    image = images_repository.get_for_owner(session, owner_id=owner_id, image_id=image_id)
    if image is None:
        raise NotFoundError("image_not_found", "No such image.")
    if image.upload_status != UploadStatus.UPLOADED:
        raise ConflictError("image_not_uploaded", "The image has not been uploaded yet.")
    correction = repository.save(
        session, owner_id=owner_id, image_id=image_id, label=normalize_label(label)
    )
    analysis = analysis_repository.get_by_image(session, image_id=image_id)
    if analysis is not None:
        show_correction(analysis, correction.label)
    session.flush()
    _maybe_train(session, owner_id=owner_id, settings=settings, request_training=request_training)
    return correction


def remove_correction(
    session: Session,
    *,
    owner_id: uuid.UUID,
    image_id: uuid.UUID,
    settings: Settings,
    request_training: RequestTraining,
) -> None:
    """Forget the seller's label; the analysis shows the model's answer again."""
    correction = _visible_correction(session, owner_id=owner_id, image_id=image_id)
    repository.remove(session, correction)
    analysis = analysis_repository.get_by_image(session, image_id=image_id)
    if analysis is not None:
        _restore_model_answer(analysis)
    _maybe_train(session, owner_id=owner_id, settings=settings, request_training=request_training)


def get_correction(
    session: Session, *, owner_id: uuid.UUID, image_id: uuid.UUID
) -> ClassificationCorrection:
    return _visible_correction(session, owner_id=owner_id, image_id=image_id)


def list_corrections(
    session: Session, *, owner_id: uuid.UUID, label: str | None, page: PageRequest
) -> Page[ClassificationCorrection]:
    return repository.list_for_owner(
        session,
        owner_id=owner_id,
        label=normalize_label(label) if label else None,
        page=page,
    )


def _visible_correction(
    session: Session, *, owner_id: uuid.UUID, image_id: uuid.UUID
) -> ClassificationCorrection:
    image = images_repository.get_for_owner(session, owner_id=owner_id, image_id=image_id)
    correction = repository.get(session, owner_id=owner_id, image_id=image_id) if image else None
    if correction is None:
        raise NotFoundError("correction_not_found", "This image has no correction.")
    return correction


def show_correction(analysis: AnalysisResult, label: str) -> None:
    """The seller's label on the analysis; the model's answer is kept beside it."""
    scores = dict(analysis.classification_scores or {})
    previous = scores.get("correction") or {
        "model_label": analysis.classification_label,
        "model_confidence": analysis.classification_confidence,
        "model_category": scores.get("category"),
        "model_subcategory": scores.get("subcategory"),
    }
    category, _, subcategory = label.partition("/")
    scores.update(
        category=category,
        subcategory=subcategory or None,
        correction={**previous, "label": label},
    )
    analysis.classification_scores = scores
    analysis.classification_label = label
    analysis.classification_confidence = 1.0


def _restore_model_answer(analysis: AnalysisResult) -> None:
    scores = dict(analysis.classification_scores or {})
    previous = scores.pop("correction", None)
    if not isinstance(previous, dict):
        return
    scores.update(
        category=previous.get("model_category"), subcategory=previous.get("model_subcategory")
    )
    analysis.classification_scores = scores
    analysis.classification_label = previous.get("model_label")
    analysis.classification_confidence = previous.get("model_confidence")


def _maybe_train(
    session: Session,
    *,
    owner_id: uuid.UUID,
    settings: Settings,
    request_training: RequestTraining,
) -> None:
    every = settings.custom_auto_train_every
    if every <= 0:
        return
    classifier = repository.get_classifier(session, owner_id=owner_id)
    counts = repository.label_counts(session, owner_id=owner_id)
    changed = repository.changed_since(
        session, owner_id=owner_id, when=classifier.trained_at if classifier else None
    )
    removed = max(0, (classifier.example_count if classifier else 0) - sum(counts.values()))
    trainable = any(count >= settings.custom_min_examples_per_label for count in counts.values())
    pending = changed + removed
    # Every ``every``-th change, not each one after it: a training already queued covers those.
    if pending and pending % every == 0 and (trainable or classifier is not None):
        session.commit()
        request_training(owner_id)


def request_training(
    session: Session,
    *,
    owner_id: uuid.UUID,
    settings: Settings,
    request: RequestTraining,
) -> HeadStatus:
    """Queue the training of the seller's head (409 when no label has enough examples)."""
    status = head_status(session, owner_id=owner_id, settings=settings)
    if not status.trainable_labels:
        raise ConflictError(
            "not_enough_examples",
            f"Label at least {settings.custom_min_examples_per_label} analysed images with one "
            "label before training.",
        )
    session.commit()
    request(owner_id)
    return status


@dataclass(frozen=True)
class HeadStatus:
    classifier: CustomClassifier | None
    label_counts: dict[str, int]  # corrected images with an embedding, per label
    trainable_labels: list[str]
    corrections_since_training: int
    min_examples_per_label: int
    metrics: dict[str, Any] = field(default_factory=dict)


def head_status(session: Session, *, owner_id: uuid.UUID, settings: Settings) -> HeadStatus:
    classifier = repository.get_classifier(session, owner_id=owner_id)
    counts = Counter(row.label for row in repository.training_rows(session, owner_id=owner_id))
    minimum = settings.custom_min_examples_per_label
    return HeadStatus(
        classifier=classifier,
        label_counts=dict(sorted(counts.items())),
        trainable_labels=sorted(label for label, count in counts.items() if count >= minimum),
        corrections_since_training=repository.changed_since(
            session, owner_id=owner_id, when=classifier.trained_at if classifier else None
        ),
        min_examples_per_label=minimum,
        metrics=dict(classifier.metrics) if classifier else {},
    )


def delete_head(session: Session, *, owner_id: uuid.UUID) -> None:
    if not repository.delete_classifier(session, owner_id=owner_id):
        raise NotFoundError("classifier_not_found", "You have no custom classifier.")


def train_head(
    session: Session, *, owner_id: uuid.UUID, settings: Settings, now: datetime | None = None
) -> CustomClassifier | None:
    """Train the seller's head on their corrections (the worker task's body).

    Examples from the embedding space most of them share are used (a backbone change leaves
    the others out until their images are analysed again). With no trainable label left, the
    head is removed and the base taxonomy answers alone.
    """
    started = now or utcnow()
    rows = repository.training_rows(session, owner_id=owner_id)
    spaces = Counter(embedding_space(row.model_version) for row in rows)
    if not spaces:
        repository.delete_classifier(session, owner_id=owner_id)
        return None
    space = spaces.most_common(1)[0][0]
    examples = [
        few_shot.Example(label=row.label, embedding=from_bytes(row.vector, row.dimensions))
        for row in rows
        if embedding_space(row.model_version) == space
    ]
    try:
        head, report = few_shot.train(
            examples,
            embedding_space=space,
            min_examples_per_label=settings.custom_min_examples_per_label,
            gate_slack=settings.custom_gate_slack,
            min_gate=settings.custom_min_similarity,
        )
    except few_shot.NotEnoughExamplesError as exc:
        logger.info("custom_head_not_trained", user_id=str(owner_id), reason=str(exc))
        repository.delete_classifier(session, owner_id=owner_id)
        return None
    classifier = repository.save_classifier(
        session,
        owner_id=owner_id,
        version=few_shot.head_version(head),
        labels=head.labels,
        parameters=head.to_bytes(),
        example_count=report.examples,
        metrics={**report.to_dict(), "embedding_space": space},
        trained_at=started,
    )
    logger.info(
        "custom_head_trained",
        user_id=str(owner_id),
        version=classifier.version,
        labels=len(head.labels),
        examples=report.examples,
    )
    return classifier
