"""``imagineai up``: the whole platform in one process on embedded defaults.

The API (:8000), the web app (:4200) and the admin (:8001) share one event loop; the Celery
worker and the scheduler run as threads on the in-memory transport. On start-up the recovery
sweep re-queues whatever an earlier run left unfinished, since in-memory messages died with it.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import structlog
import uvicorn
from celery.beat import EmbeddedService

from backend.domain.jobs import recovery
from backend.ml.model_registry import preload_if_configured
from backend.shared.config import Settings, get_settings
from backend.shared.db.migrate import upgrade
from backend.shared.db.session import session_scope
from backend.shared.logging import configure_logging
from backend.workers.celery_app import DEFAULT_QUEUE, ML_QUEUE, get_celery_app
from backend.workers.dispatcher import get_dispatcher

logger = structlog.get_logger(__name__)


class EmbeddedWorker:
    """A Celery worker (threads pool) and beat, living inside this process."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app = get_celery_app()
        self._worker: Any = None
        self._beat: Any = None

    def start(self) -> None:
        preload_if_configured()
        self._worker = self._app.Worker(
            pool="threads",
            concurrency=self._settings.worker_concurrency or 2,
            queues=[ML_QUEUE, DEFAULT_QUEUE],
            without_heartbeat=True,
            without_mingle=True,
            without_gossip=True,
            hostname="embedded@localhost",
            loglevel=self._settings.log_level,
        )
        threading.Thread(target=self._worker.start, name="celery-worker", daemon=True).start()
        self._beat = EmbeddedService(
            self._app,
            thread=True,
            schedule_filename=str(self._settings.var_dir / "celerybeat-schedule"),
        )
        self._beat.start()

    def stop(self) -> None:
        if self._beat is not None:
            self._beat.stop()
        if self._worker is not None:
            self._worker.stop(in_sighandler=False)


def _servers(settings: Settings) -> list[uvicorn.Server]:
    from backend.django_app.asgi import create_admin_app
    from backend.fastapi_app.main import create_app
    from backend.spa_server import create_spa_app

    apps: list[tuple[Any, int]] = [
        (create_app(settings), settings.api_port),
        (create_spa_app(settings), settings.frontend_port),
        (create_admin_app(), settings.admin_port),
    ]
    return [
        uvicorn.Server(
            uvicorn.Config(app, host=settings.api_host, port=port, log_config=None, lifespan="on")
        )
        for app, port in apps
    ]


async def _serve_all(servers: list[uvicorn.Server]) -> None:
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    for task in done:
        task.result()


def run_embedded() -> None:
    settings = get_settings()
    configure_logging(settings)
    upgrade("head")
    worker = EmbeddedWorker(settings)
    worker.start()
    with session_scope() as session:
        report = recovery.sweep(session, get_dispatcher(), settings, after_restart=True)
    logger.info(
        "embedded_started",
        api=f"http://{settings.api_host}:{settings.api_port}",
        web=f"http://{settings.api_host}:{settings.frontend_port}",
        admin=f"http://{settings.api_host}:{settings.admin_port}",
        resumed_images=report.requeued_images,
    )
    try:
        asyncio.run(_serve_all(_servers(settings)))
    finally:
        worker.stop()
