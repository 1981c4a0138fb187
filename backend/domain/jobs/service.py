"""Processing jobs: creating, queueing, cancelling and retrying the analysis of images.

The database is the source of truth: a job and one ``job_steps`` row per image and step are
written before anything is queued, so the recovery sweep can always finish what was started.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.domain.analysis import repository as analysis_repository
from backend.domain.corrections import repository as corrections_repository
from backend.domain.errors import ConflictError, InvalidInputError, NotFoundError
from backend.domain.images import repository as images_repository
from backend.domain.jobs import repository
from backend.domain.jobs.dispatch import JobDispatcher
from backend.domain.pagination import Page, PageRequest
from backend.domain.products import repository as products_repository
from backend.ml import few_shot
from backend.shared.db.enums import (
    AnalysisStatus,
    JobStatus,
    JobType,
    ProductStatus,
    StepName,
    StepStatus,
)
from backend.shared.db.models import AnalysisResult, JobStep, ProcessingJob, ProductImage
from backend.shared.db.types import utcnow

logger = structlog.get_logger(__name__)

PIPELINE_STEPS: tuple[StepName, ...] = tuple(StepName)
MAX_IMAGES_PER_JOB = 10_000


def create(
    session: Session,
    *,
    owner_id: uuid.UUID,
    images: Sequence[ProductImage],
    job_type: JobType,
    metadata: dict[str, Any] | None = None,
) -> ProcessingJob:
    """A pending job with every step of every image recorded as pending."""
    if not images:
        raise InvalidInputError("no_images", "The job has no uploaded images to analyse.")
    if len(images) > MAX_IMAGES_PER_JOB:
        raise InvalidInputError(
            "too_many_images", f"A job can hold at most {MAX_IMAGES_PER_JOB} images."
        )
    job = repository.add(
        session,
        ProcessingJob(
            user_id=owner_id,
            job_type=job_type,
            status=JobStatus.PENDING,
            total_images=len(images),
            metadata_=metadata or {},
        ),
    )
    session.add_all(
        JobStep(job_id=job.id, step_name=step, product_image_id=image.id)
        for image in images
        for step in PIPELINE_STEPS
    )
    for image in images:
        analysis = analysis_repository.get_or_create_for_image(session, image_id=image.id)
        # A completed analysis stays visible (and counted) until the new run replaces it.
        if analysis.status != AnalysisStatus.COMPLETED:
            analysis.status = AnalysisStatus.PENDING
            analysis.error_message = None
    for product_id in {image.product_id for image in images}:
        products_repository.set_status(
            session, product_id=product_id, status=ProductStatus.PROCESSING
        )
    session.flush()
    return job


def submit(
    session: Session,
    dispatcher: JobDispatcher,
    *,
    job: ProcessingJob,
    image_ids: Sequence[uuid.UUID],
) -> None:
    """Commit the job's rows, then queue them; a broker hiccup leaves them to the recovery sweep."""
    session.commit()
    try:
        dispatcher.dispatch(job_id=job.id, image_ids=image_ids)
    except Exception as exc:  # noqa: BLE001 - the sweep re-queues pending steps
        logger.warning("job_dispatch_failed", job_id=str(job.id), error=str(exc))


def analyze_image(
    session: Session, dispatcher: JobDispatcher, *, owner_id: uuid.UUID, image: ProductImage
) -> ProcessingJob:
    job = create(session, owner_id=owner_id, images=[image], job_type=JobType.SINGLE)
    submit(session, dispatcher, job=job, image_ids=[image.id])
    return job


def reanalyze(
    session: Session, dispatcher: JobDispatcher, *, owner_id: uuid.UUID, image_id: uuid.UUID
) -> ProcessingJob:
    image = images_repository.get_for_owner(session, owner_id=owner_id, image_id=image_id)
    if image is None:
        raise NotFoundError("image_not_found", "No such image.")
    if image.upload_status != "uploaded":
        raise ConflictError("image_not_uploaded", "The image has not been uploaded yet.")
    return analyze_image(session, dispatcher, owner_id=owner_id, image=image)


def create_batch(
    session: Session,
    dispatcher: JobDispatcher,
    *,
    owner_id: uuid.UUID,
    image_ids: Sequence[uuid.UUID] = (),
    product_ids: Sequence[uuid.UUID] = (),
    only_stale: bool = False,
    model_version_for: Callable[[uuid.UUID], str] | None = None,
) -> ProcessingJob:
    """A batch over the given images and/or every uploaded image of the given products."""
    if not image_ids and not product_ids and not only_stale:
        raise InvalidInputError(
            "empty_selection", "Give image_ids, product_ids, or only_stale=true."
        )
    images = list(
        images_repository.list_uploaded_for_owner(
            session, owner_id=owner_id, image_ids=image_ids, product_ids=product_ids
        )
    )
    missing = set(image_ids) - {image.id for image in images}
    if missing:
        raise NotFoundError(
            "image_not_found", f"{len(missing)} of the requested images do not exist."
        )
    if only_stale:
        head = corrections_repository.head_version(session, owner_id=owner_id)
        images = [
            image
            for image in images
            if _is_stale(
                image.analysis, model_version_for(image.id) if model_version_for else None, head
            )
        ]
        if not images:
            raise ConflictError("nothing_stale", "Every selected image is already up to date.")
    job = create(
        session,
        owner_id=owner_id,
        images=images,
        job_type=JobType.BATCH,
        metadata={"only_stale": only_stale} if only_stale else None,
    )
    submit(session, dispatcher, job=job, image_ids=[image.id for image in images])
    return job


def _is_stale(
    analysis: AnalysisResult | None, current_model_version: str | None, head_version: str | None
) -> bool:
    """Not analysed, or analysed by another backbone or another version of the seller's head."""
    if analysis is None or analysis.status != AnalysisStatus.COMPLETED:
        return True
    backbone, consulted_head = few_shot.parse_model_version(analysis.model_version or "")
    if current_model_version is not None and backbone != current_model_version:
        return True
    return consulted_head != head_version


def get_or_raise(
    session: Session, *, owner_id: uuid.UUID, job_id: uuid.UUID, with_steps: bool = False
) -> ProcessingJob:
    job = repository.get_for_owner(session, owner_id=owner_id, job_id=job_id, with_steps=with_steps)
    if job is None:
        raise NotFoundError("job_not_found", "No such job.")
    return job


def list_for_owner(
    session: Session, *, owner_id: uuid.UUID, filters: repository.JobFilter, page: PageRequest
) -> Page[ProcessingJob]:
    return repository.list_for_owner(session, owner_id=owner_id, filters=filters, page=page)


def cancel(session: Session, *, owner_id: uuid.UUID, job_id: uuid.UUID) -> ProcessingJob:
    """Stop a job: its pending steps are cancelled, and workers skip them."""
    job = get_or_raise(session, owner_id=owner_id, job_id=job_id)
    if JobStatus(job.status).is_final:
        raise ConflictError("job_finished", f"The job is already {job.status}.")
    now = utcnow()
    session.execute(
        update(JobStep)
        .where(JobStep.job_id == job.id, JobStep.status == StepStatus.PENDING)
        .values(status=StepStatus.CANCELLED, completed_at=now)
    )
    job.status = JobStatus.CANCELLED
    job.completed_at = now
    session.flush()
    return job


def retry_failed(
    session: Session, dispatcher: JobDispatcher, *, owner_id: uuid.UUID, job_id: uuid.UUID
) -> ProcessingJob:
    """Run the images whose analysis failed once more, within the same job."""
    job = get_or_raise(session, owner_id=owner_id, job_id=job_id)
    if not JobStatus(job.status).is_final:
        raise ConflictError("job_running", "The job is still running; retry once it finishes.")
    failed_image_ids = list(
        session.scalars(
            select(JobStep.product_image_id)
            .where(JobStep.job_id == job.id, JobStep.status == StepStatus.FAILED)
            .distinct()
        )
    )
    image_ids = [image_id for image_id in failed_image_ids if image_id is not None]
    if not image_ids:
        raise ConflictError("nothing_to_retry", "The job has no failed images.")
    reset_image_steps(session, job_id=job.id, image_ids=image_ids)
    repository.increment_counters(session, job_id=job.id, failed=-len(image_ids))
    job.status = JobStatus.PENDING
    job.completed_at = None
    job.error_message = None
    session.flush()
    submit(session, dispatcher, job=job, image_ids=image_ids)
    session.refresh(job)
    return job


def reset_image_steps(
    session: Session, *, job_id: uuid.UUID, image_ids: Sequence[uuid.UUID]
) -> None:
    session.execute(
        update(JobStep)
        .where(JobStep.job_id == job_id, JobStep.product_image_id.in_(image_ids))
        .values(
            status=StepStatus.PENDING,
            started_at=None,
            completed_at=None,
            duration_ms=None,
            error_message=None,
            result_data={},
        )
    )
    session.execute(
        update(AnalysisResult)
        .where(AnalysisResult.product_image_id.in_(image_ids))
        .values(status=AnalysisStatus.PENDING, error_message=None)
    )
