"""Fixed-window rate limiting: Redis in real mode (shared by all API processes), else memory."""

from __future__ import annotations

import math
import threading
import time
from functools import lru_cache
from typing import Protocol

import redis
import structlog

from backend.shared.config import get_settings

logger = structlog.get_logger(__name__)


class RateLimiter(Protocol):
    def hit(self, key: str, *, limit: int, window_s: int) -> int | None:
        """Count one attempt; ``None`` while under ``limit``, else seconds until allowed again."""
        ...

    def reset(self, key: str) -> None: ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, *, limit: int, window_s: int) -> int | None:
        now = time.monotonic()
        with self._lock:
            started, count = self._windows.get(key, (now, 0))
            if now - started >= window_s:
                started, count = now, 0
            count += 1
            self._windows[key] = (started, count)
            if len(self._windows) > 100_000:
                self._drop_expired(now, window_s)
        if count > limit:
            return max(1, math.ceil(started + window_s - now))
        return None

    def reset(self, key: str) -> None:
        with self._lock:
            self._windows.pop(key, None)

    def _drop_expired(self, now: float, window_s: int) -> None:
        for stale in [k for k, (started, _) in self._windows.items() if now - started >= window_s]:
            del self._windows[stale]


class RedisRateLimiter:
    def __init__(self, client: redis.Redis, prefix: str = "imagineai:ratelimit:") -> None:
        self._client = client
        self._prefix = prefix

    def hit(self, key: str, *, limit: int, window_s: int) -> int | None:
        name = self._prefix + key
        pipeline = self._client.pipeline()
        pipeline.incr(name)
        pipeline.expire(name, window_s, nx=True)
        pipeline.ttl(name)
        try:
            count, _, ttl = pipeline.execute()
        except redis.RedisError as exc:
            # Logins must keep working while Redis is away; the window restarts when it is back.
            logger.warning("rate_limit_unavailable", error=str(exc))
            return None
        if int(count) > limit:
            return max(1, int(ttl))
        return None

    def reset(self, key: str) -> None:
        try:
            self._client.delete(self._prefix + key)
        except redis.RedisError as exc:
            logger.warning("rate_limit_unavailable", error=str(exc))


@lru_cache(maxsize=1)
def get_rate_limiter() -> RateLimiter:
    settings = get_settings()
    if settings.redis_url:
        return RedisRateLimiter(
            redis.Redis.from_url(settings.redis_url, socket_timeout=1, socket_connect_timeout=1)
        )
    return MemoryRateLimiter()
