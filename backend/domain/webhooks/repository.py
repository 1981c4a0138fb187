"""Queries over ``webhook_endpoints`` and ``webhook_deliveries``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from backend.domain.pagination import Page, PageRequest, paginate
from backend.shared.db.enums import DeliveryStatus
from backend.shared.db.models import WebhookDelivery, WebhookEndpoint


def add_endpoint(session: Session, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    session.add(endpoint)
    session.flush()
    return endpoint


def get_endpoint_for_owner(
    session: Session, *, owner_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint | None:
    return session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.user_id == owner_id
        )
    )


def list_endpoints(
    session: Session, *, owner_id: uuid.UUID, page: PageRequest
) -> Page[WebhookEndpoint]:
    query = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.user_id == owner_id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return paginate(session, query, page)


def count_endpoints(session: Session, *, owner_id: uuid.UUID) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(WebhookEndpoint)
            .where(WebhookEndpoint.user_id == owner_id)
        )
        or 0
    )


def active_endpoints(session: Session, *, owner_id: uuid.UUID) -> Sequence[WebhookEndpoint]:
    return session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.user_id == owner_id, WebhookEndpoint.is_active.is_(True)
        )
    ).all()


def add_delivery(session: Session, delivery: WebhookDelivery) -> WebhookDelivery:
    session.add(delivery)
    session.flush()
    return delivery


def get_delivery(
    session: Session, *, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery | None:
    return session.scalar(
        select(WebhookDelivery).where(
            WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id
        )
    )


def list_deliveries(
    session: Session, *, endpoint_id: uuid.UUID, status: str | None, page: PageRequest
) -> Page[WebhookDelivery]:
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    query = query.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
    return paginate(session, query, page)


def claim_delivery(
    session: Session,
    *,
    delivery_id: uuid.UUID,
    now: datetime,
    due_by: datetime,
    lease_until: datetime,
) -> bool:
    """Take a pending delivery that is due by ``due_by`` for one attempt (until ``lease_until``).

    A conditional update, so two workers holding messages for the same delivery (a Celery
    retry and the sweep) never send it at the same time.
    """
    result = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
            or_(
                WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= due_by
            ),
        )
        .values(next_attempt_at=lease_until, last_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def stalled_deliveries(
    session: Session, *, due_before: datetime, created_before: datetime, limit: int
) -> Sequence[uuid.UUID]:
    """Pending deliveries whose message was lost: overdue, or never attempted and old."""
    return session.scalars(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            or_(
                WebhookDelivery.next_attempt_at <= due_before,
                (WebhookDelivery.next_attempt_at.is_(None))
                & (WebhookDelivery.created_at <= created_before),
            ),
        )
        .order_by(WebhookDelivery.created_at)
        .limit(limit)
    ).all()
