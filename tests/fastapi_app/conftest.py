"""An API client over the real application, wired to the test database and a temp store."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from backend.fastapi_app.main import create_app
from backend.shared.config import get_settings
from backend.shared.pubsub.factory import get_event_bus
from backend.shared.ratelimit import get_rate_limiter
from tests.factories import DEFAULT_PASSWORD


@dataclass
class ApiUser:
    email: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@pytest.fixture
def client(app_settings: None) -> Iterator[TestClient]:
    get_rate_limiter.cache_clear()
    get_event_bus.cache_clear()
    with TestClient(create_app(get_settings())) as test_client:
        yield test_client
    get_rate_limiter.cache_clear()
    get_event_bus.cache_clear()


def register_and_login(client: TestClient, email: str) -> ApiUser:
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 201, response.text
    tokens = client.post(
        "/api/v1/auth/login", json={"email": email, "password": DEFAULT_PASSWORD}
    ).json()
    return ApiUser(
        email=email, access_token=tokens["access_token"], refresh_token=tokens["refresh_token"]
    )


@pytest.fixture
def alice(client: TestClient) -> ApiUser:
    return register_and_login(client, "alice@example.com")


@pytest.fixture
def bob(client: TestClient) -> ApiUser:
    return register_and_login(client, "bob@example.com")
