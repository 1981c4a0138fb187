"""The recovery sweep: whatever a crash, restart or lost message left unfinished is queued again.

Re-queueing is always safe: a step that already completed is never redone, and a step another
run still holds is taken over through its lease (see :mod:`backend.domain.jobs.progress`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.domain.jobs import repository as jobs_repository
from backend.domain.jobs import service as jobs_service
from backend.domain.jobs.dispatch import JobDispatcher
from backend.shared.config import Settings
from backend.shared.db.enums import JobStatus, StepStatus
from backend.shared.db.models import JobStep, ProcessingJob
from backend.shared.db.types import utcnow

logger = structlog.get_logger(__name__)

SWEEP_BATCH = 5000
LIVE_JOB_STATES = (JobStatus.PENDING, JobStatus.RUNNING)
RETRYABLE_JOB_STATES = (JobStatus.COMPLETED_WITH_ERRORS, JobStatus.FAILED)


@dataclass(frozen=True, slots=True)
class SweepReport:
    requeued_images: int
    requeued_jobs: int
    retried_jobs: int


def sweep(
    session: Session,
    dispatcher: JobDispatcher,
    settings: Settings,
    *,
    now: datetime | None = None,
    after_restart: bool = False,
) -> SweepReport:
    """Re-queue abandoned work, and give failed jobs with passing errors another chance.

    ``after_restart``: nothing can be in flight (embedded mode just started), so every
    unfinished step of a live job is queued again at once.
    """
    now = now or utcnow()
    work = _abandoned_work(session, settings, now=now, after_restart=after_restart)
    for job_id in work:
        session.execute(
            update(ProcessingJob).where(ProcessingJob.id == job_id).values(updated_at=now)
        )
    retried = _retry_transient_failures(session, settings)
    session.commit()
    for job_id, pending_images in work.items():
        try:
            dispatcher.dispatch(job_id=job_id, image_ids=sorted(pending_images))
        except Exception as exc:  # noqa: BLE001 - the next sweep tries again
            logger.warning("recovery_dispatch_failed", job_id=str(job_id), error=str(exc))
    for job_id, image_ids in retried.items():
        try:
            dispatcher.dispatch(job_id=job_id, image_ids=image_ids)
        except Exception as exc:  # noqa: BLE001 - the next sweep tries again
            logger.warning("recovery_dispatch_failed", job_id=str(job_id), error=str(exc))
    report = SweepReport(
        requeued_images=sum(len(images) for images in work.values()),
        requeued_jobs=len(work),
        retried_jobs=len(retried),
    )
    if report.requeued_images or report.retried_jobs:
        logger.info(
            "recovery_sweep",
            requeued_images=report.requeued_images,
            requeued_jobs=report.requeued_jobs,
            retried_jobs=report.retried_jobs,
        )
    return report


def _abandoned_work(
    session: Session, settings: Settings, *, now: datetime, after_restart: bool
) -> dict[uuid.UUID, set[uuid.UUID]]:
    lease_expired = now - timedelta(seconds=settings.step_lease_seconds)
    stalled = now - timedelta(seconds=settings.recovery_stalled_after_seconds)
    query = (
        select(JobStep.job_id, JobStep.product_image_id)
        .join(ProcessingJob, ProcessingJob.id == JobStep.job_id)
        .where(ProcessingJob.status.in_(LIVE_JOB_STATES))
    )
    if after_restart:
        query = query.where(JobStep.status.in_([StepStatus.PENDING, StepStatus.RUNNING]))
    else:
        query = query.where(
            ((JobStep.status == StepStatus.RUNNING) & (JobStep.started_at <= lease_expired))
            | ((JobStep.status == StepStatus.PENDING) & (ProcessingJob.updated_at <= stalled))
        )
    work: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for job_id, image_id in session.execute(query.distinct().limit(SWEEP_BATCH)):
        if image_id is not None:
            work[job_id].add(image_id)
    return dict(work)


def _retry_transient_failures(
    session: Session, settings: Settings
) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Failed images whose last error may pass (gave up after retries) get a fresh run."""
    failed = session.execute(
        select(JobStep.job_id, JobStep.product_image_id, JobStep.result_data)
        .join(ProcessingJob, ProcessingJob.id == JobStep.job_id)
        .where(
            ProcessingJob.status.in_(RETRYABLE_JOB_STATES),
            JobStep.status == StepStatus.FAILED,
        )
        .limit(SWEEP_BATCH)
    )
    candidates: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for job_id, image_id, result_data in failed:
        if image_id is not None and (result_data or {}).get("error_kind") == "transient":
            candidates[job_id].append(image_id)
    retried: dict[uuid.UUID, list[uuid.UUID]] = {}
    for job_id, image_ids in candidates.items():
        job = session.get(ProcessingJob, job_id)
        if job is None:
            continue
        attempts = int((job.metadata_ or {}).get("auto_retries", 0))
        if attempts >= settings.job_auto_retry_limit:
            continue
        jobs_service.reset_image_steps(session, job_id=job_id, image_ids=image_ids)
        jobs_repository.increment_counters(session, job_id=job_id, failed=-len(image_ids))
        job.status = JobStatus.PENDING
        job.completed_at = None
        job.metadata_ = {**(job.metadata_ or {}), "auto_retries": attempts + 1}
        retried[job_id] = image_ids
    return retried
