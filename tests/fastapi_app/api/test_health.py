from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend import __version__
from backend.fastapi_app.main import create_app
from backend.shared.config import get_settings
from backend.shared.storage.factory import clear_storage_cache
from tests.support.workers import inprocess_worker


def test_liveness_and_security_headers(client: TestClient) -> None:
    response = client.get("/api/v1/health", headers={"X-Request-ID": "trace-42"})
    assert response.json() == {"status": "ok", "version": __version__}
    assert response.headers["x-request-id"] == "trace-42"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    odd = client.get("/api/v1/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert odd.headers["x-request-id"] != "bad id\twith spaces"
    assert len(odd.headers["x-request-id"]) == 32


def test_readiness_reports_the_worker_heartbeat(client: TestClient) -> None:
    degraded = client.get("/api/v1/health/ready").json()
    assert degraded["status"] == "degraded"
    assert degraded["checks"]["database"]["ok"] is True
    assert degraded["checks"]["storage"]["ok"] is True
    assert degraded["checks"]["worker"]["ok"] is False
    with inprocess_worker():
        deadline = time.monotonic() + 20
        while client.get("/api/v1/health/ready").json()["status"] != "ok":
            assert time.monotonic() < deadline, "the worker never reported in"
            time.sleep(0.1)


def test_readiness_fails_when_storage_is_unusable(
    app_settings: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage folder should be")
    monkeypatch.setenv("IMAGINEAI_LOCAL_STORAGE_DIR", str(blocker))
    get_settings.cache_clear()
    clear_storage_cache()
    with TestClient(create_app(get_settings())) as client:
        response = client.get("/api/v1/health/ready")
    clear_storage_cache()
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


def test_cors_allows_the_web_app_and_refuses_others(client: TestClient) -> None:
    allowed = client.options(
        "/api/v1/products",
        headers={"Origin": "http://localhost:4200", "Access-Control-Request-Method": "GET"},
    )
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:4200"
    refused = client.options(
        "/api/v1/products",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in refused.headers
    assert refused.status_code == 400


def test_unknown_route_is_a_problem_document(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"
