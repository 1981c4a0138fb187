from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

EventType = Literal["job.completed", "job.failed", "image.analyzed"]
DeliveryStatusFilter = Literal["pending", "succeeded", "failed"]


class WebhookCreate(BaseModel):
    url: str = Field(min_length=8, max_length=2048, description="https:// URL of the receiver")
    event_types: list[EventType] = Field(
        default_factory=list, max_length=10, description="Empty: every event type"
    )
    description: str = Field(default="", max_length=300)
    is_active: bool = True


class WebhookUpdate(BaseModel):
    url: str | None = Field(default=None, min_length=8, max_length=2048)
    event_types: list[EventType] | None = Field(default=None, max_length=10)
    description: str | None = Field(default=None, max_length=300)
    is_active: bool | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> WebhookUpdate:
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class WebhookPublic(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    description: str
    is_active: bool
    secret_hint: str = Field(description="The secret's last four characters")
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookPublic):
    secret: str = Field(description="Signing secret; shown only on creation and rotation")


class WebhooksPublic(BaseModel):
    data: list[WebhookPublic]
    total: int
    limit: int
    offset: int


class DeliveryPublic(BaseModel):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: str | None
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    response_status: int | None
    error_message: str | None
    created_at: datetime
    updated_at: datetime


class DeliveryDetail(DeliveryPublic):
    payload: dict[str, Any]
    response_body: str | None


class DeliveriesPublic(BaseModel):
    data: list[DeliveryPublic]
    total: int
    limit: int
    offset: int
