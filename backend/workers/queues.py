"""How many messages wait in each queue (``imagineai status`` and the admin health page)."""

from __future__ import annotations

from typing import Any

import structlog

from backend.workers.celery_app import DEFAULT_QUEUE, ML_QUEUE, get_celery_app

logger = structlog.get_logger(__name__)


def queue_depths() -> dict[str, int | None]:
    """Messages ready per queue; ``None`` when the broker cannot tell (or cannot be reached)."""
    depths: dict[str, int | None] = {}
    try:
        with get_celery_app().connection_for_read() as connection:
            connection.ensure_connection(max_retries=1)
            channel: Any = connection.default_channel
            for queue in (ML_QUEUE, DEFAULT_QUEUE):
                try:
                    declared = channel.queue_declare(queue=queue, passive=True)
                    depths[queue] = int(declared.message_count)
                except Exception as exc:  # noqa: BLE001 - unknown depth, not an error
                    logger.debug("queue_depth_unknown", queue=queue, error=str(exc))
                    depths[queue] = None
    except Exception as exc:  # noqa: BLE001 - broker down: reported as unknown
        logger.warning("broker_unreachable", error=str(exc))
        return {ML_QUEUE: None, DEFAULT_QUEUE: None}
    return depths
