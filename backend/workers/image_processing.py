"""``image_processing.process_image``: the whole pipeline for one image of a job."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from celery import Task, shared_task
from sqlalchemy.exc import DBAPIError

from backend.domain.analysis import flow
from backend.shared.config import get_settings
from backend.shared.db.enums import StepName
from backend.workers import runtime

logger = structlog.get_logger(__name__)

ML_SOFT_TIME_LIMIT_S = 240
ML_TIME_LIMIT_S = 300


def run_with_retries(
    task: Task[Any, Any],
    *,
    job_id: str,
    image_id: str,
    only_steps: Sequence[StepName] | None = None,
) -> dict[str, Any]:
    """Run steps of one image; transient failures retry with backoff up to the limit."""
    structlog.contextvars.bind_contextvars(job_id=job_id, image_id=image_id)
    try:
        report = flow.run_image(
            job_id=uuid.UUID(job_id),
            image_id=uuid.UUID(image_id),
            storage=runtime.storage(),
            settings=get_settings(),
            publish=runtime.publish,
            only_steps=only_steps,
        )
    except (flow.TransientStepError, DBAPIError) as exc:
        retries = task.request.retries
        if retries >= get_settings().task_max_retries:
            logger.warning("image_gave_up", error=str(exc), retries=retries)
            flow.fail_after_retries(
                job_id=uuid.UUID(job_id),
                image_id=uuid.UUID(image_id),
                error=flow.describe_error(exc),
                publish=runtime.publish,
            )
            return {"status": "failed", "reason": "retries exhausted"}
        logger.info("image_retry", error=str(exc), retries=retries)
        raise task.retry(exc=exc, countdown=runtime.retry_countdown(retries)) from exc
    finally:
        structlog.contextvars.unbind_contextvars("job_id", "image_id")
    return {
        "ran_steps": report.ran_steps,
        "image_finished": report.image_finished,
        "job_finished": report.job_finished,
    }


@shared_task(
    name="image_processing.process_image",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    soft_time_limit=ML_SOFT_TIME_LIMIT_S,
    time_limit=ML_TIME_LIMIT_S,
)
def process_image(self: Task[Any, Any], job_id: str, image_id: str) -> dict[str, Any]:
    """Decode once, then preprocess, classify, extract attributes, detect defects, describe."""
    return run_with_retries(self, job_id=job_id, image_id=image_id)


def step_task(name: str, step: StepName, doc: str) -> Task[Any, Any]:
    """A task that runs only ``step`` of an image (e.g. to redo one step on its own)."""

    def run_step(self: Task[Any, Any], job_id: str, image_id: str) -> dict[str, Any]:
        return run_with_retries(self, job_id=job_id, image_id=image_id, only_steps=[step])

    run_step.__doc__ = doc
    run_step.__name__ = name.rsplit(".", 1)[-1]
    task: Task[Any, Any] = shared_task(
        name=name,
        bind=True,
        acks_late=True,
        reject_on_worker_lost=True,
        max_retries=None,
        soft_time_limit=ML_SOFT_TIME_LIMIT_S,
        time_limit=ML_TIME_LIMIT_S,
    )(run_step)
    return task
