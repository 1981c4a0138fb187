"""State changes of steps and jobs while workers run them.

Exactly-once bookkeeping without distributed locks: a worker *claims* a step with a fresh lease
token, and its results only count if the step still carries that token when it finishes. A
redelivered or duplicated task simply re-claims the step; the older run's writes are rolled
back. Image counters move in the same transaction as the step that ends the image, so they are
exact whatever crashes or repeats.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, select, update
from sqlalchemy.orm import Session

from backend.domain.jobs import repository
from backend.shared.db.enums import JobStatus, StepStatus
from backend.shared.db.models import JobStep, ProcessingJob
from backend.shared.db.types import utcnow

CLAIMABLE = (StepStatus.PENDING, StepStatus.RUNNING)


class LeaseLostError(Exception):
    """Another run of the same step took it over; this run's results must not be kept."""


@dataclass(frozen=True, slots=True)
class Claim:
    step_id: uuid.UUID
    token: uuid.UUID


def claim(session: Session, *, step: JobStep) -> Claim | None:
    """Take the step for this run (pending, or running but abandoned); ``None`` if it is over."""
    token = uuid.uuid4()
    now = utcnow()
    result = session.execute(
        update(JobStep)
        .where(JobStep.id == step.id, JobStep.status.in_(CLAIMABLE))
        .values(
            status=StepStatus.RUNNING,
            started_at=now,
            completed_at=None,
            lease_token=token,
            attempts=JobStep.attempts + 1,
            error_message=None,
        )
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        return None
    session.execute(
        update(ProcessingJob)
        .where(ProcessingJob.id == step.job_id, ProcessingJob.status == JobStatus.PENDING)
        .values(status=JobStatus.RUNNING, started_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return Claim(step_id=step.id, token=token)


def complete(
    session: Session, *, claim: Claim, result_data: dict[str, Any], duration_ms: int
) -> None:
    _finish(
        session,
        claim=claim,
        values={
            "status": StepStatus.COMPLETED,
            "duration_ms": duration_ms,
            "result_data": result_data,
        },
    )


def fail(
    session: Session,
    *,
    claim: Claim,
    error: str,
    duration_ms: int,
    transient: bool,
) -> None:
    _finish(
        session,
        claim=claim,
        values={
            "status": StepStatus.FAILED,
            "duration_ms": duration_ms,
            "error_message": error,
            "result_data": {"error_kind": "transient" if transient else "permanent"},
        },
    )


def release(session: Session, *, claim: Claim) -> None:
    """Hand a step back as pending (a transient error: the task retries it later)."""
    session.execute(
        update(JobStep)
        .where(JobStep.id == claim.step_id, JobStep.lease_token == claim.token)
        .values(status=StepStatus.PENDING, lease_token=None)
        .execution_options(synchronize_session=False)
    )


def skip_remaining(session: Session, *, job_id: uuid.UUID, image_id: uuid.UUID) -> None:
    session.execute(
        update(JobStep)
        .where(
            JobStep.job_id == job_id,
            JobStep.product_image_id == image_id,
            JobStep.status == StepStatus.PENDING,
        )
        .values(status=StepStatus.SKIPPED, completed_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _finish(session: Session, *, claim: Claim, values: dict[str, Any]) -> None:
    result = session.execute(
        update(JobStep)
        .where(JobStep.id == claim.step_id, JobStep.lease_token == claim.token)
        .values(completed_at=utcnow(), lease_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        raise LeaseLostError(f"step {claim.step_id} was taken over by another run")


def count_image(session: Session, *, job_id: uuid.UUID, succeeded: bool) -> ProcessingJob | None:
    """Count one finished image; returns the job when this image finished the whole job."""
    repository.increment_counters(
        session, job_id=job_id, processed=1 if succeeded else 0, failed=0 if succeeded else 1
    )
    return finish_job_if_done(session, job_id=job_id)


def finish_job_if_done(session: Session, *, job_id: uuid.UUID) -> ProcessingJob | None:
    """Close the job once every image is counted; only one caller ever sees it happen."""
    now = utcnow()
    done = (
        ProcessingJob.processed_images + ProcessingJob.failed_images >= ProcessingJob.total_images
    )
    final_status = case(
        (ProcessingJob.failed_images == 0, JobStatus.COMPLETED),
        (ProcessingJob.processed_images == 0, JobStatus.FAILED),
        else_=JobStatus.COMPLETED_WITH_ERRORS,
    )
    result = session.execute(
        update(ProcessingJob)
        .where(
            and_(
                ProcessingJob.id == job_id,
                ProcessingJob.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
                done,
            )
        )
        .values(status=final_status, completed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(result, "rowcount", 0):
        session.execute(
            update(ProcessingJob)
            .where(ProcessingJob.id == job_id)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return None
    job = session.get(ProcessingJob, job_id, populate_existing=True)
    if job is not None and job.status == JobStatus.FAILED:
        job.error_message = "Every image of the job failed; see the steps for each reason."
    return job


def image_steps(session: Session, *, job_id: uuid.UUID, image_id: uuid.UUID) -> Sequence[JobStep]:
    return repository.steps_for_image(session, job_id=job_id, image_id=image_id)


def pending_image_ids(session: Session, *, job_id: uuid.UUID) -> list[uuid.UUID]:
    """Images of the job that still have steps to run."""
    rows = session.scalars(
        select(JobStep.product_image_id)
        .where(JobStep.job_id == job_id, JobStep.status.in_(CLAIMABLE))
        .distinct()
    )
    return [image_id for image_id in rows if image_id is not None]
