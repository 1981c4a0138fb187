"""Uploads through the local store (embedded mode): presigned PUT + confirm, and direct."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image

from backend.shared.config import get_settings
from tests.fastapi_app.conftest import ApiUser

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"
MUG = PHOTOS / "red_coffee_cup.jpg"


def _product(client: TestClient, user: ApiUser) -> str:
    response = client.post("/api/v1/products", json={"title": "Mug"}, headers=user.headers)
    return str(response.json()["id"])


def _stored_files() -> list[Path]:
    root = get_settings().storage_dir
    return (
        [p for p in root.rglob("*") if p.is_file() and not p.name.endswith(".meta.json")]
        if root.exists()
        else []
    )


def _ticket(
    client: TestClient,
    user: ApiUser,
    product_id: str,
    data: bytes,
    content_type: str = "image/jpeg",
) -> dict[str, object]:
    response = client.post(
        f"/api/v1/products/{product_id}/images/upload-url",
        json={
            "filename": "../../etc/passwd\u0000 mug.jpg",
            "content_type": content_type,
            "size_bytes": len(data),
        },
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    ticket: dict[str, object] = response.json()
    return ticket


def test_presigned_upload_then_confirm(client: TestClient, alice: ApiUser) -> None:
    product_id = _product(client, alice)
    data = MUG.read_bytes()
    ticket = _ticket(client, alice, product_id, data)
    assert ticket["method"] == "PUT"
    put = client.put(str(ticket["upload_url"]), content=data, headers=dict(ticket["headers"]))  # type: ignore[arg-type]
    assert put.status_code == 200, put.text
    confirmed = client.post(
        f"/api/v1/products/{product_id}/images/{ticket['image_id']}/confirm", headers=alice.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    image = confirmed.json()
    assert image["upload_status"] == "uploaded"
    assert (image["width"], image["height"]) == Image.open(MUG).size
    assert image["file_size_bytes"] == len(data)
    assert image["is_primary"] is True
    assert image["job_id"]
    assert "/" not in image["original_filename"]
    assert "\x00" not in image["original_filename"]
    downloaded = client.get(image["url"])
    assert downloaded.status_code == 200
    assert downloaded.content == data
    assert downloaded.headers["content-type"] == "image/jpeg"
    again = client.post(
        f"/api/v1/products/{product_id}/images/{ticket['image_id']}/confirm", headers=alice.headers
    )
    assert again.status_code == 200
    assert again.json()["job_id"] is None


def test_confirm_without_upload_is_409(client: TestClient, alice: ApiUser) -> None:
    product_id = _product(client, alice)
    ticket = _ticket(client, alice, product_id, MUG.read_bytes())
    response = client.post(
        f"/api/v1/products/{product_id}/images/{ticket['image_id']}/confirm", headers=alice.headers
    )
    assert response.status_code == 409
    assert response.json()["code"] == "upload_missing"


def test_signed_upload_url_refuses_tampering_type_and_size(
    client: TestClient, alice: ApiUser
) -> None:
    product_id = _product(client, alice)
    data = MUG.read_bytes()
    ticket = _ticket(client, alice, product_id, data)
    url = str(ticket["upload_url"])
    tampered = url[:-4] + ("AAAA" if not url.endswith("AAAA") else "BBBB")
    assert (
        client.put(tampered, content=data, headers={"Content-Type": "image/jpeg"}).status_code
        == 403
    )
    assert client.put(url, content=data, headers={"Content-Type": "image/png"}).status_code == 415
    assert (
        client.put(url, content=data + b"extra", headers={"Content-Type": "image/jpeg"}).status_code
        == 413
    )
    assert (
        client.put(url, content=data[:-10], headers={"Content-Type": "image/jpeg"}).status_code
        == 422
    )
    assert _stored_files() == []


def test_confirm_rejects_bytes_that_are_not_an_image(client: TestClient, alice: ApiUser) -> None:
    product_id = _product(client, alice)
    html = b"<html><script>alert(1)</script></html>" * 10
    ticket = _ticket(client, alice, product_id, html)
    put = client.put(
        str(ticket["upload_url"]), content=html, headers={"Content-Type": "image/jpeg"}
    )
    assert put.status_code == 200
    response = client.post(
        f"/api/v1/products/{product_id}/images/{ticket['image_id']}/confirm", headers=alice.headers
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_type"
    assert _stored_files() == []
    listed = client.get(f"/api/v1/products/{product_id}", headers=alice.headers).json()
    assert listed["images"] == []


def test_ticket_refuses_types_and_sizes_up_front(client: TestClient, alice: ApiUser) -> None:
    product_id = _product(client, alice)
    url = f"/api/v1/products/{product_id}/images/upload-url"
    svg = client.post(
        url,
        json={"filename": "x.svg", "content_type": "image/svg+xml", "size_bytes": 10},
        headers=alice.headers,
    )
    assert svg.status_code == 415
    huge = client.post(
        url,
        json={"filename": "x.jpg", "content_type": "image/jpeg", "size_bytes": 51 * 1024 * 1024},
        headers=alice.headers,
    )
    assert huge.status_code == 413


def test_direct_upload_and_image_management(client: TestClient, alice: ApiUser) -> None:
    product_id = _product(client, alice)
    first = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": ("mug.jpg", MUG.read_bytes(), "text/plain")},
        headers=alice.headers,
    )
    assert first.status_code == 201, first.text
    assert first.json()["content_type"] == "image/jpeg"
    png = io.BytesIO()
    Image.open(MUG).save(png, format="PNG")
    second = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": ("mug.jpg", png.getvalue(), "image/jpeg")},
        headers=alice.headers,
    ).json()
    assert second["content_type"] == "image/png"
    assert second["is_primary"] is False
    base = f"/api/v1/products/{product_id}/images"
    primary = client.post(f"{base}/{second['id']}/primary", headers=alice.headers)
    assert primary.json()["is_primary"] is True
    listed = client.get(base, headers=alice.headers).json()
    assert [i["is_primary"] for i in listed["data"]] == [False, True]
    link = client.get(f"{base}/{second['id']}/download-url", headers=alice.headers).json()
    assert client.get(link["url"]).content == png.getvalue()
    assert client.delete(f"{base}/{second['id']}", headers=alice.headers).status_code == 204
    remaining = client.get(base, headers=alice.headers).json()["data"]
    assert [i["id"] for i in remaining] == [first.json()["id"]]
    assert remaining[0]["is_primary"] is True


def test_51_megabyte_upload_is_413_and_stores_nothing(client: TestClient, alice: ApiUser) -> None:
    product_id = _product(client, alice)
    oversized = b"\xff\xd8\xff" + b"\0" * (51 * 1024 * 1024)
    response = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": ("big.jpg", oversized, "image/jpeg")},
        headers=alice.headers,
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert _stored_files() == []
    assert (
        client.get(f"/api/v1/products/{product_id}", headers=alice.headers).json()["images"] == []
    )


def test_non_image_upload_is_415(client: TestClient, alice: ApiUser) -> None:
    product_id = _product(client, alice)
    response = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": ("photo.jpg", b"%PDF-1.7\n" + b"x" * 500, "image/jpeg")},
        headers=alice.headers,
    )
    assert response.status_code == 415
    assert "JPEG" in response.json()["detail"]
    not_multipart = client.post(
        f"/api/v1/products/{product_id}/images", content=MUG.read_bytes(), headers=alice.headers
    )
    assert not_multipart.status_code == 415
    no_file = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"other": ("a.jpg", MUG.read_bytes(), "image/jpeg")},
        headers=alice.headers,
    )
    assert no_file.status_code == 422


def test_signed_download_urls_expire_and_resist_tampering(
    client: TestClient, alice: ApiUser
) -> None:
    from backend.shared.storage.tokens import create_download_token

    product_id = _product(client, alice)
    image = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": ("mug.jpg", MUG.read_bytes(), "image/jpeg")},
        headers=alice.headers,
    ).json()
    key_token = image["url"].rsplit("/", 1)[1]
    expired = create_download_token(
        key="users/x/products/y/z/mug.jpg",
        expires_in_s=1,
        secret=get_settings().signing_secret,
        now=1000.0,
    )
    assert client.get(f"/api/v1/storage/download/{expired}").status_code == 403
    assert client.get(f"/api/v1/storage/download/{key_token[:-3]}xyz").status_code == 403
    assert client.get(image["url"]).status_code == 200


def test_images_of_another_user_are_404(client: TestClient, alice: ApiUser, bob: ApiUser) -> None:
    product_id = _product(client, alice)
    image = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": ("mug.jpg", MUG.read_bytes(), "image/jpeg")},
        headers=alice.headers,
    ).json()
    base = f"/api/v1/products/{product_id}/images"
    for method, url in [
        ("GET", base),
        ("POST", f"{base}/upload-url"),
        ("POST", f"{base}/{image['id']}/confirm"),
        ("POST", f"{base}/{image['id']}/primary"),
        ("DELETE", f"{base}/{image['id']}"),
        ("GET", f"{base}/{image['id']}/download-url"),
        ("GET", f"/api/v1/images/{image['id']}/analysis"),
        ("POST", f"/api/v1/images/{image['id']}/analysis"),
    ]:
        body = (
            {"filename": "a.jpg", "content_type": "image/jpeg", "size_bytes": 10}
            if url.endswith("upload-url")
            else None
        )
        response = client.request(method, url, json=body, headers=bob.headers)
        assert response.status_code == 404, (method, url, response.text)
    upload = client.post(
        f"{base}", files={"file": ("mug.jpg", MUG.read_bytes(), "image/jpeg")}, headers=bob.headers
    )
    assert upload.status_code == 404
    assert (
        client.get(f"{base}/{uuid.uuid4()}/download-url", headers=alice.headers).status_code == 404
    )
