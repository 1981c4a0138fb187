"""A real Celery worker for tests: threads of this process on the in-memory transport."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient

from backend.shared.config import get_settings
from backend.workers.celery_app import DEFAULT_QUEUE, ML_QUEUE, get_celery_app

FINAL_JOB_STATES = {"completed", "completed_with_errors", "failed", "cancelled"}


@contextmanager
def inprocess_worker(concurrency: int = 2) -> Iterator[Any]:
    """Start a worker on the embedded broker and stop it afterwards."""
    app = get_celery_app()
    worker = app.Worker(
        pool="threads",
        concurrency=concurrency,
        queues=[ML_QUEUE, DEFAULT_QUEUE],
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        hostname=f"test-{uuid.uuid4().hex[:6]}@localhost",
        loglevel=get_settings().log_level,
    )
    thread = threading.Thread(target=worker.start, daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop(in_sighandler=False)
        thread.join(timeout=10)


def wait_for_job(
    client: TestClient, headers: dict[str, str], job_id: str, timeout_s: float = 60.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
        if job["status"] in FINAL_JOB_STATES:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout_s}s: {job}")
        time.sleep(0.1)
