"""The webhook tasks: events become deliveries without ever failing the caller, and the sweep
sends deliveries whose queue message was lost."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.domain.webhooks import signing
from backend.shared.config import get_settings
from backend.shared.db.enums import DeliveryStatus
from backend.shared.db.models import WebhookDelivery, WebhookEndpoint
from backend.shared.db.session import session_scope
from backend.shared.db.types import utcnow
from backend.workers import webhooks
from tests.factories import make_user
from tests.support.webhook_receiver import webhook_receiver
from tests.support.workers import inprocess_worker


@pytest.fixture
def local_hooks(app_settings: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_REQUIRE_HTTPS", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _endpoint(url: str, event_types: list[str]) -> WebhookEndpoint:
    with session_scope() as session:
        owner = make_user(session)
        endpoint = WebhookEndpoint(
            user_id=owner.id, url=url, secret="whsec_worker", event_types=event_types
        )
        session.add(endpoint)
        session.flush()
        session.expunge(endpoint)
    return endpoint


def _deliveries() -> list[WebhookDelivery]:
    with session_scope() as session:
        rows = list(session.scalars(select(WebhookDelivery)))
        session.expunge_all()
    return rows


class _BrokenDispatcher:
    def dispatch(self, **_kwargs: object) -> None:
        raise ConnectionError("broker down")


def test_only_subscribed_job_and_analysis_events_become_deliveries(
    local_hooks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = _endpoint("http://127.0.0.1:9/hook", ["job.completed"])
    monkeypatch.setattr(webhooks, "_dispatcher", _BrokenDispatcher())
    for event_type in ("job.step", "job.progress", "image.analyzed", "job.completed"):
        webhooks.queue_event_deliveries(endpoint.user_id, {"type": event_type, "job_id": "j"})
    rows = _deliveries()
    assert [(row.event_type, row.status) for row in rows] == [("job.completed", "pending")]
    assert rows[0].payload["data"] == {"job_id": "j"}


def test_queueing_never_raises_even_without_a_database(
    local_hooks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable() -> None:
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(webhooks, "session_scope", unavailable)
    endpoint_owner = _endpoint("http://127.0.0.1:9/hook", []).user_id
    webhooks.queue_event_deliveries(endpoint_owner, {"type": "job.failed", "job_id": "j"})
    assert _deliveries() == []


def test_the_sweep_sends_a_delivery_whose_message_was_lost(local_hooks: None) -> None:
    with webhook_receiver() as receiver:
        endpoint = _endpoint(receiver.url, [])
        with session_scope() as session:
            lost = WebhookDelivery(
                endpoint_id=endpoint.id,
                event_type="job.completed",
                payload={"id": "evt_lost", "type": "job.completed", "data": {}},
                created_at=utcnow() - timedelta(minutes=5),
            )
            fresh = WebhookDelivery(
                endpoint_id=endpoint.id,
                event_type="job.completed",
                payload={"id": "evt_fresh", "type": "job.completed", "data": {}},
            )
            session.add_all([lost, fresh])
        with inprocess_worker():
            assert webhooks.sweep() == {"queued": 1}
            (request,) = receiver.wait_for(1)
            deadline = time.monotonic() + 10
            while _statuses()["evt_lost"] != DeliveryStatus.SUCCEEDED:
                assert time.monotonic() < deadline, _statuses()
                time.sleep(0.05)
    assert request.headers[signing.EVENT_HEADER] == "job.completed"
    assert signing.verify("whsec_worker", request.headers[signing.SIGNATURE_HEADER], request.body)
    assert _statuses() == {"evt_lost": DeliveryStatus.SUCCEEDED, "evt_fresh": "pending"}


def _statuses() -> dict[str, str]:
    return {row.payload["id"]: row.status for row in _deliveries()}
