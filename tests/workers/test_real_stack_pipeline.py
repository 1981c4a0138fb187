"""Issue 5, acceptance 1: a real worker process on RabbitMQ, Redis, PostgreSQL and the S3
server: presigned upload -> confirm -> job completed -> every result table filled -> the
WebSocket (relaying Redis pub/sub) delivers the step events in order."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from backend.ml.evaluation import read_dataset
from backend.ml.preprocessing import Box
from backend.shared.db.enums import StepName
from backend.shared.db.models import (
    AnalysisResult,
    DetectedDefect,
    ExtractedAttribute,
    JobStep,
    ProcessingJob,
    Product,
)
from tests.support.real_stack import LiveEvents, RealStack, audit_job
from tests.workers.conftest import Shop

pytestmark = pytest.mark.services

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "photos"
# Labelled defective (a crack drawn on the bulb, which the precision-first detector reports), so
# the defect table gets rows too.
PHOTO = PHOTOS / "led_bulb_crack.jpg"
STEPS = [step.value for step in StepName]


def test_presigned_upload_is_analysed_by_a_worker_process(
    real_stack: RealStack, api: TestClient, shop: Shop
) -> None:
    worker = real_stack.start_worker()
    headers = shop.user.headers
    data = PHOTO.read_bytes()
    ticket = api.post(
        f"/api/v1/products/{shop.product_id}/images/upload-url",
        json={"filename": PHOTO.name, "content_type": "image/jpeg", "size_bytes": len(data)},
        headers=headers,
    )
    assert ticket.status_code == 201, ticket.text
    upload = ticket.json()
    assert upload["method"] == "PUT"
    assert upload["upload_url"].startswith(real_stack.bucket.server.endpoint_url)
    stored = httpx.put(upload["upload_url"], content=data, headers=upload["headers"], timeout=30)
    assert stored.status_code == 200, stored.text
    image_id = upload["image_id"]

    with (
        api.websocket_connect(f"/ws?token={shop.user.access_token}") as socket,
        LiveEvents(socket) as live,
    ):
        # The first heartbeat comes after the socket subscribed to the user's Redis channel.
        live.wait_for(lambda e: e["type"] == "heartbeat", timeout_s=10, what="a heartbeat")
        confirmed_at = time.perf_counter()
        confirmed = api.post(
            f"/api/v1/products/{shop.product_id}/images/{image_id}/confirm", headers=headers
        )
        assert confirmed.status_code == 200, confirmed.text
        job_id = confirmed.json()["job_id"]
        assert job_id
        finished = live.wait_for(
            lambda e: e["type"] in ("job.completed", "job.failed"),
            timeout_s=60,
            what="the job's completion event",
        )
        elapsed_s = time.perf_counter() - confirmed_at
        events = live.events()
    print(f"confirm -> job.completed over RabbitMQ + Redis: {elapsed_s:.2f} s")

    assert finished["type"] == "job.completed"
    assert finished["job_id"] == job_id
    assert (finished["status"], finished["processed_images"], finished["failed_images"]) == (
        "completed",
        1,
        0,
    )
    steps = [(e["step"], e["status"]) for e in events if e["type"] == "job.step"]
    assert steps == [(name, status) for name in STEPS for status in ("running", "completed")]
    assert all(e["image_id"] == image_id for e in events if e["type"] == "job.step")
    kinds = [e["type"] for e in events]
    assert kinds.index("image.analyzed") > max(
        i for i, kind in enumerate(kinds) if kind == "job.step"
    )
    assert kinds[-1] == "job.completed"

    job = api.get(f"/api/v1/jobs/{job_id}", headers=headers).json()
    assert (job["status"], job["processed_images"], job["failed_images"]) == ("completed", 1, 0)
    with real_stack.session() as session:
        image_uuid = uuid.UUID(image_id)
        analysis = session.scalar(
            select(AnalysisResult).where(AnalysisResult.product_image_id == image_uuid)
        )
        assert analysis is not None
        assert analysis.status == "completed"
        # Not pinned: ImageNet has no class close to an LED bulb (`imagineai eval` reports it).
        assert analysis.classification_label
        assert analysis.classification_confidence is not None
        assert 0 < analysis.classification_confidence <= 1
        assert analysis.model_version
        assert analysis.description_text
        assert analysis.processing_time_ms is not None
        attributes = dict(
            session.execute(
                select(ExtractedAttribute.attribute_name, ExtractedAttribute.attribute_value).where(
                    ExtractedAttribute.analysis_result_id == analysis.id
                )
            ).all()
        )
        assert attributes["color"] == "white"
        assert "condition" in attributes
        defect_rows = list(
            session.scalars(
                select(DetectedDefect).where(DetectedDefect.analysis_result_id == analysis.id)
            )
        )
        defects = len(defect_rows)
        job_steps = {
            step.step_name: step
            for step in session.scalars(select(JobStep).where(JobStep.job_id == uuid.UUID(job_id)))
        }
        assert sorted(job_steps) == sorted(STEPS)
        assert all(
            step.status == "completed"
            and step.duration_ms is not None
            and step.started_at is not None
            and step.completed_at is not None
            and step.attempts == 1
            for step in job_steps.values()
        )
        assert defects == job_steps[StepName.DETECT_DEFECTS].result_data["defects"]
        assert defects >= 1
        crack = max(defect_rows, key=lambda row: row.confidence)
        assert crack.defect_type == "crack"
        [drawn] = next(item.boxes for item in read_dataset(PHOTOS) if item.filename == PHOTO.name)
        box = crack.bounding_box
        assert drawn.iou(Box(box["x"], box["y"], box["width"], box["height"])) > 0
        product = session.get(Product, shop.product_id)
        assert product is not None
        assert product.status == "analyzed"
        assert product.ai_description == analysis.description_text
        audit = audit_job(session, uuid.UUID(job_id), events=events)
    print(audit.line("single upload"))
    assert (audit.lost, audit.duplicated) == (0, 0)
    assert "image_processing.process_image" in worker.log()

    # The audit is not vacuous: a repeated attribute row and a counter past the total show up.
    with real_stack.session() as session:
        session.add(
            ExtractedAttribute(
                analysis_result_id=analysis.id,
                attribute_name="color",
                attribute_value="red",
                confidence=0.9,
                metadata_={},
            )
        )
        session.execute(
            update(ProcessingJob)
            .where(ProcessingJob.id == uuid.UUID(job_id))
            .values(processed_images=ProcessingJob.processed_images + 1)
        )
        session.commit()
        tampered = audit_job(session, uuid.UUID(job_id))
    assert (tampered.images_with_duplicate_rows, tampered.counters_over) == (1, 1)
