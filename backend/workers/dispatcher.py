"""The jobs service's dispatcher: Celery messages on RabbitMQ or the in-process transport."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.workers.celery_app import DEFAULT_QUEUE, ML_QUEUE, get_celery_app


class CeleryDispatcher:
    def dispatch(self, *, job_id: uuid.UUID, image_ids: Sequence[uuid.UUID]) -> None:
        app = get_celery_app()
        if len(image_ids) == 1:
            app.send_task(
                "image_processing.process_image",
                kwargs={"job_id": str(job_id), "image_id": str(image_ids[0])},
                queue=ML_QUEUE,
                routing_key=ML_QUEUE,
            )
            return
        app.send_task(
            "batch_processing.process_batch",
            kwargs={"job_id": str(job_id), "image_ids": [str(i) for i in image_ids]},
            queue=DEFAULT_QUEUE,
            routing_key=DEFAULT_QUEUE,
        )


_dispatcher = CeleryDispatcher()


def get_dispatcher() -> CeleryDispatcher:
    return _dispatcher
