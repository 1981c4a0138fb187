from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from backend.domain.corrections import service as corrections_service
from backend.domain.corrections.service import HeadStatus, RequestTraining
from backend.domain.pagination import PageRequest
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.corrections.schemas import (
    ClassifierPublic,
    CorrectionIn,
    CorrectionPublic,
    CorrectionsPublic,
    LabelCount,
)
from backend.fastapi_app.deps import CurrentUser, SessionDep, SettingsDep
from backend.shared.db.models import ClassificationCorrection
from backend.workers.corrections import request_training

router = APIRouter(tags=["corrections"])


def _trainer() -> RequestTraining:
    return request_training


TrainerDep = Annotated[RequestTraining, Depends(_trainer)]


@router.put(
    "/images/{image_id}/correction",
    response_model=CorrectionPublic,
    responses=problems(401, 404, 409, 422),
)
def set_correction(
    image_id: uuid.UUID,
    body: CorrectionIn,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    trainer: TrainerDep,
) -> ClassificationCorrection:
    """Your label for the image: shown on its analysis at once, and learnt by your head."""
    return corrections_service.set_correction(
        session,
        owner_id=user.id,
        image_id=image_id,
        label=body.label,
        settings=settings,
        request_training=trainer,
    )


@router.get(
    "/images/{image_id}/correction",
    response_model=CorrectionPublic,
    responses=problems(401, 404, 422),
)
def get_correction(
    image_id: uuid.UUID, session: SessionDep, user: CurrentUser
) -> ClassificationCorrection:
    return corrections_service.get_correction(session, owner_id=user.id, image_id=image_id)


@router.delete(
    "/images/{image_id}/correction",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(401, 404, 422),
)
def delete_correction(
    image_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    trainer: TrainerDep,
) -> None:
    """Forget your label; the analysis shows the model's answer again."""
    corrections_service.remove_correction(
        session, owner_id=user.id, image_id=image_id, settings=settings, request_training=trainer
    )


@router.get("/corrections", response_model=CorrectionsPublic, responses=problems(401, 422))
def list_corrections(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    label: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> CorrectionsPublic:
    page = corrections_service.list_corrections(
        session, owner_id=user.id, label=label, page=PageRequest(limit=limit, offset=offset)
    )
    return CorrectionsPublic(
        data=[CorrectionPublic.model_validate(item) for item in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


def _classifier_public(head: HeadStatus, *, queued: bool = False) -> ClassifierPublic:
    classifier = head.classifier
    known = set(classifier.labels) if classifier else set()
    return ClassifierPublic(
        trained=classifier is not None,
        version=classifier.version if classifier else None,
        labels=list(classifier.labels) if classifier else [],
        example_count=classifier.example_count if classifier else 0,
        trained_at=classifier.trained_at if classifier else None,
        metrics=head.metrics,
        label_counts=[
            LabelCount(label=label, examples=count, in_head=label in known)
            for label, count in head.label_counts.items()
        ],
        trainable_labels=head.trainable_labels,
        min_examples_per_label=head.min_examples_per_label,
        corrections_since_training=head.corrections_since_training,
        training_queued=queued,
    )


@router.get("/classifiers/me", response_model=ClassifierPublic, responses=problems(401))
def get_my_classifier(
    session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> ClassifierPublic:
    """Your custom head: its labels, version, metrics, and what could be trained next."""
    return _classifier_public(
        corrections_service.head_status(session, owner_id=user.id, settings=settings)
    )


@router.post(
    "/classifiers/train",
    response_model=ClassifierPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(401, 409),
)
def train_my_classifier(
    session: SessionDep, user: CurrentUser, settings: SettingsDep, trainer: TrainerDep
) -> ClassifierPublic:
    """Queue the training of your head (seconds, in a worker); poll /classifiers/me."""
    head = corrections_service.request_training(
        session, owner_id=user.id, settings=settings, request=trainer
    )
    return _classifier_public(head, queued=True)


@router.delete(
    "/classifiers/me", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 404)
)
def delete_my_classifier(session: SessionDep, user: CurrentUser) -> None:
    """Drop your head: the base taxonomy answers alone (your corrections stay)."""
    corrections_service.delete_head(session, owner_id=user.id)
