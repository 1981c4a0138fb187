"""Queries over ``processing_jobs`` and ``job_steps``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, selectinload

from backend.domain.pagination import Page, PageRequest, paginate
from backend.shared.db.enums import JobStatus, StepStatus
from backend.shared.db.models import JobStep, ProcessingJob


@dataclass(frozen=True, slots=True)
class JobFilter:
    status: str | None = None
    job_type: str | None = None


def _owned(owner_id: uuid.UUID) -> Select[ProcessingJob]:
    return select(ProcessingJob).where(ProcessingJob.user_id == owner_id)


def get_for_owner(
    session: Session, *, owner_id: uuid.UUID, job_id: uuid.UUID, with_steps: bool = False
) -> ProcessingJob | None:
    query = _owned(owner_id).where(ProcessingJob.id == job_id)
    if with_steps:
        query = query.options(selectinload(ProcessingJob.steps))
    return session.scalar(query)


def get(session: Session, *, job_id: uuid.UUID) -> ProcessingJob | None:
    """Unscoped lookup for workers."""
    return session.get(ProcessingJob, job_id)


def list_for_owner(
    session: Session, *, owner_id: uuid.UUID, filters: JobFilter, page: PageRequest
) -> Page[ProcessingJob]:
    query = _owned(owner_id)
    if filters.status:
        query = query.where(ProcessingJob.status == filters.status)
    if filters.job_type:
        query = query.where(ProcessingJob.job_type == filters.job_type)
    query = query.order_by(ProcessingJob.created_at.desc(), ProcessingJob.id)
    return paginate(session, query, page)


def add(session: Session, job: ProcessingJob) -> ProcessingJob:
    session.add(job)
    session.flush()
    return job


def steps_for_image(
    session: Session, *, job_id: uuid.UUID, image_id: uuid.UUID
) -> Sequence[JobStep]:
    return session.scalars(
        select(JobStep)
        .where(JobStep.job_id == job_id, JobStep.product_image_id == image_id)
        .order_by(JobStep.created_at, JobStep.id)
    ).all()


def increment_counters(
    session: Session, *, job_id: uuid.UUID, processed: int = 0, failed: int = 0
) -> None:
    """Atomic in SQL, so concurrent workers never lose an update."""
    session.execute(
        update(ProcessingJob)
        .where(ProcessingJob.id == job_id)
        .values(
            processed_images=ProcessingJob.processed_images + processed,
            failed_images=ProcessingJob.failed_images + failed,
        )
    )


def steps_needing_recovery(
    session: Session, *, pending_before: datetime, running_before: datetime, limit: int
) -> Sequence[JobStep]:
    """Steps of live jobs left pending, or running past their lease."""
    query = (
        select(JobStep)
        .join(ProcessingJob, ProcessingJob.id == JobStep.job_id)
        .where(
            ProcessingJob.status.in_([JobStatus.PENDING, JobStatus.RUNNING]),
            ((JobStep.status == StepStatus.PENDING) & (JobStep.created_at <= pending_before))
            | ((JobStep.status == StepStatus.RUNNING) & (JobStep.started_at <= running_before)),
        )
        .order_by(JobStep.created_at)
        .limit(limit)
    )
    return session.scalars(query).all()


def latest_steps_for_image(session: Session, *, image_id: uuid.UUID) -> Sequence[JobStep]:
    """The steps of the newest job that touched the image."""
    latest_job_id = session.scalar(
        select(JobStep.job_id)
        .where(JobStep.product_image_id == image_id)
        .order_by(JobStep.created_at.desc())
        .limit(1)
    )
    if latest_job_id is None:
        return []
    return steps_for_image(session, job_id=latest_job_id, image_id=image_id)
