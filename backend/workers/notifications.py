"""``notifications.send_processing_update``: push an event to a user's live channel."""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task

from backend.workers import runtime


@shared_task(name="notifications.send_processing_update", ignore_result=True)
def send_processing_update(user_id: str, event: dict[str, Any]) -> None:
    """Publish ``event`` on the user's channel (Redis pub/sub in real mode)."""
    runtime.publish(uuid.UUID(user_id), event)
