"""The event bus from settings: Redis when ``IMAGINEAI_REDIS_URL`` is set, else in-process."""

from __future__ import annotations

from functools import lru_cache

from backend.shared.config import get_settings
from backend.shared.pubsub.base import EventBus
from backend.shared.pubsub.memory import MemoryEventBus
from backend.shared.pubsub.redis_bus import RedisEventBus


@lru_cache(maxsize=1)
def get_event_bus() -> EventBus:
    settings = get_settings()
    if settings.redis_url:
        return RedisEventBus(settings.redis_url)
    return MemoryEventBus()
