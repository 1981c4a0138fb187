"""Webhooks through the API, delivered by a real worker to a real local receiver."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.domain.webhooks import signing
from backend.shared.config import get_settings
from tests.fastapi_app.conftest import ApiUser
from tests.support.webhook_receiver import webhook_receiver
from tests.support.workers import inprocess_worker, wait_for_job

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"


@pytest.fixture
def local_hooks(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Self-hosting settings: the receiver on 127.0.0.1 over plain HTTP, quick retries."""
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_REQUIRE_HTTPS", "false")
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_RETRY_BASE_SECONDS", "0.2")
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_RETRY_MAX_SECONDS", "0.5")
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_MAX_ATTEMPTS", "3")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def worker(local_hooks: None) -> Iterator[None]:
    with inprocess_worker():
        yield


def _register(client: TestClient, user: ApiUser, url: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/api/v1/webhooks", json={"url": url, **fields}, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _wait_for_delivery(
    client: TestClient, user: ApiUser, hook_id: str, delivery_id: str, status: str
) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        delivery: dict[str, Any] = client.get(
            f"/api/v1/webhooks/{hook_id}/deliveries/{delivery_id}", headers=user.headers
        ).json()
        if delivery["status"] == status:
            return delivery
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery still {delivery['status']}: {delivery}")
        time.sleep(0.05)


def test_analysis_events_arrive_signed_and_are_recorded(
    client: TestClient, alice: ApiUser, worker: None
) -> None:
    with webhook_receiver() as receiver:
        hook = _register(client, alice, receiver.url, event_types=["job.completed"])
        everything = _register(client, alice, receiver.url + "?all")
        product = client.post("/api/v1/products", json={"title": "Cup"}, headers=alice.headers)
        image = client.post(
            f"/api/v1/products/{product.json()['id']}/images",
            files={"file": ("cup.jpg", (PHOTOS / "red_coffee_cup.jpg").read_bytes(), "image/jpeg")},
            headers=alice.headers,
        ).json()
        wait_for_job(client, alice.headers, image["job_id"])
        received = receiver.wait_for(3)
    by_path: dict[str, list[str]] = {}
    for request in received:
        header = request.headers[signing.SIGNATURE_HEADER]
        secret = hook["secret"] if request.path.endswith("imagineai") else everything["secret"]
        assert signing.verify(secret, header, request.body), header
        assert not signing.verify(hook["secret"] + "x", header, request.body)
        body = json.loads(request.body)
        assert request.headers[signing.EVENT_HEADER] == body["type"]
        by_path.setdefault(request.path, []).append(body["type"])
        if body["type"] == "job.completed":
            assert body["data"]["job_id"] == image["job_id"]
            assert body["data"]["status"] == "completed"
    assert by_path["/hooks/imagineai"] == ["job.completed"]
    assert sorted(by_path["/hooks/imagineai?all"]) == ["image.analyzed", "job.completed"]
    listed = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=alice.headers).json()
    assert listed["total"] == 1
    delivery = listed["data"][0]
    assert (delivery["status"], delivery["attempts"], delivery["response_status"]) == (
        "succeeded",
        1,
        200,
    )
    detail = client.get(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}", headers=alice.headers
    ).json()
    assert detail["response_body"] == '{"ok": true}'
    assert detail["payload"]["id"] == delivery["event_id"]


def test_a_500_is_retried_with_backoff_until_it_succeeds(
    client: TestClient, alice: ApiUser, worker: None
) -> None:
    with webhook_receiver(statuses=[500, 500]) as receiver:
        hook = _register(client, alice, receiver.url)
        ping = client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=alice.headers)
        assert ping.status_code == 202, ping.text
        delivery = _wait_for_delivery(client, alice, hook["id"], ping.json()["id"], "succeeded")
        received = receiver.wait_for(3)
    assert delivery["attempts"] == 3
    assert delivery["response_status"] == 200
    assert delivery["error_message"] is None
    bodies = {request.body for request in received}
    assert len(bodies) == 1  # the same event each time
    timestamps = [int(r.headers[signing.SIGNATURE_HEADER].split(",")[0][2:]) for r in received]
    assert timestamps == sorted(timestamps)
    assert all(
        signing.verify(hook["secret"], r.headers[signing.SIGNATURE_HEADER], r.body)
        for r in received
    )


def test_a_receiver_that_keeps_failing_ends_failed_and_can_be_replayed(
    client: TestClient, alice: ApiUser, worker: None
) -> None:
    with webhook_receiver(statuses=[500, 503, 500]) as receiver:
        hook = _register(client, alice, receiver.url)
        ping = client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=alice.headers).json()
        failed = _wait_for_delivery(client, alice, hook["id"], ping["id"], "failed")
        assert failed["attempts"] == 3
        assert failed["response_status"] == 500
        assert failed["error_message"] == "the endpoint answered HTTP 500"
        assert failed["response_body"] == "receiver failure"
        replay = client.post(
            f"/api/v1/webhooks/{hook['id']}/deliveries/{ping['id']}/replay", headers=alice.headers
        )
        assert replay.status_code == 202, replay.text
        replayed = _wait_for_delivery(client, alice, hook["id"], replay.json()["id"], "succeeded")
        received = receiver.wait_for(4)
    assert replayed["event_id"] == failed["event_id"]
    assert replayed["id"] != failed["id"]
    assert json.loads(received[-1].body)["id"] == failed["event_id"]


def test_private_addresses_are_refused_at_registration_and_at_delivery(
    client: TestClient, alice: ApiUser, worker: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for url in ("http://10.0.0.7/hook", "http://169.254.169.254/latest", "http://[::1]/x"):
        refused = client.post("/api/v1/webhooks", json={"url": url}, headers=alice.headers)
        assert refused.status_code == 422, url
        assert refused.json()["code"] == "webhook_url_refused"
    with webhook_receiver() as receiver:
        hook = _register(client, alice, receiver.url)
        # The allow-list is withdrawn: the same endpoint now resolves to a refused address.
        monkeypatch.setenv("IMAGINEAI_WEBHOOK_ALLOWED_NETWORKS", "")
        get_settings.cache_clear()
        ping = client.post(f"/api/v1/webhooks/{hook['id']}/ping", headers=alice.headers).json()
        failed = _wait_for_delivery(client, alice, hook["id"], ping["id"], "failed")
        assert receiver.requests == []
    assert failed["attempts"] == 1
    assert failed["error_message"] == "refused: 127.0.0.1 is a loopback address"


def test_https_is_required_by_default(client: TestClient, alice: ApiUser) -> None:
    response = client.post(
        "/api/v1/webhooks", json={"url": "http://93.184.216.34/hook"}, headers=alice.headers
    )
    assert response.status_code == 422
    assert "only https URLs are allowed" in response.json()["detail"]


def test_endpoints_are_private_and_the_secret_is_shown_once(
    client: TestClient, alice: ApiUser, bob: ApiUser, local_hooks: None
) -> None:
    hook = _register(
        client, alice, "http://127.0.0.1:9/hook", description="ERP", event_types=["job.failed"]
    )
    assert hook["secret"].startswith("whsec_")
    assert hook["secret_hint"] == hook["secret"][-4:]
    shown = client.get(f"/api/v1/webhooks/{hook['id']}", headers=alice.headers).json()
    assert "secret" not in shown
    assert client.get(f"/api/v1/webhooks/{hook['id']}", headers=bob.headers).status_code == 404
    assert client.get("/api/v1/webhooks", headers=bob.headers).json()["total"] == 0
    patched = client.patch(
        f"/api/v1/webhooks/{hook['id']}",
        json={"is_active": False, "event_types": ["job.completed", "image.analyzed"]},
        headers=alice.headers,
    ).json()
    assert (patched["is_active"], patched["event_types"]) == (
        False,
        ["job.completed", "image.analyzed"],
    )
    bad = client.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"event_types": ["job.nope"]}, headers=alice.headers
    )
    assert bad.status_code == 422
    rotated = client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=alice.headers)
    assert rotated.json()["secret"] != hook["secret"]
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=bob.headers).status_code == 404
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=alice.headers).status_code == 204
    assert client.get("/api/v1/webhooks", headers=alice.headers).json()["total"] == 0
