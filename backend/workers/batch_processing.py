"""``batch_processing.process_batch``: fan a job's images out to ``process_image``."""

from __future__ import annotations

import uuid
from typing import Any

from celery import Task, shared_task

from backend.domain.jobs import progress
from backend.shared.db.enums import JobStatus
from backend.shared.db.models import ProcessingJob
from backend.shared.db.session import session_scope
from backend.workers import runtime
from backend.workers.celery_app import ML_QUEUE


@shared_task(
    name="batch_processing.process_batch",
    bind=True,
    acks_late=True,
    max_retries=None,
    soft_time_limit=60,
    time_limit=90,
)
def process_batch(
    self: Task[Any, Any], job_id: str, image_ids: list[str] | None = None
) -> dict[str, Any]:
    """Queue one ``process_image`` per image that still has steps to run."""
    job_uuid = uuid.UUID(job_id)
    with session_scope() as session:
        job = session.get(ProcessingJob, job_uuid)
        if job is None or job.status == JobStatus.CANCELLED:
            return {"queued": 0}
        pending = set(progress.pending_image_ids(session, job_id=job_uuid))
    targets = [i for i in (image_ids or [str(p) for p in pending]) if uuid.UUID(i) in pending]
    try:
        for image_id in targets:
            self.app.send_task(
                "image_processing.process_image",
                kwargs={"job_id": job_id, "image_id": image_id},
                queue=ML_QUEUE,
                routing_key=ML_QUEUE,
            )
    except Exception as exc:
        # Re-running the fan-out is safe: images already done are not redone.
        raise self.retry(exc=exc, countdown=runtime.retry_countdown(self.request.retries)) from exc
    return {"queued": len(targets)}
