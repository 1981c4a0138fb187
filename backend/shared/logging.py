"""structlog configuration; ids bound with ``structlog.contextvars`` appear on every line."""

from __future__ import annotations

import logging
import re
import sys

import structlog

from backend.shared.config import Settings

# WebSocket URLs carry the access token in the query string; it must never reach a log.
_TOKEN_IN_URL = re.compile(r"(token=)[^&\s\"']+")


def redact_tokens(
    _logger: object, _method: str, event_dict: structlog.types.EventDict
) -> structlog.types.EventDict:
    event = event_dict.get("event")
    if isinstance(event, str) and "token=" in event:
        event_dict["event"] = _TOKEN_IN_URL.sub(r"\1[redacted]", event)
    return event_dict


def configure_logging(settings: Settings) -> None:
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_json
        else structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),
            # Plain tracebacks: pretty ones with locals took seconds per error on the event loop.
            exception_formatter=structlog.dev.plain_traceback,
        )
    )
    shared_processors: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_tokens,
    ]
    structlog.configure(
        processors=[
            *shared_processors,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access", "botocore", "urllib3", "amqp", "kombu", "httpx"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
