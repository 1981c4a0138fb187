"""Listing readiness and condition grade through the API, after a real analysis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.fastapi_app.conftest import ApiUser
from tests.support.workers import inprocess_worker, wait_for_job

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "photos"


@pytest.fixture
def worker(client: TestClient) -> Iterator[None]:
    with inprocess_worker():
        yield


def _analysed_product(
    client: TestClient, user: ApiUser, title: str, photos: list[str]
) -> tuple[str, list[str]]:
    product_id = str(
        client.post("/api/v1/products", json={"title": title}, headers=user.headers).json()["id"]
    )
    image_ids = []
    for photo in photos:
        image = client.post(
            f"/api/v1/products/{product_id}/images",
            files={"file": (photo, (PHOTOS / photo).read_bytes(), "image/jpeg")},
            headers=user.headers,
        ).json()
        assert wait_for_job(client, user.headers, image["job_id"])["status"] == "completed"
        image_ids.append(str(image["id"]))
    return product_id, image_ids


def _rules(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rule["rule"]: rule for rule in report["rules"]}


def test_studio_and_cluttered_photos_are_told_apart(
    client: TestClient, alice: ApiUser, worker: None
) -> None:
    studio, (studio_image,) = _analysed_product(client, alice, "Vitamins", ["vitamin_bottle.jpg"])
    scene, (scene_image,) = _analysed_product(client, alice, "Cup", ["red_coffee_cup.jpg"])
    studio_report = client.get(
        f"/api/v1/images/{studio_image}/readiness?preset=amazon", headers=alice.headers
    ).json()
    scene_report = client.get(
        f"/api/v1/images/{scene_image}/readiness?preset=amazon", headers=alice.headers
    ).json()
    white, cluttered = _rules(studio_report), _rules(scene_report)
    assert white["pure_white_background"]["status"] == "pass"
    assert white["pure_white_background"]["measured"] == 1.0
    assert cluttered["pure_white_background"]["status"] == "fail"
    assert cluttered["pure_white_background"]["measured"] < 0.05
    assert cluttered["pure_white_background"]["fix"].startswith("Make the backdrop pure white")
    assert white["resolution"] == {
        **white["resolution"],
        "status": "warn",
        "measured": 900.0,
        "unit": "px",
        "target": "≥ 1000 px",
    }
    assert studio_report["status"] == "warn"
    assert scene_report["status"] == "fail"
    assert studio_report["is_main"] is True

    product = client.get(
        f"/api/v1/products/{scene}/readiness?preset=generic", headers=alice.headers
    ).json()
    assert product["status"] == "fail"
    assert product["main_image_id"] == scene_image
    assert product["fixes"][0].startswith("Shoot on white or cut the product out")
    ebay = client.get(f"/api/v1/products/{studio}/readiness?preset=ebay", headers=alice.headers)
    assert _rules(ebay.json()["images"][0])["resolution"]["target"] == "≥ 1600 px"


def test_presets_are_listed_and_an_unknown_one_is_refused(
    client: TestClient, alice: ApiUser, bob: ApiUser, worker: None
) -> None:
    listed = client.get("/api/v1/readiness/presets", headers=alice.headers).json()
    assert listed["default"] == "generic"
    names = [preset["name"] for preset in listed["data"]]
    assert {"generic", "amazon", "ebay"} <= set(names)
    amazon = next(preset for preset in listed["data"] if preset["name"] == "amazon")
    assert amazon["rules"]["fill"]["pass_at"] == 0.85
    assert amazon["sources"]
    product, (image,) = _analysed_product(client, alice, "Bag", ["grey_duffel_bag.jpg"])
    refused = client.get(f"/api/v1/images/{image}/readiness?preset=etsy", headers=alice.headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "unknown_preset"
    assert client.get(f"/api/v1/images/{image}/readiness", headers=bob.headers).status_code == 404
    assert (
        client.get(f"/api/v1/products/{product}/readiness", headers=bob.headers).status_code == 404
    )


def test_the_condition_grade_is_stored_with_its_reasoning(
    client: TestClient, alice: ApiUser, worker: None
) -> None:
    _, (clean, cracked) = _analysed_product(
        client, alice, "Bulbs", ["led_bulb.jpg", "led_bulb_crack.jpg"]
    )
    grades = {}
    for image_id in (clean, cracked):
        analysis = client.get(f"/api/v1/images/{image_id}/analysis", headers=alice.headers).json()
        grade = next(a for a in analysis["attributes"] if a["name"] == "condition_grade")
        assert 0 < grade["confidence"] <= 1
        assert grade["metadata"]["reasons"]
        grades[image_id] = grade
    assert grades[clean]["value"] in ("new", "like_new")
    assert grades[cracked]["value"] == "poor"
    assert "crack" in grades[cracked]["metadata"]["reasons"][0]
    rerun = client.post(f"/api/v1/images/{cracked}/analysis", headers=alice.headers).json()
    wait_for_job(client, alice.headers, rerun["id"])
    again = client.get(f"/api/v1/images/{cracked}/analysis", headers=alice.headers).json()
    assert [a["name"] for a in again["attributes"]].count("condition_grade") == 1
