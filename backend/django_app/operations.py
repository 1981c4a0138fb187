"""What the admin's actions do: calls into the shared services on SQLAlchemy sessions.

The admin reads through Django's ORM but never changes rows itself: deactivation, analysis
re-runs, retries and cancellations follow exactly the rules the API follows. Each object runs
in its own transaction, so one refusal does not undo the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import structlog
from sqlalchemy.orm import Session

from backend.domain.auth import service as auth_service
from backend.domain.errors import DomainError, NotFoundError
from backend.domain.jobs import service as jobs_service
from backend.domain.jobs.dispatch import JobDispatcher
from backend.domain.users import service as users_service
from backend.shared.db.models import ProcessingJob, Product, ProductImage
from backend.shared.db.session import session_scope
from backend.workers.dispatcher import get_dispatcher

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Refusal:
    object_id: uuid.UUID
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """Which objects the action changed, and why the others were left alone."""

    done: list[uuid.UUID] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def _each(
    object_ids: Sequence[uuid.UUID], operation: Callable[[Session, uuid.UUID], None]
) -> Outcome:
    outcome = Outcome()
    for object_id in object_ids:
        try:
            with session_scope() as session:
                operation(session, object_id)
        except DomainError as exc:
            outcome.refused.append(Refusal(object_id=object_id, reason=exc.message))
            continue
        outcome.done.append(object_id)
    return outcome


def deactivate_users(user_ids: Sequence[uuid.UUID], *, acting_user_id: uuid.UUID) -> Outcome:
    """Deactivate accounts and end every login they hold (their refresh tokens are revoked)."""

    def deactivate(session: Session, user_id: uuid.UUID) -> None:
        if user_id == acting_user_id:
            raise DomainError("own_account", "You cannot deactivate your own account.")
        auth_service.deactivate(session, user_id=user_id)
        logger.info("admin_user_deactivated", user_id=str(user_id), by=str(acting_user_id))

    return _each(user_ids, deactivate)


def reactivate_users(user_ids: Sequence[uuid.UUID], *, acting_user_id: uuid.UUID) -> Outcome:
    def reactivate(session: Session, user_id: uuid.UUID) -> None:
        users_service.set_active(session, user_id=user_id, active=True)
        logger.info("admin_user_reactivated", user_id=str(user_id), by=str(acting_user_id))

    return _each(user_ids, reactivate)


def rerun_images(
    image_ids: Sequence[uuid.UUID], *, dispatcher: JobDispatcher | None = None
) -> Outcome:
    """Queue a fresh analysis of each image, as its owner would through the API."""
    chosen = dispatcher or get_dispatcher()

    def rerun(session: Session, image_id: uuid.UUID) -> None:
        image = session.get(ProductImage, image_id)
        if image is None:
            raise NotFoundError("image_not_found", "No such image.")
        job = jobs_service.reanalyze(
            session, chosen, owner_id=image.product.user_id, image_id=image_id
        )
        logger.info("admin_reanalysis_queued", image_id=str(image_id), job_id=str(job.id))

    return _each(image_ids, rerun)


def rerun_products(
    product_ids: Sequence[uuid.UUID], *, dispatcher: JobDispatcher | None = None
) -> Outcome:
    """One batch job per product over all of its uploaded images."""
    chosen = dispatcher or get_dispatcher()

    def rerun(session: Session, product_id: uuid.UUID) -> None:
        product = session.get(Product, product_id)
        if product is None or product.deleted_at is not None:
            raise NotFoundError("product_not_found", "No such product.")
        job = jobs_service.create_batch(
            session, chosen, owner_id=product.user_id, product_ids=[product_id]
        )
        logger.info("admin_reanalysis_queued", product_id=str(product_id), job_id=str(job.id))

    return _each(product_ids, rerun)


def retry_failed_jobs(
    job_ids: Sequence[uuid.UUID], *, dispatcher: JobDispatcher | None = None
) -> Outcome:
    chosen = dispatcher or get_dispatcher()

    def retry(session: Session, job_id: uuid.UUID) -> None:
        owner_id = _job_owner(session, job_id)
        jobs_service.retry_failed(session, chosen, owner_id=owner_id, job_id=job_id)
        logger.info("admin_job_retried", job_id=str(job_id))

    return _each(job_ids, retry)


def cancel_jobs(job_ids: Sequence[uuid.UUID]) -> Outcome:
    def cancel(session: Session, job_id: uuid.UUID) -> None:
        jobs_service.cancel(session, owner_id=_job_owner(session, job_id), job_id=job_id)
        logger.info("admin_job_cancelled", job_id=str(job_id))

    return _each(job_ids, cancel)


def _job_owner(session: Session, job_id: uuid.UUID) -> uuid.UUID:
    job = session.get(ProcessingJob, job_id)
    if job is None:
        raise NotFoundError("job_not_found", "No such job.")
    return job.user_id
