"""In-process pub/sub for the embedded mode (workers run as threads of the API process)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from backend.shared.pubsub.base import Event

SUBSCRIBER_QUEUE_SIZE = 1000


@dataclass(eq=False)
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Event]


class MemoryEventBus:
    def __init__(self) -> None:
        self._subscribers: dict[uuid.UUID, set[_Subscriber]] = {}
        self._lock = threading.Lock()

    def publish(self, user_id: uuid.UUID, event: Event) -> None:
        with self._lock:
            targets = list(self._subscribers.get(user_id, ()))
        for subscriber in targets:
            try:
                subscriber.loop.call_soon_threadsafe(_offer, subscriber.queue, event)
            except RuntimeError:
                # The subscriber's loop closed under us; it is about to unsubscribe.
                continue

    @asynccontextmanager
    async def subscribe(self, user_id: uuid.UUID) -> AsyncIterator[AsyncIterator[Event]]:
        subscriber = _Subscriber(
            loop=asyncio.get_running_loop(), queue=asyncio.Queue(SUBSCRIBER_QUEUE_SIZE)
        )
        with self._lock:
            self._subscribers.setdefault(user_id, set()).add(subscriber)
        try:
            yield _drain(subscriber.queue)
        finally:
            with self._lock:
                remaining = self._subscribers.get(user_id, set())
                remaining.discard(subscriber)
                if not remaining:
                    self._subscribers.pop(user_id, None)

    def close(self) -> None:
        with self._lock:
            self._subscribers.clear()


def _offer(queue: asyncio.Queue[Event], event: Event) -> None:
    """A slow client loses its oldest events rather than stalling the publisher."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(event)


async def _drain(queue: asyncio.Queue[Event]) -> AsyncIterator[Event]:
    while True:
        yield await queue.get()
