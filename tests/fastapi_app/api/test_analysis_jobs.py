"""The whole pipeline through the API with a real worker (embedded transport, threads)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.shared.config import get_settings
from tests.fastapi_app.conftest import ApiUser
from tests.support.workers import inprocess_worker, wait_for_job

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"
STEP_NAMES = [
    "preprocess",
    "classify",
    "extract_features",
    "detect_defects",
    "generate_description",
]


@pytest.fixture
def worker(client: TestClient) -> Iterator[None]:
    with inprocess_worker():
        yield


def _product(client: TestClient, user: ApiUser, title: str) -> str:
    return str(
        client.post("/api/v1/products", json={"title": title}, headers=user.headers).json()["id"]
    )


def _upload(client: TestClient, user: ApiUser, product_id: str, photo: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": (photo, (PHOTOS / photo).read_bytes(), "image/jpeg")},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    image: dict[str, Any] = response.json()
    return image


def _analysis(client: TestClient, user: ApiUser, image_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/images/{image_id}/analysis", headers=user.headers)
    assert response.status_code == 200, response.text
    analysis: dict[str, Any] = response.json()
    return analysis


def test_upload_is_analysed_end_to_end(client: TestClient, alice: ApiUser, worker: None) -> None:
    product_id = _product(client, alice, "Red coffee cup")
    image = _upload(client, alice, product_id, "red_coffee_cup.jpg")
    job = wait_for_job(client, alice.headers, image["job_id"])
    assert job["status"] == "completed"
    assert (job["processed_images"], job["failed_images"], job["progress"]) == (1, 0, 1.0)
    assert [step["step_name"] for step in job["steps"]] == STEP_NAMES
    assert all(
        step["status"] == "completed" and step["duration_ms"] is not None for step in job["steps"]
    )
    analysis = _analysis(client, alice, image["id"])
    assert analysis["status"] == "completed"
    assert analysis["classification"]["label"] == "kitchen/mugs"
    assert analysis["classification"]["top_k"][0]["label"] == "kitchen/mugs"
    assert 0 < analysis["classification"]["confidence"] <= 1
    colours = [a for a in analysis["attributes"] if a["name"] == "color"]
    assert colours
    assert colours[0]["value"] == "red"
    assert all(0 <= a["confidence"] <= 1 for a in analysis["attributes"])
    assert analysis["model_version"]
    assert analysis["description_text"]
    assert analysis["description_model"].startswith("offline/")
    assert analysis["processing_time_ms"] >= 0
    product = client.get(f"/api/v1/products/{product_id}", headers=alice.headers).json()
    assert product["status"] == "analyzed"
    assert product["ai_description"] == analysis["description_text"]
    assert product["images"][0]["analysis"]["classification_label"] == "kitchen/mugs"


def test_reanalysis_replaces_rows_instead_of_duplicating(
    client: TestClient, alice: ApiUser, worker: None
) -> None:
    product_id = _product(client, alice, "Cup")
    image = _upload(client, alice, product_id, "red_coffee_cup_stain.jpg")
    wait_for_job(client, alice.headers, image["job_id"])
    first = _analysis(client, alice, image["id"])
    rerun = client.post(f"/api/v1/images/{image['id']}/analysis", headers=alice.headers)
    assert rerun.status_code == 202
    # The earlier results stay visible while the new run is under way.
    assert _analysis(client, alice, image["id"])["status"] == "completed"
    wait_for_job(client, alice.headers, rerun.json()["id"])
    second = _analysis(client, alice, image["id"])
    assert second["id"] == first["id"]
    assert sorted(a["name"] for a in second["attributes"]) == sorted(
        a["name"] for a in first["attributes"]
    )
    assert len(second["defects"]) == len(first["defects"])


def test_batch_with_a_broken_image_finishes_with_exact_counts(
    client: TestClient, alice: ApiUser, worker: None
) -> None:
    product_id = _product(client, alice, "Mixed batch")
    images = [
        _upload(client, alice, product_id, name)
        for name in ("red_coffee_cup.jpg", "grey_duffel_bag.jpg", "led_bulb.jpg")
    ]
    for image in images:
        wait_for_job(client, alice.headers, image["job_id"])
    broken = images[1]
    stored = next(p for p in get_settings().storage_dir.rglob("grey_duffel_bag.jpg"))
    stored.write_bytes(stored.read_bytes()[:200])
    created = client.post("/api/v1/jobs", json={"product_ids": [product_id]}, headers=alice.headers)
    assert created.status_code == 201, created.text
    job = wait_for_job(client, alice.headers, created.json()["id"])
    assert job["status"] == "completed_with_errors"
    assert (job["total_images"], job["processed_images"], job["failed_images"]) == (3, 2, 1)
    failed = [s for s in job["steps"] if s["status"] == "failed"]
    assert len(failed) == 1
    assert failed[0]["product_image_id"] == broken["id"]
    assert failed[0]["error_message"]
    skipped = [
        s
        for s in job["steps"]
        if s["product_image_id"] == broken["id"] and s["status"] == "skipped"
    ]
    assert len(skipped) == len(STEP_NAMES) - 1 - STEP_NAMES.index(failed[0]["step_name"])
    assert _analysis(client, alice, broken["id"])["status"] == "failed"

    stored.write_bytes((PHOTOS / "grey_duffel_bag.jpg").read_bytes())
    retried = client.post(f"/api/v1/jobs/{job['id']}/retry", headers=alice.headers)
    assert retried.status_code == 200, retried.text
    job = wait_for_job(client, alice.headers, job["id"])
    assert (job["status"], job["processed_images"], job["failed_images"]) == ("completed", 3, 0)
    again = client.post(f"/api/v1/jobs/{job['id']}/retry", headers=alice.headers)
    assert again.status_code == 409


def test_dashboard_follows_the_analyses(client: TestClient, alice: ApiUser, worker: None) -> None:
    empty = client.get("/api/v1/dashboard/stats", headers=alice.headers).json()
    assert empty["images_analyzed"] == 0
    assert len(empty["timeseries"]) == 30
    product_id = _product(client, alice, "Cups")
    for name in ("red_coffee_cup.jpg", "red_coffee_cup_scratch.jpg"):
        wait_for_job(client, alice.headers, _upload(client, alice, product_id, name)["job_id"])
    stats = client.get("/api/v1/dashboard/stats", headers=alice.headers).json()
    assert stats["products_total"] == 1
    assert stats["products_by_status"] == {"analyzed": 1}
    assert stats["images_total"] == stats["images_analyzed"] == 2
    assert {"category": "kitchen", "count": 2} in stats["category_distribution"]
    assert 0 <= stats["defect_rate"] <= 1
    assert stats["avg_processing_time_ms"] is not None
    assert stats["jobs_in_flight"] == 0
    assert stats["timeseries"][-1]["images_analyzed"] == 2


def test_cancelled_batch_runs_nothing(client: TestClient, alice: ApiUser) -> None:
    product_id = _product(client, alice, "Cancelled")
    with inprocess_worker():
        image = _upload(client, alice, product_id, "red_coffee_cup.jpg")
        wait_for_job(client, alice.headers, image["job_id"])
    created = client.post(
        "/api/v1/jobs", json={"image_ids": [image["id"]]}, headers=alice.headers
    ).json()
    cancelled = client.post(f"/api/v1/jobs/{created['id']}/cancel", headers=alice.headers)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    with inprocess_worker():
        job = wait_for_job(client, alice.headers, created["id"])
    assert job["status"] == "cancelled"
    assert {s["status"] for s in job["steps"]} == {"cancelled"}
    assert (
        client.post(f"/api/v1/jobs/{created['id']}/cancel", headers=alice.headers).status_code
        == 409
    )


def test_job_requests_that_must_be_refused(
    client: TestClient, alice: ApiUser, bob: ApiUser
) -> None:
    assert client.post("/api/v1/jobs", json={}, headers=alice.headers).status_code == 422
    product_id = _product(client, alice, "Nothing uploaded")
    no_images = client.post(
        "/api/v1/jobs", json={"product_ids": [product_id]}, headers=alice.headers
    )
    assert no_images.status_code == 422
    with inprocess_worker():
        image = _upload(client, alice, product_id, "led_bulb.jpg")
        job = wait_for_job(client, alice.headers, image["job_id"])
    foreign = client.post("/api/v1/jobs", json={"image_ids": [image["id"]]}, headers=bob.headers)
    assert foreign.status_code == 404
    for method, suffix in [("GET", ""), ("POST", "/cancel"), ("POST", "/retry")]:
        assert (
            client.request(
                method, f"/api/v1/jobs/{job['id']}{suffix}", headers=bob.headers
            ).status_code
            == 404
        )
    assert client.get("/api/v1/jobs", headers=bob.headers).json()["total"] == 0
    mine = client.get("/api/v1/jobs", params={"job_type": "single"}, headers=alice.headers).json()
    assert mine["total"] == 1
    stale = client.post("/api/v1/jobs", json={"only_stale": True}, headers=alice.headers)
    assert stale.status_code == 409
    assert stale.json()["code"] == "nothing_stale"
