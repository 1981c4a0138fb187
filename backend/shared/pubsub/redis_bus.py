"""Redis pub/sub for the real mode: one channel per user, shared by every API and worker."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis
import redis.asyncio as aioredis
import structlog

from backend.shared.pubsub.base import Event, channel_name

logger = structlog.get_logger(__name__)

PUBLISH_TIMEOUT_S = 0.5
RECONNECT_DELAY_S = 1.0


class RedisEventBus:
    def __init__(self, url: str) -> None:
        self._url = url
        self._publisher = redis.Redis.from_url(
            url, socket_timeout=PUBLISH_TIMEOUT_S, socket_connect_timeout=PUBLISH_TIMEOUT_S
        )

    def publish(self, user_id: uuid.UUID, event: Event) -> None:
        try:
            self._publisher.publish(channel_name(user_id), json.dumps(event, default=str))
        except redis.RedisError as exc:
            # Live updates are a convenience; the database already holds the truth.
            logger.warning("event_publish_failed", error=str(exc), event_type=event.get("type"))

    @asynccontextmanager
    async def subscribe(self, user_id: uuid.UUID) -> AsyncIterator[AsyncIterator[Event]]:
        client = aioredis.Redis.from_url(self._url)
        try:
            yield self._listen(client, channel_name(user_id))
        finally:
            await client.aclose()

    async def _listen(self, client: aioredis.Redis, channel: str) -> AsyncIterator[Event]:
        """Yield events, re-subscribing after Redis restarts so the stream resumes by itself."""
        while True:
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(channel)
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        payload = json.loads(message["data"])
                    except (TypeError, ValueError):
                        continue
                    if isinstance(payload, dict):
                        yield payload
            except (redis.RedisError, OSError) as exc:
                logger.warning("event_subscription_lost", error=str(exc))
                await asyncio.sleep(RECONNECT_DELAY_S)
            finally:
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    def close(self) -> None:
        self._publisher.close()
