"""Uploads in real mode: presigned PUT straight to an S3-protocol server, then confirm."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from backend.fastapi_app.main import create_app
from backend.shared.config import get_settings
from backend.shared.ratelimit import get_rate_limiter
from backend.shared.storage.factory import clear_storage_cache
from tests.conftest import Database
from tests.fastapi_app.conftest import ApiUser, register_and_login
from tests.support.s3_server import S3Bucket

pytestmark = pytest.mark.services

MUG = Path(__file__).resolve().parents[2] / "data" / "photos" / "red_coffee_cup.jpg"


@pytest.fixture
def s3_client(
    pg: Database, s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setenv("IMAGINEAI_DATABASE_URL", pg.url)
    for name, value in s3_bucket.server.settings_env(s3_bucket.name).items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    clear_storage_cache()
    get_rate_limiter.cache_clear()
    from backend.shared.db.session import reset_engine

    reset_engine()
    with TestClient(create_app(get_settings())) as client:
        yield client
    get_settings.cache_clear()
    clear_storage_cache()
    reset_engine()


def _ticket(
    client: TestClient, user: ApiUser, product_id: str, size: int, content_type: str = "image/jpeg"
) -> dict[str, object]:
    response = client.post(
        f"/api/v1/products/{product_id}/images/upload-url",
        json={"filename": "mug.jpg", "content_type": content_type, "size_bytes": size},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    ticket: dict[str, object] = response.json()
    return ticket


def _objects(bucket: S3Bucket) -> list[str]:
    listing = bucket.server.client().list_objects_v2(Bucket=bucket.name)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_presigned_s3_upload_confirm_and_download(
    s3_client: TestClient, s3_bucket: S3Bucket
) -> None:
    user = register_and_login(s3_client, "s3@example.com")
    product_id = s3_client.post(
        "/api/v1/products", json={"title": "Mug"}, headers=user.headers
    ).json()["id"]
    data = MUG.read_bytes()
    ticket = _ticket(s3_client, user, product_id, len(data))
    assert str(ticket["upload_url"]).startswith(s3_bucket.server.endpoint_url)
    put = httpx.put(str(ticket["upload_url"]), content=data, headers=dict(ticket["headers"]))  # type: ignore[arg-type]
    assert put.status_code == 200, put.text
    confirmed = s3_client.post(
        f"/api/v1/products/{product_id}/images/{ticket['image_id']}/confirm", headers=user.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    image = confirmed.json()
    assert image["upload_status"] == "uploaded"
    assert image["job_id"]
    assert httpx.get(image["url"]).content == data
    assert len(_objects(s3_bucket)) == 1


def test_s3_refuses_another_type_and_confirm_finds_nothing(
    s3_client: TestClient, s3_bucket: S3Bucket
) -> None:
    if not s3_bucket.server.checks_signatures:
        pytest.skip("moto does not check presigned signatures (LocalStack does)")
    user = register_and_login(s3_client, "s3-types@example.com")
    product_id = s3_client.post(
        "/api/v1/products", json={"title": "Mug"}, headers=user.headers
    ).json()["id"]
    data = MUG.read_bytes()
    ticket = _ticket(s3_client, user, product_id, len(data))
    refused = httpx.put(
        str(ticket["upload_url"]), content=data, headers={"Content-Type": "text/html"}
    )
    assert refused.status_code == 403
    confirm = s3_client.post(
        f"/api/v1/products/{product_id}/images/{ticket['image_id']}/confirm", headers=user.headers
    )
    assert confirm.status_code == 409
    assert _objects(s3_bucket) == []


def test_confirm_deletes_an_object_that_is_not_an_image(
    s3_client: TestClient, s3_bucket: S3Bucket
) -> None:
    user = register_and_login(s3_client, "s3-html@example.com")
    product_id = s3_client.post(
        "/api/v1/products", json={"title": "Mug"}, headers=user.headers
    ).json()["id"]
    html = b"<!doctype html><svg onload=alert(1)>" * 20
    ticket = _ticket(s3_client, user, product_id, len(html))
    put = httpx.put(str(ticket["upload_url"]), content=html, headers=dict(ticket["headers"]))  # type: ignore[arg-type]
    assert put.status_code == 200
    confirm = s3_client.post(
        f"/api/v1/products/{product_id}/images/{ticket['image_id']}/confirm", headers=user.headers
    )
    assert confirm.status_code == 415
    assert _objects(s3_bucket) == []


def test_direct_upload_streams_into_the_bucket(s3_client: TestClient, s3_bucket: S3Bucket) -> None:
    user = register_and_login(s3_client, "s3-direct@example.com")
    product_id = s3_client.post(
        "/api/v1/products", json={"title": "Mug"}, headers=user.headers
    ).json()["id"]
    response = s3_client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": ("mug.jpg", MUG.read_bytes(), "image/jpeg")},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    keys = _objects(s3_bucket)
    assert len(keys) == 1
    assert keys[0].endswith(f"/{response.json()['id']}/mug.jpg")
    too_big = s3_client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": ("big.jpg", b"\xff\xd8\xff" + b"\0" * (51 * 1024 * 1024), "image/jpeg")},
        headers=user.headers,
    )
    assert too_big.status_code == 413
    assert len(_objects(s3_bucket)) == 1
