"""The webhook pages of the admin: endpoints, deliveries with their responses, replay."""

from __future__ import annotations

import pytest
from django.test import Client
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.domain.webhooks import service as webhooks_service
from backend.shared.db.enums import DeliveryStatus
from backend.shared.db.models import User, WebhookDelivery, WebhookEndpoint
from tests.django_app.conftest import signed_in
from tests.factories import make_user

pytestmark = pytest.mark.services

ADMIN = "/admin/imagineai"


def _failed_delivery(db: Session, *, active: bool = True) -> WebhookDelivery:
    owner = make_user(db)
    endpoint = WebhookEndpoint(
        user_id=owner.id,
        url="https://erp.example.com/hooks/imagineai",
        secret="whsec_admin-test",
        event_types=["job.completed"],
        is_active=active,
        description="ERP",
    )
    db.add(endpoint)
    db.flush()
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id,
        event_type="job.completed",
        payload=webhooks_service.build_payload("job.completed", {"job_id": "j-1"}),
        status=DeliveryStatus.FAILED,
        attempts=8,
        response_status=503,
        response_body="upstream unavailable",
        error_message="the endpoint answered HTTP 503",
    )
    db.add(delivery)
    db.commit()
    return delivery


def test_endpoints_and_deliveries_are_listed_with_their_responses(
    db: Session, client: Client, staff: User
) -> None:
    delivery = _failed_delivery(db)
    admin = signed_in(client, staff)
    endpoints = admin.get(f"{ADMIN}/webhookendpoint/")
    assert endpoints.status_code == 200
    assert "https://erp.example.com/hooks/imagineai" in endpoints.text
    assert "whsec_admin-test" not in endpoints.text
    deliveries = admin.get(f"{ADMIN}/webhookdelivery/?status__exact=failed")
    assert deliveries.status_code == 200
    assert str(delivery.id)[:8] in deliveries.text
    page = admin.get(f"{ADMIN}/webhookdelivery/{delivery.id}/change/")
    assert page.status_code == 200
    assert "upstream unavailable" in page.text
    assert "the endpoint answered HTTP 503" in page.text
    assert delivery.payload["id"] in page.text
    assert "Replay" in page.text


def test_replay_asks_first_then_sends_the_same_event_as_a_new_delivery(
    db: Session, client: Client, staff: User
) -> None:
    delivery = _failed_delivery(db)
    disabled = _failed_delivery(db, active=False)
    admin = signed_in(client, staff)
    data = {"action": "replay_deliveries", "_selected_action": [str(delivery.id), str(disabled.id)]}
    page = admin.post(f"{ADMIN}/webhookdelivery/", data, follow=True)
    assert "Replay: are you sure?" in page.text
    assert db.scalar(select(WebhookDelivery).where(WebhookDelivery.status == "pending")) is None

    page = admin.post(f"{ADMIN}/webhookdelivery/", {**data, "confirmed": "yes"}, follow=True)
    assert "Replay: done for 1 webhook delivery." in page.text
    assert "The endpoint is disabled; enable it first." in page.text
    copies = db.scalars(select(WebhookDelivery).where(WebhookDelivery.status == "pending")).all()
    assert len(copies) == 1
    copy = copies[0]
    assert copy.id != delivery.id
    assert copy.endpoint_id == delivery.endpoint_id
    assert copy.payload == delivery.payload
    db.refresh(delivery)
    assert delivery.status == DeliveryStatus.FAILED
