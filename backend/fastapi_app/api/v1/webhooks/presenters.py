from __future__ import annotations

from backend.fastapi_app.api.v1.webhooks.schemas import (
    DeliveryDetail,
    DeliveryPublic,
    WebhookPublic,
    WebhookWithSecret,
)
from backend.shared.db.models import WebhookDelivery, WebhookEndpoint


def webhook_public(endpoint: WebhookEndpoint) -> WebhookPublic:
    return WebhookPublic(
        id=endpoint.id,
        url=endpoint.url,
        event_types=list(endpoint.event_types),
        description=endpoint.description,
        is_active=endpoint.is_active,
        secret_hint=endpoint.secret[-4:],
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


def webhook_with_secret(endpoint: WebhookEndpoint) -> WebhookWithSecret:
    return WebhookWithSecret(**webhook_public(endpoint).model_dump(), secret=endpoint.secret)


def delivery_public(delivery: WebhookDelivery) -> DeliveryPublic:
    event_id = delivery.payload.get("id") if isinstance(delivery.payload, dict) else None
    return DeliveryPublic(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        event_id=str(event_id) if event_id else None,
        event_type=delivery.event_type,
        status=delivery.status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at,
        last_attempt_at=delivery.last_attempt_at,
        response_status=delivery.response_status,
        error_message=delivery.error_message,
        created_at=delivery.created_at,
        updated_at=delivery.updated_at,
    )


def delivery_detail(delivery: WebhookDelivery) -> DeliveryDetail:
    return DeliveryDetail(
        **delivery_public(delivery).model_dump(),
        payload=dict(delivery.payload),
        response_body=delivery.response_body,
    )
