from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from backend.domain.analysis.service import model_version_for
from backend.domain.jobs import repository as jobs_repository
from backend.domain.jobs import service as jobs_service
from backend.domain.pagination import PageRequest
from backend.fastapi_app.api.v1.common import problems
from backend.fastapi_app.api.v1.jobs.schemas import (
    JobCreate,
    JobDetail,
    JobPublic,
    JobsPublic,
    JobStatusFilter,
)
from backend.fastapi_app.deps import CurrentUser, DispatcherDep, SessionDep
from backend.shared.db.models import ProcessingJob

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.post(
    "",
    response_model=JobPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problems(401, 404, 409, 422),
)
def create_job(
    body: JobCreate, session: SessionDep, user: CurrentUser, dispatcher: DispatcherDep
) -> ProcessingJob:
    """A batch job over images and/or whole products (or every stale image)."""
    return jobs_service.create_batch(
        session,
        dispatcher,
        owner_id=user.id,
        image_ids=body.image_ids,
        product_ids=body.product_ids,
        only_stale=body.only_stale,
        model_version_for=model_version_for,
    )


@router.get("", response_model=JobsPublic, responses=problems(401, 422))
def list_jobs(
    session: SessionDep,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    status_filter: Annotated[JobStatusFilter | None, Query(alias="status")] = None,
    job_type: Literal["single", "batch"] | None = None,
) -> JobsPublic:
    page = jobs_service.list_for_owner(
        session,
        owner_id=user.id,
        filters=jobs_repository.JobFilter(status=status_filter, job_type=job_type),
        page=PageRequest(limit=limit, offset=offset),
    )
    return JobsPublic(
        data=[JobPublic.model_validate(job) for job in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/{job_id}", response_model=JobDetail, responses=problems(401, 404, 422))
def get_job(job_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> ProcessingJob:
    return jobs_service.get_or_raise(session, owner_id=user.id, job_id=job_id, with_steps=True)


@router.post("/{job_id}/cancel", response_model=JobPublic, responses=problems(401, 404, 409, 422))
def cancel_job(job_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> ProcessingJob:
    return jobs_service.cancel(session, owner_id=user.id, job_id=job_id)


@router.post("/{job_id}/retry", response_model=JobPublic, responses=problems(401, 404, 409, 422))
def retry_job(
    job_id: uuid.UUID, session: SessionDep, user: CurrentUser, dispatcher: DispatcherDep
) -> ProcessingJob:
    """Queue the job's failed images again."""
    return jobs_service.retry_failed(session, dispatcher, owner_id=user.id, job_id=job_id)
