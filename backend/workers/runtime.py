"""What every task needs: settings, storage, event publishing, retry timing, fresh connections."""

from __future__ import annotations

import os
import random
import socket
import uuid
from dataclasses import replace
from typing import Any

import structlog
from celery import concurrency
from celery.concurrency.prefork import TaskPool as PreforkPool
from celery.signals import worker_init, worker_process_init, worker_ready

from backend import __version__
from backend.domain.maintenance import service as maintenance_service
from backend.ml.config import get_ml_config, set_ml_config
from backend.ml.model_registry import preload_if_configured
from backend.shared.config import get_settings
from backend.shared.db.session import reset_engine, session_scope
from backend.shared.pubsub.base import Event
from backend.shared.pubsub.factory import get_event_bus
from backend.shared.storage.base import ImageStorage
from backend.shared.storage.factory import get_storage
from backend.workers import webhooks

logger = structlog.get_logger(__name__)


def storage() -> ImageStorage:
    return get_storage(get_settings())


def publish(user_id: uuid.UUID, event: Event) -> None:
    """Push a live event; never raises, so publishing can never fail the pipeline."""
    try:
        get_event_bus().publish(user_id, event)
    except Exception as exc:  # noqa: BLE001 - live updates are best effort by design
        logger.warning("event_publish_failed", error=str(exc))
    # Job and analysis events also go to the user's webhook endpoints (queued, never blocking).
    webhooks.queue_event_deliveries(user_id, event)


def retry_countdown(retries: int) -> float:
    """Exponential backoff with full jitter, capped."""
    settings = get_settings()
    ceiling = min(
        settings.retry_backoff_max_seconds, settings.retry_backoff_base_seconds * (2**retries)
    )
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security


@worker_process_init.connect
def _fresh_connections_after_fork(**_kwargs: object) -> None:
    # A forked worker must not share the parent's database sockets.
    reset_engine()


@worker_process_init.connect
def _preload_models_in_pool_process(**_kwargs: object) -> None:
    # In each pool process, never in the parent: ONNX Runtime's threads do not survive a fork.
    preload_if_configured()


def record_heartbeat(worker_name: str | None) -> dict[str, Any]:
    """Store this worker's sign of life (read by readiness checks and ``imagineai status``)."""
    name = worker_name or f"worker@{socket.gethostname()}"
    details: dict[str, Any] = {
        "pid": os.getpid(),
        "version": __version__,
        "host": socket.gethostname(),
    }
    with session_scope() as session:
        maintenance_service.record_heartbeat(session, worker_name=name, details=details)
    return details


@worker_ready.connect
def _first_heartbeat(sender: Any = None, **_kwargs: object) -> None:
    """Report in at once; the scheduled health ping keeps the heartbeat fresh after that."""
    try:
        record_heartbeat(getattr(sender, "hostname", None))
    except Exception as exc:  # noqa: BLE001 - the next scheduled ping tries again
        logger.warning("first_heartbeat_failed", error=str(exc))


def threads_per_pool_process(pool_processes: int, cpus: int) -> int:
    """Model threads each of ``pool_processes`` CPU-bound workers may use on ``cpus`` cores."""
    return max(1, cpus // max(1, pool_processes))


@worker_init.connect
def _share_cores_between_pool_processes(sender: Any = None, **_kwargs: object) -> None:
    # Every prefork child runs the models with its own ONNX Runtime threads: two children
    # with two threads each on two cores took 150 ms per image instead of 76 ms (measured
    # with python -m backend.workers.bench). Cap each child at its share of the cores; the
    # children are forked after this signal and inherit the capped configuration.
    pool = concurrency.get_implementation(getattr(sender, "pool_cls", None) or "prefork")
    pool_processes = getattr(sender, "concurrency", None)
    if not isinstance(pool, type) or not issubclass(pool, PreforkPool):
        return
    if not isinstance(pool_processes, int) or pool_processes <= 1:
        return
    config = get_ml_config()
    threads = threads_per_pool_process(pool_processes, len(os.sched_getaffinity(0)))
    if threads < config.intra_op_threads:
        set_ml_config(replace(config, intra_op_threads=threads))
        logger.info(
            "ml_threads_capped",
            pool_processes=pool_processes,
            configured=config.intra_op_threads,
            per_process=threads,
        )
