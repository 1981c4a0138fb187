"""Live events per user: workers publish, the API's WebSocket relays to that user only."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Event = dict[str, Any]


class EventBus(Protocol):
    def publish(self, user_id: uuid.UUID, event: Event) -> None:
        """Send ``event`` to every live subscriber of ``user_id``; never raises or blocks long."""
        ...

    def subscribe(self, user_id: uuid.UUID) -> AbstractAsyncContextManager[AsyncIterator[Event]]:
        """Events for ``user_id`` from now on, until the context exits."""
        ...

    def close(self) -> None: ...


def channel_name(user_id: uuid.UUID) -> str:
    return f"imagineai:events:user:{user_id}"
