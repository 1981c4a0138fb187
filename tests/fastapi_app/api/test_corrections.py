"""Corrections and custom categories through the API: a seller's head learns their labels."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from backend.domain.search.catalogue import reset_catalogue_indexes
from tests.fastapi_app.conftest import ApiUser
from tests.support.workers import inprocess_worker, wait_for_job

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"
#: Five examples of each of two of a print shop's own categories, and one held-out image each.
EXAMPLES = {
    "architecture": [
        "custom/architecture_stone_building.jpg",
        "custom/architecture_market_place.jpg",
        "custom/architecture_lighthouse_maine.jpg",
        "custom/architecture_barn_and_pond.jpg",
        "custom/architecture_mountain_chalet.jpg",
    ],
    "abstract art": [
        "custom/abstract_tiles.jpg",
        "custom/abstract_painted_wall.jpg",
        "custom/abstract_geometric_mural.jpg",
        "custom/abstract_street_art.jpg",
        "custom/abstract_folk_art.jpg",
    ],
}
HELD_OUT = {
    "architecture": "custom/architecture_portland_head_light.jpg",
    "abstract art": "custom/abstract_balloon_canopy.jpg",
}


@pytest.fixture
def worker(client: TestClient) -> Iterator[None]:
    reset_catalogue_indexes()
    with inprocess_worker():
        yield
    reset_catalogue_indexes()


def _upload(client: TestClient, user: ApiUser, product_id: str, name: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/products/{product_id}/images",
        files={"file": (Path(name).name, (PHOTOS / name).read_bytes(), "image/jpeg")},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    image: dict[str, Any] = response.json()
    return image


def _analysis(client: TestClient, user: ApiUser, image_id: str) -> dict[str, Any]:
    analysis: dict[str, Any] = client.get(
        f"/api/v1/images/{image_id}/analysis", headers=user.headers
    ).json()
    return analysis


def _wait_for_head(client: TestClient, user: ApiUser, examples: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        head: dict[str, Any] = client.get("/api/v1/classifiers/me", headers=user.headers).json()
        if head["trained"] and head["example_count"] == examples:
            return head
        assert time.monotonic() < deadline, head
        time.sleep(0.1)


def test_custom_categories_are_learnt_and_used_for_the_next_images(
    client: TestClient, alice: ApiUser, bob: ApiUser, worker: None
) -> None:
    shop = client.post("/api/v1/products", json={"title": "Prints"}, headers=alice.headers)
    product_id = shop.json()["id"]
    labelled = {
        name: _upload(client, alice, product_id, name)
        for names in EXAMPLES.values()
        for name in names
    }
    cup = _upload(client, alice, product_id, "red_coffee_cup.jpg")
    for image in [*labelled.values(), cup]:
        assert wait_for_job(client, alice.headers, image["job_id"])["status"] == "completed"
    assert client.get("/api/v1/classifiers/me", headers=alice.headers).json()["trained"] is False

    for label, names in EXAMPLES.items():
        for name in names:
            response = client.put(
                f"/api/v1/images/{labelled[name]['id']}/correction",
                json={"label": label.title()},
                headers=alice.headers,
            )
            assert response.status_code == 200, response.text
            assert response.json()["label"] == label
    first = labelled[EXAMPLES["architecture"][0]]["id"]
    corrected = _analysis(client, alice, first)
    assert corrected["classification"]["label"] == "architecture"
    assert corrected["classification"]["source"] == "correction"
    queued = client.post("/api/v1/classifiers/train", headers=alice.headers)
    assert queued.status_code == 202, queued.text
    assert queued.json()["training_queued"] is True
    assert queued.json()["trainable_labels"] == ["abstract art", "architecture"]

    head = _wait_for_head(client, alice, examples=10)
    assert head["labels"] == ["abstract art", "architecture"]
    assert head["version"].startswith("custom-")
    assert head["metrics"]["leave_one_out_accuracy"] == 1.0
    assert {item["label"]: item["examples"] for item in head["label_counts"]} == {
        "abstract art": 5,
        "architecture": 5,
    }

    # The seller's next images are classified by their head...
    for label, name in HELD_OUT.items():
        image = _upload(client, alice, product_id, name)
        wait_for_job(client, alice.headers, image["job_id"])
        analysis = _analysis(client, alice, image["id"])
        assert analysis["classification"]["label"] == label
        assert analysis["classification"]["source"] == "custom"
        assert analysis["classification"]["category"] == label
        assert analysis["model_version"].endswith(f"+{head['version']}")
    # ...and a product it never learnt falls back to the base taxonomy.
    mug = _upload(client, alice, product_id, "red_coffee_cup.jpg")
    wait_for_job(client, alice.headers, mug["job_id"])
    fallback = _analysis(client, alice, mug["id"])
    assert fallback["classification"]["label"] == "kitchen/mugs"
    assert fallback["classification"]["source"] == "taxonomy"
    assert fallback["model_version"].endswith(f"+{head['version']}:fallback")

    # Images analysed before the head are stale: one action re-runs exactly those.
    stale = client.post("/api/v1/jobs", json={"only_stale": True}, headers=alice.headers)
    assert stale.status_code == 201, stale.text
    assert stale.json()["total_images"] == len(labelled) + 1
    assert wait_for_job(client, alice.headers, stale.json()["id"])["status"] == "completed"
    rerun = _analysis(client, alice, cup["id"])
    assert rerun["model_version"].endswith(f"+{head['version']}:fallback")
    again = _analysis(client, alice, first)
    assert again["classification"]["label"] == "architecture"  # the seller's label still wins
    assert again["classification"]["source"] == "correction"
    nothing = client.post("/api/v1/jobs", json={"only_stale": True}, headers=alice.headers)
    assert nothing.status_code == 409

    listed = client.get(
        "/api/v1/corrections", params={"label": "Abstract Art"}, headers=alice.headers
    ).json()
    assert listed["total"] == 5
    assert {item["image_id"] for item in listed["data"]} == {
        labelled[name]["id"] for name in EXAMPLES["abstract art"]
    }

    # Another seller can neither label nor see any of it.
    foreign = client.put(
        f"/api/v1/images/{first}/correction", json={"label": "mine"}, headers=bob.headers
    )
    assert foreign.status_code == 404
    assert client.get(f"/api/v1/images/{first}/correction", headers=bob.headers).status_code == 404
    assert client.get("/api/v1/corrections", headers=bob.headers).json()["total"] == 0
    assert client.get("/api/v1/classifiers/me", headers=bob.headers).json()["trained"] is False
    assert client.post("/api/v1/classifiers/train", headers=bob.headers).status_code == 409

    # Taking a label back shows the model's answer again; dropping the head leaves the taxonomy.
    assert (
        client.get(f"/api/v1/images/{first}/correction", headers=alice.headers).json()["label"]
        == "architecture"
    )
    removed = client.delete(f"/api/v1/images/{first}/correction", headers=alice.headers)
    assert removed.status_code == 204
    assert _analysis(client, alice, first)["classification"]["source"] != "correction"
    assert client.delete("/api/v1/classifiers/me", headers=alice.headers).status_code == 204
    assert client.get("/api/v1/classifiers/me", headers=alice.headers).json()["trained"] is False


def test_labels_are_validated(client: TestClient, alice: ApiUser, worker: None) -> None:
    product_id = client.post(
        "/api/v1/products", json={"title": "Cup"}, headers=alice.headers
    ).json()["id"]
    image = _upload(client, alice, product_id, "red_coffee_cup.jpg")
    wait_for_job(client, alice.headers, image["job_id"])
    for label in ["", "../../secret", "unknown", "kitchen/nonexistent", "x" * 201]:
        response = client.put(
            f"/api/v1/images/{image['id']}/correction", json={"label": label}, headers=alice.headers
        )
        assert response.status_code == 422, label
    taxonomy = client.put(
        f"/api/v1/images/{image['id']}/correction",
        json={"label": "kitchen/tableware"},
        headers=alice.headers,
    )
    assert taxonomy.status_code == 200
    analysis = _analysis(client, alice, image["id"])
    assert analysis["classification"]["label"] == "kitchen/tableware"
    assert analysis["classification"]["subcategory"] == "tableware"
    assert (
        client.put(
            f"/api/v1/images/{image['id']}/correction",
            json={"label": "mugs"},
            headers={"Authorization": "Bearer nope"},
        ).status_code
        == 401
    )
