"""Retry with exponential backoff and jitter for calls to remote models."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import structlog

from backend.ml.description_types import DescriptionTransientError
from backend.shared.config import Settings

log = structlog.get_logger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """``max_attempts`` calls in all; the n-th wait is about ``base * 2**(n-1)``, capped."""

    max_attempts: int = 4
    base_delay_seconds: float = 1.0
    max_delay_seconds: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_attempts=settings.description_max_attempts,
            base_delay_seconds=settings.description_retry_base_seconds,
            max_delay_seconds=settings.description_retry_max_seconds,
        )

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay_seconds)
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * 2.0 ** (attempt - 1))
        # Equal jitter: callers throttled together do not come back together.
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - timing, not security


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    provider: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``call``; on ``DescriptionTransientError`` wait and retry, up to the policy's limit."""
    attempt = 1
    while True:
        try:
            return call()
        except DescriptionTransientError as error:
            if attempt >= policy.max_attempts:
                log.warning(
                    "description.gave_up", provider=provider, attempts=attempt, error=str(error)
                )
                raise
            delay = policy.delay(attempt, error.retry_after)
            log.info(
                "description.retrying",
                provider=provider,
                attempt=attempt,
                delay_s=round(delay, 3),
                error=str(error),
            )
            sleep(delay)
            attempt += 1
