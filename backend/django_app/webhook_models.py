"""Unmanaged Django models over ``webhook_endpoints`` and ``webhook_deliveries``.

Kept apart from :mod:`backend.django_app.models` so the webhook admin is one self-contained
area; like every model of the panel they only read, and changes go through the services.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models

from backend.django_app.fields import UTCDateTimeField
from backend.django_app.models import User, choices
from backend.shared.db.enums import DeliveryStatus

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class WebhookEndpoint(models.Model):
    owner_id: uuid.UUID
    deliveries: RelatedManager[WebhookDelivery]
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    owner: models.ForeignKey[User] = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_column="user_id",
        related_name="webhook_endpoints",
    )
    url: models.CharField[str, str] = models.CharField(max_length=2048)
    secret: models.CharField[str, str] = models.CharField(max_length=128)
    event_types: models.JSONField[Any, Any] = models.JSONField(default=list)
    is_active: models.BooleanField[bool, bool] = models.BooleanField(default=True)
    description: models.CharField[str, str] = models.CharField(max_length=300, blank=True)
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    updated_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()

    objects: ClassVar[models.Manager[WebhookEndpoint]] = models.Manager()

    class Meta:
        managed = False
        db_table = "webhook_endpoints"
        ordering = ("-created_at",)
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    endpoint_id: uuid.UUID
    id: models.UUIDField[uuid.UUID, uuid.UUID] = models.UUIDField(
        primary_key=True, default=uuid.uuid4, editable=False
    )
    endpoint: models.ForeignKey[WebhookEndpoint] = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="deliveries",
    )
    event_type: models.CharField[str, str] = models.CharField(max_length=50)
    payload: models.JSONField[Any, Any] = models.JSONField(default=dict)
    status: models.CharField[str, str] = models.CharField(
        max_length=20, choices=choices(DeliveryStatus)
    )
    attempts: models.IntegerField[int, int] = models.IntegerField(default=0)
    next_attempt_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(
        null=True
    )
    last_attempt_at: models.DateTimeField[datetime | None, datetime | None] = UTCDateTimeField(
        null=True
    )
    response_status: models.IntegerField[int | None, int | None] = models.IntegerField(null=True)
    response_body: models.TextField[str | None, str | None] = models.TextField(null=True)
    error_message: models.TextField[str | None, str | None] = models.TextField(null=True)
    created_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()
    updated_at: models.DateTimeField[datetime, datetime] = UTCDateTimeField()

    objects: ClassVar[models.Manager[WebhookDelivery]] = models.Manager()

    class Meta:
        managed = False
        db_table = "webhook_deliveries"
        ordering = ("-created_at",)
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event_type} delivery {str(self.id)[:8]}"
