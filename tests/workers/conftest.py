"""Fixtures of the worker tests: the real-mode stack (RabbitMQ vhost, Redis, PostgreSQL, the
S3-protocol server, worker processes) and an API client wired to it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from backend.fastapi_app.main import create_app
from backend.shared.config import get_settings
from tests.fastapi_app.conftest import ApiUser, register_and_login
from tests.support.real_stack import RealStack, rabbitmq_broker_url, real_stack, redis_test_url
from tests.support.s3_server import s3_bucket, s3_server

__all__ = ["rabbitmq_broker_url", "real_stack", "redis_test_url", "s3_bucket", "s3_server"]


@pytest.fixture
def api(real_stack: RealStack) -> Iterator[TestClient]:
    """The API on the real stack: Celery on RabbitMQ, events on Redis, objects in S3."""
    with TestClient(create_app(get_settings())) as client:
        yield client


@dataclass(frozen=True)
class Shop:
    """A signed-in user with one product to upload to."""

    user: ApiUser
    owner_id: uuid.UUID
    product_id: uuid.UUID


@pytest.fixture
def shop(api: TestClient) -> Shop:
    user = register_and_login(api, f"seller-{uuid.uuid4().hex[:8]}@example.com")
    me = api.get("/api/v1/auth/me", headers=user.headers)
    assert me.status_code == 200, me.text
    product = api.post("/api/v1/products", json={"title": "Batch"}, headers=user.headers)
    assert product.status_code == 201, product.text
    return Shop(
        user=user,
        owner_id=uuid.UUID(me.json()["id"]),
        product_id=uuid.UUID(product.json()["id"]),
    )
