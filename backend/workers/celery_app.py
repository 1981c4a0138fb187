"""The Celery application, configured from settings (``celery -A backend.workers.celery_app``).

Real mode: RabbitMQ (``IMAGINEAI_BROKER_URL=amqp://...``). Embedded mode: the in-memory
transport, with the worker running as threads of the ``imagineai up`` process. The database is
the record of work either way; the broker only carries "go" messages.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from celery import Celery
from kombu import Exchange, Queue

from backend.shared.config import Settings, get_settings

EMBEDDED_BROKER_URL = "memory://"
ML_QUEUE = "ml"
DEFAULT_QUEUE = "default"

TASK_MODULES = [
    "backend.workers.image_processing",
    "backend.workers.batch_processing",
    "backend.workers.classification",
    "backend.workers.feature_extraction",
    "backend.workers.defect_detection",
    "backend.workers.description_gen",
    "backend.workers.notifications",
    "backend.workers.maintenance",
    "backend.workers.webhooks",
    "backend.workers.corrections",
]

ML_TASKS = (
    "image_processing.process_image",
    "classification.classify_image",
    "feature_extraction.extract_features",
    "defect_detection.detect_defects",
    "description_gen.generate_description",
)
DEFAULT_TASKS = (
    "batch_processing.process_batch",
    "notifications.send_processing_update",
    "maintenance.recovery_sweep",
    "maintenance.cleanup",
    "maintenance.health_ping",
    "webhooks.deliver",
    "webhooks.sweep",
    "corrections.train_classifier",
)


def create_celery_app(settings: Settings) -> Celery:
    broker_url = settings.broker_url or EMBEDDED_BROKER_URL
    app = Celery("imagineai", broker=broker_url, include=TASK_MODULES)
    exchange = Exchange("imagineai", type="direct")
    transport_options = {"polling_interval": 0.01} if broker_url.startswith("memory://") else {}
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=[
            Queue(ML_QUEUE, exchange, routing_key=ML_QUEUE, durable=True),
            Queue(DEFAULT_QUEUE, exchange, routing_key=DEFAULT_QUEUE, durable=True),
        ],
        task_default_queue=DEFAULT_QUEUE,
        task_default_exchange="imagineai",
        task_default_routing_key=DEFAULT_QUEUE,
        task_routes={
            **{name: {"queue": ML_QUEUE, "routing_key": ML_QUEUE} for name in ML_TASKS},
            **{
                name: {"queue": DEFAULT_QUEUE, "routing_key": DEFAULT_QUEUE}
                for name in DEFAULT_TASKS
            },
        },
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0.2,
            "interval_step": 0.5,
            "interval_max": 1.0,
        },
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        broker_transport_options=transport_options,
        broker_heartbeat=30,
        worker_redirect_stdouts=False,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        worker_concurrency=settings.worker_concurrency,
        beat_schedule={
            "recovery-sweep": {
                "task": "maintenance.recovery_sweep",
                "schedule": timedelta(seconds=settings.recovery_interval_seconds),
            },
            "cleanup": {
                "task": "maintenance.cleanup",
                "schedule": timedelta(seconds=settings.cleanup_interval_seconds),
            },
            "health-ping": {
                "task": "maintenance.health_ping",
                "schedule": timedelta(seconds=settings.health_ping_interval_seconds),
            },
            "webhook-sweep": {
                "task": "webhooks.sweep",
                "schedule": timedelta(seconds=settings.webhook_sweep_interval_seconds),
            },
        },
        timezone="UTC",
    )
    return app


@lru_cache(maxsize=1)
def get_celery_app() -> Celery:
    return create_celery_app(get_settings())


celery_app = get_celery_app()
