"""Bulk import through the API: ZIP archives and CSVs of URLs into products and one job."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.shared.config import get_settings
from tests.fastapi_app.conftest import ApiUser
from tests.support.workers import inprocess_worker, wait_for_job

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"


@pytest.fixture
def worker(client: TestClient) -> Iterator[None]:
    with inprocess_worker():
        yield


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _post(client: TestClient, user: ApiUser, kind: str, name: str, data: bytes) -> Any:
    return client.post(
        f"/api/v1/imports/{kind}",
        files={"file": (name, data, "application/zip")},
        headers=user.headers,
    )


def test_a_zip_with_a_mapping_becomes_products_and_one_batch_job(
    client: TestClient, alice: ApiUser, worker: None
) -> None:
    mapping = (
        "filename,title,description,category\n"
        "photos/red_coffee_cup.jpg,Espresso cup,Red saucer included,kitchen\n"
        "red_coffee_cup_scratch.jpg,Espresso cup,,\n"
        "missing.jpg,Ghost,,\n"
    )
    archive = _zip(
        {
            "mapping.csv": mapping.encode(),
            "photos/red_coffee_cup.jpg": (PHOTOS / "red_coffee_cup.jpg").read_bytes(),
            "photos/red_coffee_cup_scratch.jpg": (
                PHOTOS / "red_coffee_cup_scratch.jpg"
            ).read_bytes(),
            "vitamin_bottle.jpg": (PHOTOS / "vitamin_bottle.jpg").read_bytes(),
            "notes.txt": b"not a photo",
            "__MACOSX/._vitamin_bottle.jpg": b"resource fork",
        }
    )
    response = _post(client, alice, "zip", "catalogue.zip", archive)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["images_imported"] == 3
    titles = {product["title"]: len(product["image_ids"]) for product in result["products"]}
    assert titles == {"Espresso cup": 2, "Vitamin bottle": 1}
    skipped = {item["name"]: item["reason"] for item in result["skipped"]}
    assert set(skipped) == {"notes.txt", "missing.jpg"}
    assert "JPEG, PNG, WebP, HEIC/HEIF" in skipped["notes.txt"]
    assert result["job"]["job_type"] == "batch"
    assert result["job"]["total_images"] == 3
    assert result["job"]["metadata"]["import"] == {"kind": "zip", "name": "catalogue.zip"}
    job = wait_for_job(client, alice.headers, result["job"]["id"])
    assert (job["status"], job["processed_images"]) == ("completed", 3)
    cup_id = next(p["id"] for p in result["products"] if p["title"] == "Espresso cup")
    cup = client.get(f"/api/v1/products/{cup_id}", headers=alice.headers).json()
    assert (cup["status"], cup["category"], cup["description"]) == (
        "analyzed",
        "kitchen",
        "Red saucer included",
    )
    assert [image["is_primary"] for image in cup["images"]] == [True, False]
    assert cup["primary_image"]["original_filename"] == "red_coffee_cup.jpg"


def test_hostile_archives_are_refused_before_anything_is_stored(
    client: TestClient, alice: ApiUser
) -> None:
    bomb = _zip({"zeros.jpg": bytes(8 * 1024 * 1024)})
    refused = _post(client, alice, "zip", "bomb.zip", bomb)
    assert refused.status_code == 413
    assert refused.json()["code"] == "archive_too_large"
    photo = (PHOTOS / "vitamin_bottle.jpg").read_bytes()
    traversal = _zip({"ok.jpg": photo, "../../etc/evil.jpg": photo})
    refused = _post(client, alice, "zip", "evil.zip", traversal)
    assert refused.status_code == 422
    assert refused.json()["code"] == "unsafe_archive_entry"
    nothing = _post(client, alice, "zip", "text.zip", _zip({"a.txt": b"hello"}))
    assert nothing.status_code == 422
    assert nothing.json()["code"] == "nothing_imported"
    not_zip = _post(client, alice, "zip", "x.zip", b"plain bytes")
    assert not_zip.json()["code"] == "not_a_zip"
    assert client.get("/api/v1/products", headers=alice.headers).json()["total"] == 0


def test_archive_size_and_entry_limits_come_from_settings(
    client: TestClient, alice: ApiUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGINEAI_IMPORT_MAX_ENTRIES", "2")
    monkeypatch.setenv("IMAGINEAI_IMPORT_MAX_ARCHIVE_BYTES", "100000")
    get_settings.cache_clear()
    many = _zip({f"{n}.jpg": b"x" for n in range(3)})
    assert _post(client, alice, "zip", "many.zip", many).json()["code"] == "too_many_entries"
    big = _zip({"a.jpg": (PHOTOS / "grey_duffel_bag.jpg").read_bytes()})
    too_big = _post(client, alice, "zip", "big.zip", big)
    assert too_big.status_code == 413
    assert "archive may be at most 100000 bytes" in too_big.json()["detail"]


class _PhotoServer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/photos/") and (PHOTOS / self.path[8:]).is_file():
            self._answer(200, (PHOTOS / self.path[8:]).read_bytes(), "image/jpeg")
        elif self.path == "/to-private.jpg":
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.5/secret.jpg")
            self.end_headers()
        elif self.path == "/page.html":
            self._answer(200, b"<html>not an image</html>", "text/html")
        else:
            self._answer(404, b"missing", "text/plain")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def photo_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PhotoServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_csv_of_urls_is_fetched_with_ssrf_protection(
    client: TestClient,
    alice: ApiUser,
    worker: None,
    photo_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [
        "url,title",
        f"{photo_server}/photos/led_bulb.jpg,GU10 bulb",
        f"{photo_server}/photos/led_bulb_pack.jpg,GU10 bulb",
        f"{photo_server}/photos/grey_duffel_bag.jpg,",
        f"{photo_server}/photos/nothing.jpg,Gone",
        f"{photo_server}/to-private.jpg,Sneaky",
        f"{photo_server}/page.html,Page",
        "http://169.254.169.254/latest/meta-data,Metadata",
        "file:///etc/passwd,Local file",
    ]
    csv_file = ("\ufeff" + "\n".join(rows) + "\n").encode()
    refused = _post(client, alice, "urls", "urls.csv", csv_file)
    assert refused.status_code == 422
    assert "127.0.0.1 is a loopback address" in refused.json()["detail"]

    monkeypatch.setenv("IMAGINEAI_IMPORT_ALLOWED_NETWORKS", "127.0.0.1/32")
    get_settings.cache_clear()
    response = _post(client, alice, "urls", "urls.csv", csv_file)
    assert response.status_code == 201, response.text
    result = response.json()
    titles = {product["title"]: len(product["image_ids"]) for product in result["products"]}
    assert titles == {"GU10 bulb": 2, "Grey duffel bag": 1}
    reasons = {item["name"].rsplit("/", 1)[-1]: item["reason"] for item in result["skipped"]}
    assert reasons["nothing.jpg"] == "the server answered HTTP 404"
    assert reasons["to-private.jpg"] == "refused: 10.0.0.5 is a private address"
    assert reasons["meta-data"] == "refused: 169.254.169.254 is a link-local address"
    assert reasons["passwd"] == "refused: only https or http URLs are allowed"
    assert "not an image" in reasons["page.html"] or "HTML" in reasons["page.html"]
    job = wait_for_job(client, alice.headers, result["job"]["id"])
    assert (job["status"], job["total_images"]) == ("completed", 3)
