"""``webhooks.deliver`` and ``webhooks.sweep``: signed event deliveries, retried with backoff.

Deliveries run on the ``default`` queue, never the ``ml`` one, so a slow receiver cannot
hold up image analysis. Live events reach :func:`queue_event_deliveries` from
``runtime.publish``; it writes the rows and queues them without ever failing the caller.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import structlog
from celery import Task, shared_task

from backend.domain.webhooks import service
from backend.shared.config import get_settings
from backend.shared.db.session import session_scope
from backend.workers.celery_app import DEFAULT_QUEUE, get_celery_app

logger = structlog.get_logger(__name__)

DELIVER_TASK = "webhooks.deliver"
SWEEP_TASK = "webhooks.sweep"


class CeleryDeliveryDispatcher:
    def dispatch(self, *, delivery_ids: Sequence[uuid.UUID]) -> None:
        app = get_celery_app()
        for delivery_id in delivery_ids:
            app.send_task(
                DELIVER_TASK,
                kwargs={"delivery_id": str(delivery_id)},
                queue=DEFAULT_QUEUE,
                routing_key=DEFAULT_QUEUE,
                # A broker that is down must not hold up the caller; the sweep sends it later.
                retry=False,
            )


_dispatcher = CeleryDeliveryDispatcher()


def get_delivery_dispatcher() -> CeleryDeliveryDispatcher:
    return _dispatcher


def queue_event_deliveries(user_id: uuid.UUID, event: dict[str, Any]) -> None:
    """Record and queue deliveries of ``event`` to the user's endpoints; never raises."""
    if event.get("type") not in service.EVENT_TYPES:
        return
    try:
        with session_scope() as session:
            delivery_ids = service.queue_event(session, owner_id=user_id, event=event)
        if delivery_ids:
            _dispatcher.dispatch(delivery_ids=delivery_ids)
    except Exception as exc:  # noqa: BLE001 - webhooks must never fail the pipeline
        logger.warning("webhook_queue_failed", event_type=event.get("type"), error=str(exc))


@shared_task(
    name=DELIVER_TASK,
    bind=True,
    acks_late=True,
    max_retries=None,
    ignore_result=True,
    soft_time_limit=120,
    time_limit=150,
)
def deliver(self: Task[Any, Any], delivery_id: str) -> dict[str, Any]:
    """One attempt; a failed one is retried by Celery after the recorded backoff."""
    outcome = service.attempt_delivery(uuid.UUID(delivery_id), settings=get_settings())
    if outcome is None:
        return {"sent": False}
    if outcome.retry_in_s is not None:
        raise self.retry(countdown=outcome.retry_in_s)
    return {"sent": True, "status": outcome.status.value, "attempts": outcome.attempts}


@shared_task(name=SWEEP_TASK, ignore_result=True, soft_time_limit=60)
def sweep() -> dict[str, int]:
    """Queue again the pending deliveries whose message was lost."""
    with session_scope() as session:
        stalled = list(service.stalled(session, get_settings()))
    if stalled:
        _dispatcher.dispatch(delivery_ids=stalled)
    return {"queued": len(stalled)}
