"""Visual search and near-duplicates through the API, on real photos analysed by a real worker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.domain.search.catalogue import reset_catalogue_indexes
from tests.fastapi_app.conftest import ApiUser
from tests.support.photo_variants import cropped, mirrored, recompressed, resized
from tests.support.workers import inprocess_worker, wait_for_job

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"
#: Different products (and one product seen from two sides), none a copy of another.
CATALOGUE = [
    "red_coffee_cup.jpg",
    "grey_duffel_bag.jpg",
    "grey_duffel_bag_side.jpg",
    "vitamin_bottle.jpg",
    "led_bulb.jpg",
    "paint_brushes.jpg",
    "oranges.jpg",
    "apples.jpg",
]
COPIES = {
    "red_coffee_cup.jpg": mirrored,
    "vitamin_bottle.jpg": cropped,
    "paint_brushes.jpg": recompressed,
}


@pytest.fixture
def worker(client: TestClient) -> Iterator[None]:
    reset_catalogue_indexes()
    with inprocess_worker():
        yield
    reset_catalogue_indexes()


def _product(client: TestClient, user: ApiUser, title: str) -> str:
    response = client.post("/api/v1/products", json={"title": title}, headers=user.headers)
    return str(response.json()["id"])


def _upload(
    client: TestClient, user: ApiUser, product_id: str, name: str, data: bytes
) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": (name, data, "image/jpeg")},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    image: dict[str, Any] = response.json()
    return image


def _analysed(client: TestClient, user: ApiUser, image: dict[str, Any]) -> dict[str, Any]:
    assert wait_for_job(client, user.headers, image["job_id"])["status"] == "completed"
    analysis: dict[str, Any] = client.get(
        f"/api/v1/images/{image['id']}/analysis", headers=user.headers
    ).json()
    return analysis


def _similar(client: TestClient, user: ApiUser, image_id: str, limit: int = 3) -> list[str]:
    response = client.get(
        f"/api/v1/images/{image_id}/similar", params={"limit": limit}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return [item["image"]["id"] for item in response.json()["data"]]


def test_copies_are_found_flagged_and_reviewed(
    client: TestClient, alice: ApiUser, bob: ApiUser, worker: None
) -> None:
    shop = _product(client, alice, "Shop")
    originals = {
        name: _upload(client, alice, shop, name, (PHOTOS / name).read_bytes()) for name in CATALOGUE
    }
    for image in originals.values():
        analysis = _analysed(client, alice, image)
        assert analysis["duplicate_of"] is None  # different products are not duplicates

    reposted = _product(client, alice, "Reposted")
    copies = {
        name: _upload(client, alice, reposted, f"copy-{name}", make((PHOTOS / name).read_bytes()))
        for name, make in COPIES.items()
    }
    for name, copy in copies.items():
        original = originals[name]
        analysis = _analysed(client, alice, copy)
        assert analysis["duplicate_of"] == {
            "image_id": original["id"],
            "product_id": shop,
            "kept": False,
        }, name
        # The copy is the top result for its original, and the other way round.
        assert _similar(client, alice, original["id"])[0] == copy["id"], name
        assert _similar(client, alice, copy["id"])[0] == original["id"], name

    found = client.get(
        f"/api/v1/images/{copies['red_coffee_cup.jpg']['id']}/similar", headers=alice.headers
    ).json()
    best = found["data"][0]
    assert best["similarity"] > 0.9
    assert best["product"] == {"id": shop, "title": "Shop"}
    assert best["image"]["url"]
    assert found["total"] == len(found["data"]) == found["limit"] == 10

    clusters = client.get("/api/v1/duplicates", headers=alice.headers).json()
    assert clusters["total"] == 3
    for cluster in clusters["data"]:
        assert cluster["pending"]
        first, second = cluster["images"]
        assert first["duplicate_of"] is None
        assert second["duplicate_of"] == first["image"]["id"]
        assert second["similarity"] > 0.8

    kept_id = copies["paint_brushes.jpg"]["id"]
    kept = client.post(f"/api/v1/images/{kept_id}/duplicate/keep", headers=alice.headers)
    assert kept.status_code == 200, kept.text
    assert kept.json()["kept"] is True
    assert client.get("/api/v1/duplicates", headers=alice.headers).json()["total"] == 2
    everything = client.get(
        "/api/v1/duplicates", params={"include_kept": True}, headers=alice.headers
    ).json()
    assert everything["total"] == 3
    analysis = client.get(f"/api/v1/images/{kept_id}/analysis", headers=alice.headers).json()
    assert analysis["duplicate_of"]["kept"] is True
    undone = client.delete(f"/api/v1/images/{kept_id}/duplicate/keep", headers=alice.headers)
    assert undone.json()["kept"] is False
    not_a_copy = originals["apples.jpg"]["id"]
    refused = client.post(f"/api/v1/images/{not_a_copy}/duplicate/keep", headers=alice.headers)
    assert refused.status_code == 409

    # Another seller sees none of it.
    assert client.get(f"/api/v1/images/{kept_id}/similar", headers=bob.headers).status_code == 404
    assert (
        client.post(f"/api/v1/images/{kept_id}/duplicate/keep", headers=bob.headers).status_code
        == 404
    )
    assert client.get("/api/v1/duplicates", headers=bob.headers).json()["total"] == 0

    # Skipping a duplicate is deleting it: it leaves search and the clusters at once.
    mirrored_copy = copies["red_coffee_cup.jpg"]["id"]
    deleted = client.delete(
        f"/api/v1/products/{reposted}/images/{mirrored_copy}", headers=alice.headers
    )
    assert deleted.status_code == 204
    assert mirrored_copy not in _similar(client, alice, originals["red_coffee_cup.jpg"]["id"], 10)
    left = client.get("/api/v1/duplicates", headers=alice.headers).json()
    assert left["total"] == 2
    assert mirrored_copy not in {
        member["image"]["id"] for cluster in left["data"] for member in cluster["images"]
    }


def test_search_by_photo_is_scoped_and_stores_nothing(
    client: TestClient, alice: ApiUser, bob: ApiUser, worker: None
) -> None:
    shop = _product(client, alice, "Fruit")
    images = {
        name: _upload(client, alice, shop, name, (PHOTOS / name).read_bytes())
        for name in ("oranges.jpg", "apples.jpg", "red_coffee_cup.jpg")
    }
    for image in images.values():
        _analysed(client, alice, image)
    photo = resized((PHOTOS / "oranges.jpg").read_bytes(), 0.4)

    response = client.post(
        "/api/v1/search/by-image",
        params={"limit": 2},
        files={"file": ("query.jpg", photo, "image/jpeg")},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"][0]["image"]["id"] == images["oranges.jpg"]["id"]
    assert len(body["data"]) == 2
    assert body["query"]["classification"]["label"] == "food_beverages/fruit"
    assert body["query"]["classification"]["source"] == "taxonomy"
    assert body["query"]["width"] > 0
    products = client.get(f"/api/v1/products/{shop}", headers=alice.headers).json()
    assert products["image_count"] == 3  # the query photo was not kept

    bobs = client.post(
        "/api/v1/search/by-image",
        files={"file": ("query.jpg", photo, "image/jpeg")},
        headers=bob.headers,
    )
    assert bobs.status_code == 200
    assert bobs.json()["data"] == []

    not_an_image = client.post(
        "/api/v1/search/by-image",
        files={"file": ("notes.txt", b"%PDF-1.7 not a photo", "image/jpeg")},
        headers=alice.headers,
    )
    assert not_an_image.status_code == 415
    assert (
        client.post(
            "/api/v1/search/by-image", params={"limit": 0}, headers=alice.headers
        ).status_code
        == 422
    )

    reindexed = client.post("/api/v1/search/reindex", headers=alice.headers)
    assert reindexed.json() == {"vectors": 3}

    # An image that was never analysed cannot be searched from yet.
    ticket = client.post(
        f"/api/v1/products/{shop}/images/upload-url",
        json={"filename": "later.jpg", "content_type": "image/jpeg", "size_bytes": 1000},
        headers=alice.headers,
    ).json()
    pending = client.get(f"/api/v1/images/{ticket['image_id']}/similar", headers=alice.headers)
    assert pending.status_code == 409
    assert pending.json()["code"] == "not_analysed"
