"""Webhooks: endpoints users register, and the signed, retried deliveries of their events.

Endpoints and deliveries live in the database; a delivery row is written before anything is
sent, every attempt's outcome (status, response, error) is recorded on it, and the task queue
only carries "send delivery X now" messages. Deliveries are at least once: receivers should
drop repeats of an event ``id``.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import httpx
import structlog
from sqlalchemy.orm import Session

from backend.domain.errors import ConflictError, InvalidInputError, NotFoundError
from backend.domain.pagination import Page, PageRequest
from backend.domain.webhooks import repository, signing
from backend.domain.webhooks.outbound import (
    BlockedDestinationError,
    DestinationPolicy,
    guarded_client,
    read_capped,
)
from backend.shared.config import Settings
from backend.shared.db.enums import DeliveryStatus
from backend.shared.db.models import WebhookDelivery, WebhookEndpoint
from backend.shared.db.session import session_scope
from backend.shared.db.types import utcnow

logger = structlog.get_logger(__name__)

#: Events a user can subscribe to; an endpoint with no types listed gets all of them.
EVENT_TYPES = ("job.completed", "job.failed", "image.analyzed")
PING_EVENT = "webhook.ping"
USER_AGENT = "ImagineAI-Webhooks/1"
#: A claimed delivery is someone's for this long past its timeouts.
LEASE_MARGIN_S = 30.0
#: A Celery retry may fire slightly before the recorded next attempt.
EARLY_START_TOLERANCE_S = 2.0
#: The sweep re-queues never-attempted deliveries older than this.
UNSENT_GRACE_S = 60.0
SWEEP_BATCH = 500
GONE = 410


class DeliveryDispatcher(Protocol):
    def dispatch(self, *, delivery_ids: Sequence[uuid.UUID]) -> None:
        """Queue one send of each delivery (rows are committed first; the sweep covers a
        broker that does not take the message)."""
        ...


def destination_policy(settings: Settings) -> DestinationPolicy:
    return DestinationPolicy.from_cidrs(
        settings.webhook_allowed_networks, require_https=settings.webhook_require_https
    )


# --- endpoints -------------------------------------------------------------------------------


def create_endpoint(
    session: Session,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    url: str,
    event_types: Sequence[str] = (),
    description: str = "",
    is_active: bool = True,
) -> WebhookEndpoint:
    if repository.count_endpoints(session, owner_id=owner_id) >= (
        settings.webhook_max_endpoints_per_user
    ):
        raise ConflictError(
            "too_many_endpoints",
            f"You can register at most {settings.webhook_max_endpoints_per_user} endpoints.",
        )
    endpoint = WebhookEndpoint(
        user_id=owner_id,
        url=_checked_url(url, settings),
        secret=signing.new_secret(),
        event_types=_checked_event_types(event_types),
        description=description,
        is_active=is_active,
    )
    return repository.add_endpoint(session, endpoint)


def get_endpoint_or_raise(
    session: Session, *, owner_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = repository.get_endpoint_for_owner(
        session, owner_id=owner_id, endpoint_id=endpoint_id
    )
    if endpoint is None:
        raise NotFoundError("webhook_not_found", "No such webhook endpoint.")
    return endpoint


def list_endpoints(
    session: Session, *, owner_id: uuid.UUID, page: PageRequest
) -> Page[WebhookEndpoint]:
    return repository.list_endpoints(session, owner_id=owner_id, page=page)


def update_endpoint(
    session: Session,
    settings: Settings,
    *,
    owner_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    changes: dict[str, Any],
) -> WebhookEndpoint:
    endpoint = get_endpoint_or_raise(session, owner_id=owner_id, endpoint_id=endpoint_id)
    if "url" in changes:
        endpoint.url = _checked_url(str(changes["url"]), settings)
    if "event_types" in changes:
        endpoint.event_types = _checked_event_types(changes["event_types"])
    if "description" in changes:
        endpoint.description = str(changes["description"])
    if "is_active" in changes:
        endpoint.is_active = bool(changes["is_active"])
    session.flush()
    return endpoint


def rotate_secret(
    session: Session, *, owner_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    endpoint = get_endpoint_or_raise(session, owner_id=owner_id, endpoint_id=endpoint_id)
    endpoint.secret = signing.new_secret()
    session.flush()
    return endpoint


def delete_endpoint(session: Session, *, owner_id: uuid.UUID, endpoint_id: uuid.UUID) -> None:
    """Remove the endpoint with its delivery history (deliveries cascade)."""
    endpoint = get_endpoint_or_raise(session, owner_id=owner_id, endpoint_id=endpoint_id)
    session.delete(endpoint)
    session.flush()


def _checked_url(url: str, settings: Settings) -> str:
    url = url.strip()
    try:
        destination_policy(settings).check_url(url)
    except BlockedDestinationError as exc:
        raise InvalidInputError("webhook_url_refused", f"This URL cannot be used: {exc}.") from exc
    return url


def _checked_event_types(event_types: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(event_types))
    unknown = [name for name in chosen if name not in EVENT_TYPES]
    if unknown:
        raise InvalidInputError(
            "unknown_event_type",
            f"Unknown event type(s) {', '.join(unknown)}; choose from {', '.join(EVENT_TYPES)}.",
        )
    return chosen


# --- deliveries ------------------------------------------------------------------------------


def build_payload(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The JSON body receivers get: the event's own id (stable across retries and replays)."""
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": event_type,
        "created_at": utcnow().isoformat(),
        "data": {key: value for key, value in data.items() if key != "type"},
    }


def queue_event(session: Session, *, owner_id: uuid.UUID, event: dict[str, Any]) -> list[uuid.UUID]:
    """Delivery rows for every active endpoint of ``owner_id`` subscribed to the event."""
    event_type = str(event.get("type", ""))
    if event_type not in EVENT_TYPES:
        return []
    endpoints = [
        endpoint
        for endpoint in repository.active_endpoints(session, owner_id=owner_id)
        if not endpoint.event_types or event_type in endpoint.event_types
    ]
    if not endpoints:
        return []
    payload = build_payload(event_type, event)
    deliveries = [
        repository.add_delivery(
            session,
            WebhookDelivery(endpoint_id=endpoint.id, event_type=event_type, payload=payload),
        )
        for endpoint in endpoints
    ]
    return [delivery.id for delivery in deliveries]


def list_deliveries(
    session: Session,
    *,
    owner_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    status: str | None,
    page: PageRequest,
) -> Page[WebhookDelivery]:
    get_endpoint_or_raise(session, owner_id=owner_id, endpoint_id=endpoint_id)
    return repository.list_deliveries(session, endpoint_id=endpoint_id, status=status, page=page)


def get_delivery_or_raise(
    session: Session, *, owner_id: uuid.UUID, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    get_endpoint_or_raise(session, owner_id=owner_id, endpoint_id=endpoint_id)
    delivery = repository.get_delivery(session, endpoint_id=endpoint_id, delivery_id=delivery_id)
    if delivery is None:
        raise NotFoundError("delivery_not_found", "No such delivery.")
    return delivery


def replay(
    session: Session,
    dispatcher: DeliveryDispatcher,
    *,
    owner_id: uuid.UUID,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
) -> WebhookDelivery:
    """Send a recorded event again, as a new delivery with the same event id and body."""
    original = get_delivery_or_raise(
        session, owner_id=owner_id, endpoint_id=endpoint_id, delivery_id=delivery_id
    )
    return replay_delivery(session, dispatcher, original=original)


def replay_delivery(
    session: Session, dispatcher: DeliveryDispatcher, *, original: WebhookDelivery
) -> WebhookDelivery:
    endpoint = session.get(WebhookEndpoint, original.endpoint_id)
    if endpoint is None or not endpoint.is_active:
        raise ConflictError("webhook_inactive", "The endpoint is disabled; enable it first.")
    copy = repository.add_delivery(
        session,
        WebhookDelivery(
            endpoint_id=original.endpoint_id,
            event_type=original.event_type,
            payload=dict(original.payload),
        ),
    )
    _commit_and_dispatch(session, dispatcher, [copy.id])
    return copy


def ping(
    session: Session, dispatcher: DeliveryDispatcher, *, owner_id: uuid.UUID, endpoint_id: uuid.UUID
) -> WebhookDelivery:
    """A ``webhook.ping`` delivery, to check an endpoint and its signature check."""
    endpoint = get_endpoint_or_raise(session, owner_id=owner_id, endpoint_id=endpoint_id)
    delivery = repository.add_delivery(
        session,
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event_type=PING_EVENT,
            payload=build_payload(PING_EVENT, {"endpoint_id": str(endpoint.id)}),
        ),
    )
    _commit_and_dispatch(session, dispatcher, [delivery.id])
    return delivery


def _commit_and_dispatch(
    session: Session, dispatcher: DeliveryDispatcher, delivery_ids: Sequence[uuid.UUID]
) -> None:
    session.commit()
    try:
        dispatcher.dispatch(delivery_ids=delivery_ids)
    except Exception as exc:  # noqa: BLE001 - the sweep queues unsent deliveries again
        logger.warning("webhook_dispatch_failed", error=str(exc))


# --- sending ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    status: DeliveryStatus
    attempts: int
    response_status: int | None
    error: str | None
    retry_in_s: float | None  # when another attempt is planned


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    secret: str
    active: bool
    event_type: str
    payload: dict[str, Any]
    delivery_id: uuid.UUID
    attempts: int


def attempt_delivery(delivery_id: uuid.UUID, *, settings: Settings) -> AttemptOutcome | None:
    """Send one attempt of a pending delivery and record it; ``None`` when it is not due or
    someone else is sending it. No transaction stays open while the request is in flight."""
    target = _claim(delivery_id, settings)
    if target is None:
        return None
    if not target.active:
        return _record(
            target, settings, response=None, error="the endpoint is disabled", final=True
        )
    body = json.dumps(target.payload, separators=(",", ":"), ensure_ascii=False).encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        signing.EVENT_HEADER: target.event_type,
        signing.DELIVERY_HEADER: str(target.delivery_id),
        signing.SIGNATURE_HEADER: signing.signature_header(target.secret, timestamp, body),
    }
    policy = destination_policy(settings)
    try:
        policy.check_url(target.url)
        with (
            guarded_client(
                policy,
                connect_timeout_s=settings.webhook_connect_timeout_seconds,
                read_timeout_s=settings.webhook_read_timeout_seconds,
                headers={"User-Agent": USER_AGENT},
            ) as client,
            client.stream("POST", target.url, content=body, headers=headers) as response,
        ):
            raw, _ = read_capped(response, max(0, settings.webhook_response_max_chars) * 4)
            answer = (response.status_code, raw.decode("utf-8", "replace"))
    except BlockedDestinationError as exc:
        return _record(target, settings, response=None, error=f"refused: {exc}", final=True)
    except httpx.HTTPError as exc:
        return _record(target, settings, response=None, error=_describe(exc), final=False)
    return _record(target, settings, response=answer, error=None, final=answer[0] == GONE)


def _claim(delivery_id: uuid.UUID, settings: Settings) -> _Target | None:
    now = utcnow()
    lease = settings.webhook_connect_timeout_seconds + settings.webhook_read_timeout_seconds
    with session_scope() as session:
        claimed = repository.claim_delivery(
            session,
            delivery_id=delivery_id,
            now=now,
            due_by=now + timedelta(seconds=EARLY_START_TOLERANCE_S),
            lease_until=now + timedelta(seconds=lease + LEASE_MARGIN_S),
        )
        if not claimed:
            return None
        delivery = session.get(WebhookDelivery, delivery_id)
        endpoint = session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
        if delivery is None or endpoint is None:
            return None
        return _Target(
            url=endpoint.url,
            secret=endpoint.secret,
            active=endpoint.is_active,
            event_type=delivery.event_type,
            payload=dict(delivery.payload),
            delivery_id=delivery.id,
            attempts=delivery.attempts,
        )


def _record(
    target: _Target,
    settings: Settings,
    *,
    response: tuple[int, str] | None,
    error: str | None,
    final: bool,
) -> AttemptOutcome:
    attempts = target.attempts + 1
    succeeded = response is not None and 200 <= response[0] < 300
    if response is not None and not succeeded:
        error = f"the endpoint answered HTTP {response[0]}"
    retry_in = None
    if succeeded:
        status = DeliveryStatus.SUCCEEDED
    elif final or attempts >= settings.webhook_max_attempts:
        status = DeliveryStatus.FAILED
    else:
        status = DeliveryStatus.PENDING
        retry_in = backoff_seconds(attempts, settings)
    with session_scope() as session:
        delivery = session.get(WebhookDelivery, target.delivery_id)
        if delivery is not None:
            delivery.attempts = attempts
            delivery.status = status
            delivery.last_attempt_at = utcnow()
            delivery.next_attempt_at = (
                utcnow() + timedelta(seconds=retry_in) if retry_in is not None else None
            )
            delivery.response_status = response[0] if response else None
            delivery.response_body = (
                response[1][: settings.webhook_response_max_chars] if response else None
            )
            delivery.error_message = error
    logger.info(
        "webhook_attempt",
        delivery_id=str(target.delivery_id),
        status=status.value,
        attempts=attempts,
        response_status=response[0] if response else None,
        error=error,
    )
    return AttemptOutcome(
        status=status,
        attempts=attempts,
        response_status=response[0] if response else None,
        error=error,
        retry_in_s=retry_in,
    )


def backoff_seconds(attempts: int, settings: Settings) -> float:
    """Exponential backoff with jitter: between half and all of base * 2^(attempts - 1)."""
    ceiling = min(
        settings.webhook_retry_max_seconds,
        settings.webhook_retry_base_seconds * (2 ** max(0, attempts - 1)),
    )
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


def stalled(session: Session, settings: Settings) -> Sequence[uuid.UUID]:
    """Pending deliveries whose queue message was lost (a broker restart, a dead worker)."""
    now = utcnow()
    lease = settings.webhook_connect_timeout_seconds + settings.webhook_read_timeout_seconds
    return repository.stalled_deliveries(
        session,
        due_before=now - timedelta(seconds=lease + LEASE_MARGIN_S),
        created_before=now - timedelta(seconds=UNSENT_GRACE_S),
        limit=SWEEP_BATCH,
    )


def _describe(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"[:500]
