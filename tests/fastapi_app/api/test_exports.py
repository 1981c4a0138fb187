"""CSV and JSON exports: one row per product, stable columns, UTF-8 (with BOM), streamed."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.domain.exports.service import COLUMNS
from backend.shared.config import get_settings
from backend.shared.db.models import Product
from backend.shared.db.session import session_scope
from tests.fastapi_app.conftest import ApiUser
from tests.support.workers import inprocess_worker, wait_for_job

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"


@pytest.fixture
def worker(client: TestClient) -> Iterator[None]:
    with inprocess_worker():
        yield


def _csv_rows(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return list(reader.fieldnames or []), list(reader)


def test_analysed_products_export_with_their_analysis(
    client: TestClient, alice: ApiUser, bob: ApiUser, worker: None
) -> None:
    product = client.post(
        "/api/v1/products", json={"title": "Café cup ☕ rouge"}, headers=alice.headers
    ).json()
    for photo in ("red_coffee_cup.jpg", "red_coffee_cup_scratch.jpg"):
        image = client.post(
            f"/api/v1/products/{product['id']}/images",
            files={"file": (photo, (PHOTOS / photo).read_bytes(), "image/jpeg")},
            headers=alice.headers,
        ).json()
        wait_for_job(client, alice.headers, image["job_id"])
    client.post("/api/v1/products", json={"title": '=HYPERLINK("x")'}, headers=alice.headers)
    client.post("/api/v1/products", json={"title": "Bob's own"}, headers=bob.headers)

    response = client.get("/api/v1/exports/products?format=csv&bom=true", headers=alice.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    assert response.content.startswith("\ufeff".encode())
    header, rows = _csv_rows(response.content)
    assert tuple(header) == COLUMNS
    assert [row["title"] for row in rows] == ["Café cup ☕ rouge", '\'=HYPERLINK("x")']
    cup = rows[0]
    assert cup["product_id"] == product["id"]
    assert cup["status"] == "analyzed"
    assert cup["image_count"] == "2"
    assert cup["analyzed_image_count"] == "2"
    assert cup["main_image_filename"] == "red_coffee_cup.jpg"
    assert cup["classification_label"] == "kitchen/mugs"
    assert cup["color"] == "red"
    assert cup["condition_grade"] in {"new", "like_new", "good", "fair", "poor"}
    assert int(cup["defect_count"]) >= 0
    assert cup["readiness_preset"] == "generic"
    assert cup["readiness_status"] == "fail"
    assert "background" in cup["readiness_failed_rules"].split("; ")
    assert cup["ai_description"]
    empty = rows[1]
    assert (empty["image_count"], empty["readiness_status"], empty["color"]) == ("0", "fail", "")

    plain = client.get("/api/v1/exports/products", headers=alice.headers)
    assert not plain.content.startswith("\ufeff".encode())

    as_json = client.get(
        "/api/v1/exports/products?format=json&preset=amazon", headers=alice.headers
    )
    assert as_json.headers["content-type"] == "application/json"
    exported = json.loads(as_json.content)
    assert [list(item) for item in exported] == [list(COLUMNS)] * 2
    assert exported[0]["title"] == "Café cup ☕ rouge"
    assert exported[0]["readiness_preset"] == "amazon"
    assert isinstance(exported[0]["defect_types"], list)
    assert exported[1]["title"] == '=HYPERLINK("x")'  # JSON needs no spreadsheet escaping


def test_a_large_catalogue_streams_page_by_page(
    client: TestClient, alice: ApiUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMAGINEAI_EXPORT_PAGE_SIZE", "50")
    get_settings.cache_clear()
    owner_id = uuid.UUID(client.get("/api/v1/auth/me", headers=alice.headers).json()["id"])
    with session_scope() as session:
        session.add_all(Product(user_id=owner_id, title=f"Item {n:04d}") for n in range(230))
    with client.stream(
        "GET", "/api/v1/exports/products?format=csv&category=", headers=alice.headers
    ) as response:
        assert response.status_code == 200
        assert "content-length" not in response.headers
        chunks = list(response.iter_bytes())
    _, rows = _csv_rows(b"".join(chunks))
    assert len(rows) == 230
    assert len({row["product_id"] for row in rows}) == 230
    drafts = client.get("/api/v1/exports/products?format=json&status=draft", headers=alice.headers)
    assert len(json.loads(drafts.content)) == 230
    analysed = client.get(
        "/api/v1/exports/products?format=json&status=analyzed", headers=alice.headers
    )
    assert json.loads(analysed.content) == []
    refused = client.get("/api/v1/exports/products?preset=nope", headers=alice.headers)
    assert refused.status_code == 422
