"""Tenancy matrix, driven by the app's own OpenAPI document, on the real-mode stack
(PostgreSQL, RabbitMQ, Redis pub/sub, the S3-protocol server, a real worker process).

Alice owns one of everything (product, analysed images, a near-duplicate, a job, a correction,
a webhook and a delivery). Bob then calls every operation that takes a path parameter, with
every verb the path has, filled with Alice's real ids and a valid body: each answer must be a
404 identical to the one for ids that exist nowhere (no 403, no 200, nothing that tells the two
apart), and verbs the path does not have answer the same 405 either way. Nothing may change:
every table keeps its row count and Alice's resources read the same afterwards. Bob's lists
and exports never mention Alice's ids, and his WebSocket receives no event of hers while her
images are analysed. Finally Alice sends the very same requests and none of them is a 404 or
a 422, which shows that Bob's 404s came from the ownership checks, not from a bad request.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.fastapi_app.main import create_app
from backend.shared.config import get_settings
from backend.shared.db.models import Base
from tests.fastapi_app.conftest import ApiUser, register_and_login
from tests.support.openapi_cases import HTTP_METHODS, OpenApiDocument, Operation
from tests.support.real_stack import (
    LiveEvents,
    RealStack,
    rabbitmq_broker_url,
    real_stack,
    redis_test_url,
    wait_until,
)
from tests.support.workers import wait_for_job

__all__ = ["rabbitmq_broker_url", "real_stack", "redis_test_url"]

pytestmark = pytest.mark.services

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"
API = "/api/v1"
JOB_TIMEOUT_S = 120.0
# Signed capability URLs of the local store: the token is the credential, there is no user id
# in them to swap (their signature, expiry and type checks are tested in the storage tests).
CAPABILITY_OPERATIONS = {"upload_object", "download_object"}
# Bodies the schema alone cannot make meaningful; every other body is built from the schema.
BODIES: dict[str, dict[str, Any]] = {
    "create_upload_url": {"filename": "cup.jpg", "content_type": "image/jpeg", "size_bytes": 1000},
    "set_correction": {"label": "vintage cups"},
    "update_product": {"title": "Renamed"},
    "update_webhook": {"description": "renamed"},
}
# Fields whose values change on every read (signed download URLs and their expiry).
VOLATILE_KEYS = {"url", "expires_at"}


@dataclass(frozen=True)
class AliceWorld:
    ids: dict[str, str]
    all_ids: frozenset[str]


@pytest.fixture
def api(real_stack: RealStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    # Alice's webhook points at a closed loopback port over plain HTTP; one attempt only, so
    # its deliveries settle at once and never change under the snapshots.
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_REQUIRE_HTTPS", "false")
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_MAX_ATTEMPTS", "1")
    get_settings.cache_clear()
    real_stack.start_worker()
    with TestClient(create_app(get_settings())) as client:
        yield client


def _ok(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.request.url, response.text)
    body: dict[str, Any] = response.json()
    return body


def _upload(client: TestClient, user: ApiUser, product_id: str, photo: str) -> dict[str, Any]:
    image = _ok(
        client.post(
            f"{API}/products/{product_id}/images",
            files={"file": (photo, (PHOTOS / photo).read_bytes(), "image/jpeg")},
            headers=user.headers,
        ),
        201,
    )
    job = wait_for_job(client, user.headers, image["job_id"], timeout_s=JOB_TIMEOUT_S)
    assert job["status"] == "completed", job
    return image


def _build_alice_world(client: TestClient, alice: ApiUser) -> AliceWorld:
    product = _ok(client.post(f"{API}/products", json={"title": "Cup"}, headers=alice.headers), 201)
    original = _upload(client, alice, product["id"], "red_coffee_cup.jpg")
    # The same photo again: analysed after the first, it is its near-duplicate.
    copy = _upload(client, alice, product["id"], "red_coffee_cup.jpg")
    analysis = _ok(client.get(f"{API}/images/{copy['id']}/analysis", headers=alice.headers), 200)
    assert analysis["duplicate_of"]["image_id"] == original["id"], analysis["duplicate_of"]
    _ok(
        client.put(
            f"{API}/images/{copy['id']}/correction",
            json=BODIES["set_correction"],
            headers=alice.headers,
        ),
        200,
    )
    batch = _ok(
        client.post(f"{API}/jobs", json={"image_ids": [original["id"]]}, headers=alice.headers),
        201,
    )
    wait_for_job(client, alice.headers, batch["id"], timeout_s=JOB_TIMEOUT_S)
    hook = _ok(
        client.post(
            f"{API}/webhooks", json={"url": "http://127.0.0.1:9/hooks"}, headers=alice.headers
        ),
        201,
    )
    delivery = _ok(client.post(f"{API}/webhooks/{hook['id']}/ping", headers=alice.headers), 202)
    wait_until(
        lambda: (
            client.get(
                f"{API}/webhooks/{hook['id']}/deliveries/{delivery['id']}", headers=alice.headers
            ).json()["status"]
            == "failed"
        ),
        timeout_s=30,
        what="the ping delivery to fail (closed port, one attempt)",
    )
    ids = {
        "product_id": product["id"],
        "image_id": copy["id"],
        "job_id": batch["id"],
        "webhook_id": hook["id"],
        "delivery_id": delivery["id"],
    }
    everything = {*ids.values(), original["id"], original["job_id"], copy["job_id"]}
    return AliceWorld(ids=ids, all_ids=frozenset(everything))


def _request(
    client: TestClient,
    document: OpenApiDocument,
    operation: Operation,
    values: dict[str, str],
    user: ApiUser,
) -> Any:
    kwargs: dict[str, Any] = {"headers": user.headers}
    if operation.body_kind == "json" and operation.body_schema is not None:
        kwargs["json"] = BODIES.get(
            operation.operation_id, document.example_value(operation.body_schema)
        )
    elif operation.body_kind == "multipart":
        kwargs["files"] = {"file": ("cup.jpg", (PHOTOS / "red_coffee_cup.jpg").read_bytes())}
    elif operation.body_kind is not None:
        raise AssertionError(f"no body for {operation.label}: add one to BODIES")
    return client.request(operation.method.upper(), operation.url(values), **kwargs)


def _comparable(response: Any, values: dict[str, str]) -> tuple[int, str]:
    """Status and body with request ids and the ids that were sent blanked out."""
    text = response.text
    for value in values.values():
        text = text.replace(value, "<id>")
    return response.status_code, re.sub(r'"request_id":\s*"[^"]*"', '"request_id":""', text)


def _table_counts(stack: RealStack) -> dict[str, int]:
    with stack.session() as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def _without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def _snapshot(
    client: TestClient, document: OpenApiDocument, world: AliceWorld, alice: ApiUser
) -> dict[str, Any]:
    """Every GET with a path parameter, as Alice sees it."""
    seen: dict[str, Any] = {}
    for operation in document.operations():
        if operation.method == "get" and operation.path_params:
            if operation.operation_id in CAPABILITY_OPERATIONS:
                continue
            response = client.get(operation.url(world.ids), headers=alice.headers)
            seen[operation.label] = (response.status_code, _without_volatile(response.json()))
    return seen


def _destructive_last(operation: Operation) -> tuple[int, int]:
    """Alice's replay order: reads and updates first, then deletes of sub-resources
    (correction, duplicate mark), then of images, then of products and webhooks."""
    if operation.method != "delete":
        return (0, 0)
    if not operation.path.endswith("}"):
        return (1, 0)
    return (2, -len(operation.path_params))


def test_every_operation_with_another_users_ids_is_a_404_and_changes_nothing(
    real_stack: RealStack, api: TestClient
) -> None:
    document = OpenApiDocument(api.get("/openapi.json").json())
    alice = register_and_login(api, f"alice-{uuid.uuid4().hex[:6]}@example.com")
    bob = register_and_login(api, f"bob-{uuid.uuid4().hex[:6]}@example.com")
    bob_product = _ok(
        api.post(f"{API}/products", json={"title": "Bob's"}, headers=bob.headers), 201
    )

    with (
        api.websocket_connect(f"/ws?token={bob.access_token}") as bob_socket,
        LiveEvents(bob_socket) as bob_live,
        api.websocket_connect(f"/ws?token={alice.access_token}") as alice_socket,
        LiveEvents(alice_socket) as alice_live,
    ):
        world = _build_alice_world(api, alice)
        before_counts = _table_counts(real_stack)
        before_snapshot = _snapshot(api, document, world, alice)

        operations = [
            operation
            for operation in document.operations()
            if operation.path_params and operation.operation_id not in CAPABILITY_OPERATIONS
        ]
        unknown = {p for op in operations for p in op.path_params} - set(world.ids)
        assert not unknown, f"path parameters without one of Alice's ids: {unknown}"
        strangers = {name: str(uuid.uuid4()) for name in world.ids}
        answers: dict[str, int] = {}
        for operation in operations:
            as_bob = _request(api, document, operation, world.ids, bob)
            as_nobody = _request(api, document, operation, strangers, bob)
            answers[operation.label] = as_bob.status_code
            assert as_bob.status_code == 404, (operation.label, as_bob.text)
            assert _comparable(as_bob, world.ids) == _comparable(as_nobody, strangers), (
                operation.label
            )
            assert not world.all_ids & set(re.findall(r"[0-9a-f-]{36}", as_bob.text))

        paths = {op.path for op in operations}
        undefined_verbs: dict[int, int] = {}
        for path in sorted(paths):
            defined = {op.method for op in operations if op.path == path}
            for verb in set(HTTP_METHODS) - defined:
                probe = Operation(verb, path, verb, (), {}, None, None, False, True)
                as_bob = api.request(verb.upper(), probe.url(world.ids), headers=bob.headers)
                as_nobody = api.request(verb.upper(), probe.url(strangers), headers=bob.headers)
                # 405, or 422 where a literal segment also fits a sibling route's id
                # (DELETE .../images/upload-url is DELETE .../images/{image_id}).
                assert as_bob.status_code in (405, 422), (verb, path, as_bob.text)
                assert _comparable(as_bob, world.ids) == _comparable(as_nobody, strangers)
                undefined_verbs[as_bob.status_code] = undefined_verbs.get(as_bob.status_code, 0) + 1

        # Bob's own lists, dashboard and exports: none of Alice's ids, anywhere.
        listings = [
            op
            for op in document.operations()
            if op.method == "get" and not op.path_params and op.secured
        ]
        for operation in listings:
            listed = api.get(operation.path, headers=bob.headers)
            assert listed.status_code == 200, (operation.label, listed.text)
            assert not any(i in listed.text for i in world.all_ids), operation.label
        assert bob_product["id"] in api.get(f"{API}/products", headers=bob.headers).text

        assert _table_counts(real_stack) == before_counts
        assert _snapshot(api, document, world, alice) == before_snapshot

        # Alice's own requests: none is a 404 or a 422, and none fails.
        replayed: dict[str, int] = {}
        for operation in sorted(operations, key=_destructive_last):
            response = _request(api, document, operation, world.ids, alice)
            replayed[operation.label] = response.status_code
            assert response.status_code not in (404, 422), (operation.label, response.text)
            assert response.status_code < 500, (operation.label, response.text)
        alice_live.wait_for(
            lambda e: e["type"] == "image.analyzed", timeout_s=10, what="Alice's own events"
        )
        # Give Bob's socket the same time to receive anything that leaked.
        time.sleep(0.5)
        bob_events = bob_live.events()
        bob_heartbeats = len(bob_live.events(with_heartbeats=True))

    assert bob_events == [], bob_events
    assert bob_heartbeats > 0, "Bob's socket received nothing at all: it was not listening"
    print(
        f"tenancy matrix: {len(operations)} operations with Alice's ids -> "
        f"{sorted(set(answers.values()))}; undefined verbs -> {undefined_verbs}; "
        f"{len(listings)} listings without her ids; Alice's replay -> "
        f"{sorted(set(replayed.values()))}"
    )
