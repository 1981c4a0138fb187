"""The JSON events a user's WebSocket receives (see docs/api.md)."""

from __future__ import annotations

import uuid
from typing import Any

from backend.shared.db.models import ProcessingJob
from backend.shared.db.types import utcnow


def _stamp(event: dict[str, Any]) -> dict[str, Any]:
    event["ts"] = utcnow().isoformat()
    return event


def job_progress(job: ProcessingJob) -> dict[str, Any]:
    return _stamp(
        {
            "type": "job.progress",
            "job_id": str(job.id),
            "status": job.status,
            "total_images": job.total_images,
            "processed_images": job.processed_images,
            "failed_images": job.failed_images,
        }
    )


def job_finished(job: ProcessingJob) -> dict[str, Any]:
    event = job_progress(job)
    event["type"] = "job.failed" if job.status == "failed" else "job.completed"
    event["error_message"] = job.error_message
    return event


def job_step(
    *,
    job_id: uuid.UUID,
    image_id: uuid.UUID,
    product_id: uuid.UUID,
    step: str,
    status: str,
    duration_ms: int | None,
    error: str | None,
) -> dict[str, Any]:
    return _stamp(
        {
            "type": "job.step",
            "job_id": str(job_id),
            "image_id": str(image_id),
            "product_id": str(product_id),
            "step": step,
            "status": status,
            "duration_ms": duration_ms,
            "error": error,
        }
    )


def image_analyzed(
    *,
    image_id: uuid.UUID,
    product_id: uuid.UUID,
    status: str,
    classification_label: str | None,
) -> dict[str, Any]:
    return _stamp(
        {
            "type": "image.analyzed",
            "image_id": str(image_id),
            "product_id": str(product_id),
            "status": status,
            "classification_label": classification_label,
        }
    )
