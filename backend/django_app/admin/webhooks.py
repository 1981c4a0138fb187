"""Webhook endpoints and their deliveries: status, attempts, responses, and replay."""

from __future__ import annotations

import json
import uuid

import structlog
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from sqlalchemy.orm import Session

from backend.django_app.actions import ServiceAction
from backend.django_app.admin.common import BaseAdmin, admin_link, changelist_link
from backend.django_app.operations import Outcome, Refusal
from backend.django_app.site import admin_site
from backend.django_app.webhook_models import WebhookDelivery, WebhookEndpoint
from backend.domain.errors import DomainError, NotFoundError
from backend.domain.webhooks import service as webhooks_service
from backend.shared.db.models import WebhookDelivery as DeliveryRow
from backend.shared.db.session import session_scope
from backend.workers.webhooks import get_delivery_dispatcher

logger = structlog.get_logger(__name__)


def replay_deliveries(delivery_ids: list[uuid.UUID]) -> Outcome:
    """Send each delivery's event again as a new delivery, as the API's replay does; each in
    its own transaction, so one refusal leaves the others done."""
    outcome = Outcome()
    for delivery_id in delivery_ids:
        try:
            with session_scope() as session:
                _replay_one(session, delivery_id)
        except DomainError as exc:
            outcome.refused.append(Refusal(object_id=delivery_id, reason=exc.message))
            continue
        outcome.done.append(delivery_id)
    return outcome


def _replay_one(session: Session, delivery_id: uuid.UUID) -> None:
    original = session.get(DeliveryRow, delivery_id)
    if original is None:
        raise NotFoundError("delivery_not_found", "The delivery no longer exists.")
    copy = webhooks_service.replay_delivery(session, get_delivery_dispatcher(), original=original)
    logger.info("admin_webhook_replayed", delivery_id=str(delivery_id), new=str(copy.id))


def _replay(_request: HttpRequest, delivery_ids: list[uuid.UUID]) -> Outcome:
    return replay_deliveries(delivery_ids)


@admin.register(WebhookEndpoint, site=admin_site)
class WebhookEndpointAdmin(BaseAdmin):
    list_display = ("url", "owner", "is_active", "events", "deliveries_link", "created_at")
    list_filter = ("is_active", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("owner",)
    search_fields = ("url", "owner__email", "description")
    fields = (
        "owner_link",
        "url",
        "description",
        "events",
        "is_active",
        "deliveries_link",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("owner_link", "events", "deliveries_link")

    @admin.display(description="events")
    def events(self, endpoint: WebhookEndpoint) -> str:
        return ", ".join(endpoint.event_types) or "all"

    @admin.display(description="owner")
    def owner_link(self, endpoint: WebhookEndpoint) -> SafeString:
        return admin_link(endpoint.owner)

    @admin.display(description="deliveries")
    def deliveries_link(self, endpoint: WebhookEndpoint) -> SafeString:
        return changelist_link(WebhookDelivery, f"endpoint__id__exact={endpoint.pk}", "deliveries")


@admin.register(WebhookDelivery, site=admin_site)
class WebhookDeliveryAdmin(BaseAdmin):
    list_display = (
        "short_id",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "response_status",
        "created_at",
        "last_attempt_at",
    )
    list_display_links = ("short_id",)
    list_filter = ("status", "event_type", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("endpoint",)
    search_fields = ("endpoint__url", "endpoint__owner__email", "error_message")
    fields = (
        "endpoint_link",
        "event_type",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "response_status",
        "error_message",
        "response_body",
        "payload_json",
        "created_at",
    )
    readonly_fields = ("endpoint_link", "payload_json")
    service_actions = (
        ServiceAction(
            name="replay_deliveries",
            label="Replay the selected deliveries",
            button="Replay",
            explanation=(
                "Each event is sent again to its endpoint as a new delivery (same event id and "
                "body, signed anew); the original delivery stays as it is. Deliveries of "
                "disabled endpoints are skipped."
            ),
            run=_replay,
        ),
    )

    @admin.display(description="delivery", ordering="created_at")
    def short_id(self, delivery: WebhookDelivery) -> str:
        return str(delivery.id)[:8]

    @admin.display(description="endpoint")
    def endpoint_link(self, delivery: WebhookDelivery) -> SafeString:
        return admin_link(delivery.endpoint)

    @admin.display(description="payload")
    def payload_json(self, delivery: WebhookDelivery) -> SafeString:
        return format_html("<pre>{}</pre>", json.dumps(delivery.payload, indent=2))
