"""SQL injection and oversized strings in every query parameter and JSON string field of every
operation, generated from the app's own OpenAPI document, on SQLite and PostgreSQL.

Each input gets, one at a time, classic injection strings (quotes, comments, stacked
statements, UNION, LIKE wildcards, a NUL byte, a ``pg_sleep``) and a 100 KB string, while the
rest of the request stays valid and aimed at the caller's own resources. Never a 5xx; a 4xx
wherever the schema constrains the input (ids, enums, numbers, lengths); where the input is
free text within its limit the request may succeed, but it must not touch anything else: no
table loses a row, the users table grows only by the registrations that succeeded, another
user's data reads the same afterwards, and no request takes long enough to have slept.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.fastapi_app.api.v1.products.schemas import MAX_METADATA_JSON_CHARS
from backend.shared.db.models import Base
from tests.conftest import Database
from tests.fastapi_app.conftest import ApiUser
from tests.support.openapi_cases import OpenApiDocument, Operation, StringField

PHOTO = Path(__file__).resolve().parents[2] / "data" / "photos" / "red_coffee_cup.jpg"
API = "/api/v1"
SLEEP_S = 6
INJECTIONS = (
    "' OR '1'='1",
    "' OR 1=1 --",
    "1; DROP TABLE users; --",
    "'); DELETE FROM products; --",
    "' UNION SELECT id, email, hashed_password FROM users --",
    '" OR ""="',
    "%' OR title LIKE '%",
    "\\'; TRUNCATE processing_jobs CASCADE; --",
    f"'; SELECT pg_sleep({SLEEP_S}); --",
    f"1 AND (SELECT 1 FROM pg_sleep({SLEEP_S})) IS NOT NULL",
    "admin'--",
    "x\x00y' OR 'a'='a",
)
OVERSIZED = "A" * 100_000
# httpx (and every HTTP server's request-line limit, e.g. h11's 16 KB in uvicorn) refuses a
# longer query string before it could reach the application.
OVERSIZED_QUERY_CHARS = 60_000
PAYLOADS = (*INJECTIONS, OVERSIZED)
# Requests the schema cannot make meaningful on its own; every other one is built from it.
BODIES: dict[str, Callable[[], dict[str, Any]]] = {
    "register": lambda: {
        "email": f"new-{uuid.uuid4().hex[:10]}@example.com",
        "password": "a long passphrase",
    },
    "login": lambda: {"email": "alice@example.com", "password": "a long passphrase"},
    "create_upload_url": lambda: {
        "filename": "cup.jpg",
        "content_type": "image/jpeg",
        "size_bytes": 1000,
    },
    "create_webhook": lambda: {"url": "http://127.0.0.1:9/hooks"},
    "set_correction": lambda: {"label": "vintage cups"},
    "create_job": lambda: {"image_ids": [], "product_ids": []},
}
# Free-text inputs that are stored as sent when short enough; everything they hold is data.
VOLATILE_KEYS = {"url", "expires_at", "updated_at", "last_login"}


@pytest.fixture
def generous_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of logins and registrations from the TestClient's one address; loopback
    webhooks over HTTP (the SSRF guard's own tests cover the refusals)."""
    for name in (
        "IMAGINEAI_LOGIN_ATTEMPTS_PER_IP",
        "IMAGINEAI_LOGIN_ATTEMPTS_PER_EMAIL",
        "IMAGINEAI_REGISTER_ATTEMPTS_PER_IP",
    ):
        monkeypatch.setenv(name, "1000000")
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.1/32")
    monkeypatch.setenv("IMAGINEAI_WEBHOOK_REQUIRE_HTTPS", "false")


def _ok(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.request.url, response.text)
    body: dict[str, Any] = response.json()
    return body


def _own_world(client: TestClient, user: ApiUser) -> dict[str, str]:
    """One of everything a path can name, owned by ``user``."""
    product = _ok(client.post(f"{API}/products", json={"title": "Cup"}, headers=user.headers), 201)
    image = _ok(
        client.post(
            f"{API}/products/{product['id']}/images",
            files={"file": ("cup.jpg", PHOTO.read_bytes(), "image/jpeg")},
            headers=user.headers,
        ),
        201,
    )
    hook = _ok(
        client.post(f"{API}/webhooks", json={"url": "http://127.0.0.1:9/h"}, headers=user.headers),
        201,
    )
    delivery = _ok(client.post(f"{API}/webhooks/{hook['id']}/ping", headers=user.headers), 202)
    return {
        "product_id": product["id"],
        "image_id": image["id"],
        "job_id": image["job_id"],
        "webhook_id": hook["id"],
        "delivery_id": delivery["id"],
    }


def _without_volatile(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_volatile(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [_without_volatile(v) for v in value]
    return value


def _snapshot(client: TestClient, user: ApiUser, ids: dict[str, str]) -> dict[str, Any]:
    reads = [
        "/auth/me",
        "/products",
        f"/products/{ids['product_id']}",
        f"/products/{ids['product_id']}/images",
        "/jobs",
        f"/jobs/{ids['job_id']}",
        "/webhooks",
        f"/webhooks/{ids['webhook_id']}/deliveries",
        "/corrections",
        "/dashboard/stats",
    ]
    return {
        path: _without_volatile(client.get(f"{API}{path}", headers=user.headers).json())
        for path in reads
    }


def _table_counts(database: Database) -> dict[str, int]:
    with Session(database.engine) as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def _base_request(
    document: OpenApiDocument, operation: Operation, ids: dict[str, str]
) -> dict[str, Any]:
    request: dict[str, Any] = {"params": {}}
    if operation.body_kind == "json" and operation.body_schema is not None:
        make = BODIES.get(operation.operation_id)
        request["json"] = make() if make else document.example_value(operation.body_schema)
    elif operation.body_kind == "multipart":
        request["files"] = {"file": ("cup.jpg", PHOTO.read_bytes(), "image/jpeg")}
    assert not set(operation.path_params) - set(ids), operation.label
    request["url"] = operation.url(ids)
    return request


def _inject(request: dict[str, Any], target: StringField, payload: str) -> dict[str, Any]:
    injected = {**request, "params": dict(request["params"])}
    if target.place == "query":
        injected["params"][target.name] = payload[:OVERSIZED_QUERY_CHARS]
        return injected
    body = dict(injected["json"])
    body[target.name] = {"object": {"note": payload}, "array": [payload]}.get(target.shape, payload)
    injected["json"] = body
    return injected


@pytest.mark.usefixtures("generous_limits")
def test_injected_and_oversized_strings_never_fail_the_server_or_touch_other_rows(
    client: TestClient, alice: ApiUser, bob: ApiUser, database: Database
) -> None:
    document = OpenApiDocument(client.get("/openapi.json").json())
    alice_ids = _own_world(client, alice)
    bob_ids = _own_world(client, bob)
    bob_before = _snapshot(client, bob, bob_ids)
    counts_before = _table_counts(database)

    targets = [
        (operation, field)
        for operation in document.operations()
        if operation.operation_id not in {"upload_object", "download_object"}
        for field in document.string_fields(operation)
    ]
    assert len(targets) >= 60, len(targets)
    outcomes: Counter[str] = Counter()
    registered = 0
    slowest = (0.0, "")
    for (operation, target), payload in itertools.product(targets, PAYLOADS):
        request = _inject(_base_request(document, operation, alice_ids), target, payload)
        started = time.monotonic()
        response = client.request(operation.method.upper(), headers=alice.headers, **request)
        elapsed = time.monotonic() - started
        where = (operation.label, target.place, target.name, payload[:40], response.text[:300])
        assert response.status_code < 500, where
        sent = payload[:OVERSIZED_QUERY_CHARS] if target.place == "query" else payload
        # Free-form objects (product metadata) are capped by their size as JSON.
        if target.constrained_for(sent) or (
            target.shape == "object" and len(sent) > MAX_METADATA_JSON_CHARS
        ):
            assert 400 <= response.status_code < 500, where
            outcomes["refused (constrained)"] += 1
        else:
            outcomes[f"{response.status_code} (free text)"] += 1
        if operation.operation_id == "register" and response.status_code == 201:
            registered += 1
        slowest = max(slowest, (elapsed, f"{operation.label} {target.name}"))

    assert slowest[0] < SLEEP_S - 1, f"a request slept: {slowest}"
    counts_after = _table_counts(database)
    shrunk = {t: (counts_before[t], n) for t, n in counts_after.items() if n < counts_before[t]}
    assert not shrunk, f"tables lost rows: {shrunk}"
    assert counts_after["users"] == counts_before["users"] + registered
    assert _snapshot(client, bob, bob_ids) == bob_before
    print(
        f"injection ({database.kind}): {len(targets)} inputs x {len(PAYLOADS)} payloads: "
        f"{dict(sorted(outcomes.items()))}; slowest {slowest[0]:.2f} s ({slowest[1]})"
    )
