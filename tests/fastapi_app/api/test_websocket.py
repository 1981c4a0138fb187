"""Live events over /ws: authentication, per-user isolation, and the order of step events."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from backend.fastapi_app.main import create_app
from backend.shared.config import get_settings
from backend.shared.pubsub.factory import get_event_bus
from backend.shared.ratelimit import get_rate_limiter
from tests.fastapi_app.conftest import ApiUser, register_and_login
from tests.support.workers import inprocess_worker

PHOTO = Path(__file__).resolve().parents[2] / "data" / "photos" / "led_bulb.jpg"
STEPS = ["preprocess", "classify", "extract_features", "detect_defects", "generate_description"]


@pytest.fixture
def live_client(app_settings: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """A client whose sockets send a heartbeat every 0.2 s, so reads never block for long."""
    monkeypatch.setenv("IMAGINEAI_WEBSOCKET_HEARTBEAT_SECONDS", "0.2")
    get_settings.cache_clear()
    get_rate_limiter.cache_clear()
    get_event_bus.cache_clear()
    with TestClient(create_app(get_settings())) as client:
        yield client
    get_event_bus.cache_clear()


def _collect(socket: WebSocketTestSession, until: str, limit: int = 400) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for _ in range(limit):
        event = socket.receive_json()
        events.append(event)
        if event["type"] == until:
            return events
    raise AssertionError(f"no {until} event among {events[-10:]}")


def test_bad_tokens_are_closed_with_4401(live_client: TestClient) -> None:
    for query in ("", "?token=", "?token=not-a-jwt"):
        with (
            live_client.websocket_connect(f"/ws{query}") as socket,
            pytest.raises(WebSocketDisconnect) as closed,
        ):
            socket.receive_json()
        assert closed.value.code == 4401


def test_refresh_token_is_not_accepted_on_the_socket(live_client: TestClient) -> None:
    user = register_and_login(live_client, "carol@example.com")
    with (
        live_client.websocket_connect(f"/ws?token={user.refresh_token}") as socket,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        socket.receive_json()
    assert closed.value.code == 4401


def test_steps_arrive_in_order_and_only_for_their_owner(live_client: TestClient) -> None:
    alice: ApiUser = register_and_login(live_client, "alice@example.com")
    bob: ApiUser = register_and_login(live_client, "bob@example.com")
    product_id = live_client.post(
        "/api/v1/products", json={"title": "Bulb"}, headers=alice.headers
    ).json()["id"]
    bob_events: list[dict[str, Any]] = []
    with (
        inprocess_worker(),
        live_client.websocket_connect(f"/ws?token={alice.access_token}") as alice_socket,
        live_client.websocket_connect(f"/ws?token={bob.access_token}") as bob_socket,
    ):
        stop = threading.Event()

        def listen_as_bob() -> None:
            while not stop.is_set():
                bob_events.append(bob_socket.receive_json())

        listener = threading.Thread(target=listen_as_bob, daemon=True)
        listener.start()
        uploaded = live_client.post(
            f"/api/v1/products/{product_id}/images",
            files={"file": ("bulb.jpg", PHOTO.read_bytes(), "image/jpeg")},
            headers=alice.headers,
        ).json()
        events = _collect(alice_socket, until="job.completed")
        stop.set()
        listener.join(timeout=2)
    steps = [(e["step"], e["status"]) for e in events if e["type"] == "job.step"]
    expected = [(name, status) for name in STEPS for status in ("running", "completed")]
    assert steps == expected
    assert all(e["image_id"] == uploaded["id"] for e in events if e["type"] == "job.step")
    kinds = [e["type"] for e in events if e["type"] != "heartbeat"]
    assert kinds.index("image.analyzed") > kinds.index("job.step")
    completed = events[-1]
    assert completed["job_id"] == uploaded["job_id"]
    assert completed["processed_images"] == 1
    assert bob_events
    assert {e["type"] for e in bob_events} == {"heartbeat"}
