from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.fastapi_app.conftest import ApiUser


def _create(client: TestClient, user: ApiUser, **fields: object) -> dict[str, object]:
    response = client.post(
        "/api/v1/products", json={"title": "Lamp", **fields}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_create_get_update_delete(client: TestClient, alice: ApiUser) -> None:
    created = _create(
        client, alice, title=" Brass desk lamp ", category="lighting", metadata={"sku": "L-1"}
    )
    assert created["title"] == "Brass desk lamp"
    assert created["status"] == "draft"
    assert created["image_count"] == 0
    product_id = created["id"]
    detail = client.get(f"/api/v1/products/{product_id}", headers=alice.headers).json()
    assert detail["images"] == []
    assert detail["metadata"] == {"sku": "L-1"}
    patched = client.patch(
        f"/api/v1/products/{product_id}", json={"description": "Solid brass"}, headers=alice.headers
    )
    assert patched.status_code == 200
    assert patched.json()["description"] == "Solid brass"
    assert patched.json()["title"] == "Brass desk lamp"
    assert client.delete(f"/api/v1/products/{product_id}", headers=alice.headers).status_code == 204
    assert client.get(f"/api/v1/products/{product_id}", headers=alice.headers).status_code == 404
    listed = client.get("/api/v1/products", headers=alice.headers).json()
    assert listed["total"] == 0


def test_list_filters_search_sort_and_pages(client: TestClient, alice: ApiUser) -> None:
    for title, category in [
        ("Blue mug", "kitchen"),
        ("Red mug", "kitchen"),
        ("Oak chair", "furniture"),
    ]:
        _create(client, alice, title=title, category=category)
    mugs = client.get(
        "/api/v1/products", params={"q": "MUG", "sort": "title"}, headers=alice.headers
    ).json()
    assert [p["title"] for p in mugs["data"]] == ["Blue mug", "Red mug"]
    kitchen = client.get(
        "/api/v1/products", params={"category": "kitchen"}, headers=alice.headers
    ).json()
    assert kitchen["total"] == 2
    page = client.get(
        "/api/v1/products",
        params={"limit": 1, "offset": 1, "sort": "-title"},
        headers=alice.headers,
    ).json()
    assert page["total"] == 3
    assert page["limit"] == 1
    assert [p["title"] for p in page["data"]] == ["Oak chair"]
    drafts = client.get(
        "/api/v1/products", params={"status": "draft"}, headers=alice.headers
    ).json()
    assert drafts["total"] == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"sort": "hashed_password"}, "sort"),
        ({"status": "'; DROP TABLE products; --"}, "status"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_query_parameters_are_422(
    client: TestClient, alice: ApiUser, params: dict[str, object], field: str
) -> None:
    response = client.get("/api/v1/products", params=params, headers=alice.headers)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert any(field in error["loc"] for error in body["errors"])


def test_bad_bodies_are_422(client: TestClient, alice: ApiUser) -> None:
    assert (
        client.post("/api/v1/products", json={"title": ""}, headers=alice.headers).status_code
        == 422
    )
    assert (
        client.post(
            "/api/v1/products", json={"title": "x" * 301}, headers=alice.headers
        ).status_code
        == 422
    )
    assert client.post("/api/v1/products", json=[], headers=alice.headers).status_code == 422
    product = _create(client, alice)
    response = client.patch(
        f"/api/v1/products/{product['id']}", json={"title": None}, headers=alice.headers
    )
    assert response.status_code == 422


def test_sql_metacharacters_are_just_text(client: TestClient, alice: ApiUser) -> None:
    title = "Robert'); DROP TABLE products;--"
    _create(client, alice, title=title)
    found = client.get("/api/v1/products", params={"q": "DROP TABLE"}, headers=alice.headers).json()
    assert [p["title"] for p in found["data"]] == [title]


def test_another_users_products_are_404_for_every_verb(
    client: TestClient, alice: ApiUser, bob: ApiUser
) -> None:
    product_id = _create(client, alice)["id"]
    url = f"/api/v1/products/{product_id}"
    assert client.get(url, headers=bob.headers).status_code == 404
    assert client.patch(url, json={"title": "mine"}, headers=bob.headers).status_code == 404
    assert client.delete(url, headers=bob.headers).status_code == 404
    assert client.post(f"{url}/description", json={}, headers=bob.headers).status_code == 404
    assert client.get("/api/v1/products", headers=bob.headers).json()["total"] == 0
    assert client.get(url, headers=alice.headers).json()["title"] == "Lamp"
    unknown = client.get(f"/api/v1/products/{uuid.uuid4()}", headers=alice.headers)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "product_not_found"


def test_regenerate_description_with_options(client: TestClient, alice: ApiUser) -> None:
    product = _create(
        client, alice, title="Oak dining chair", description="Solid oak, seat height 46 cm"
    )
    response = client.post(
        f"/api/v1/products/{product['id']}/description",
        json={"tone": "friendly", "length": "short"},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ai_description"]
    assert body["metadata"]["ai_listing"]["model"].startswith("offline/")
    refused = client.post(
        f"/api/v1/products/{product['id']}/description",
        json={"language": "not a tag!"},
        headers=alice.headers,
    )
    assert refused.status_code == 422
