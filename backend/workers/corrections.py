"""``corrections.train_classifier``: train one seller's few-shot head (default queue, seconds)."""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from celery import shared_task

from backend.domain.corrections import service as corrections_service
from backend.shared.config import get_settings
from backend.shared.db.session import session_scope
from backend.workers.celery_app import DEFAULT_QUEUE, get_celery_app

logger = structlog.get_logger(__name__)

TRAIN_TASK = "corrections.train_classifier"


@shared_task(
    name=TRAIN_TASK,
    ignore_result=True,
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
)
def train_classifier(user_id: str) -> dict[str, Any]:
    """Train the seller's head on their corrections; their next images use it."""
    with session_scope() as session:
        classifier = corrections_service.train_head(
            session, owner_id=uuid.UUID(user_id), settings=get_settings()
        )
        if classifier is None:
            return {"trained": False}
        return {
            "trained": True,
            "version": classifier.version,
            "labels": list(classifier.labels),
            "examples": classifier.example_count,
        }


def request_training(user_id: uuid.UUID) -> None:
    """Queue a training (what the API and the corrections service call)."""
    get_celery_app().send_task(
        TRAIN_TASK,
        kwargs={"user_id": str(user_id)},
        queue=DEFAULT_QUEUE,
        routing_key=DEFAULT_QUEUE,
    )
