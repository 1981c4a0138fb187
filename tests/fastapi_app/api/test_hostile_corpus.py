"""Every file of the hostile corpus through direct upload, presigned upload + confirm, and the
worker: each answer is a clear 4xx or an analysis (or a readable analysis failure for images
too small to analyse); never a 5xx, a crashed worker or a stuck job."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.corpus.manifest import CASES, Accepted, CorpusCase, Rejected
from tests.fastapi_app.conftest import ApiUser
from tests.support.workers import inprocess_worker, wait_for_job

#: The analysis needs this many pixels per side; smaller images fail with a stated reason.
MIN_ANALYSABLE_SIDE = 16


@cache
def _bytes_of(case: CorpusCase) -> bytes:
    data = case.build()
    if case.pad_to_bytes is not None:
        data = data + b"\0" * (case.pad_to_bytes - len(data))
    return data


def _check_answer(case: CorpusCase, response: Any, outcomes: Counter[str]) -> dict[str, Any] | None:
    assert response.status_code < 500, (case.name, response.status_code, response.text)
    expected = case.expected
    if isinstance(expected, Rejected):
        assert response.status_code == expected.http_status, (case.name, response.text)
        body = response.json()
        assert body["code"] == expected.code.value, (case.name, body)
        assert body["detail"]
        outcomes[f"refused {response.status_code} {body['code']}"] += 1
        return None
    assert isinstance(expected, Accepted)
    assert response.status_code in (200, 201), (case.name, response.text)
    image: dict[str, Any] = response.json()
    assert (image["width"], image["height"]) == (expected.width, expected.height), case.name
    assert image["content_type"] == expected.content_type, case.name
    stored_name = image["original_filename"]
    assert stored_name.endswith(f".{expected.format.file_extension}"), (case.name, stored_name)
    assert not any(char in stored_name for char in "/\\\x00\r\n"), (case.name, stored_name)
    assert len(stored_name.encode()) <= 120
    outcomes["stored"] += 1
    return image


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_every_corpus_file_through_both_upload_paths_and_the_worker(
    client: TestClient, alice: ApiUser
) -> None:
    product_id = client.post(
        "/api/v1/products", json={"title": "Corpus"}, headers=alice.headers
    ).json()["id"]
    base = f"/api/v1/products/{product_id}/images"
    outcomes: Counter[str] = Counter()
    stored: list[tuple[CorpusCase, dict[str, Any]]] = []
    for case in CASES:
        data = _bytes_of(case)
        direct = client.post(
            base,
            files={"file": (case.client_filename, data, "image/jpeg")},
            headers=alice.headers,
        )
        image = _check_answer(case, direct, outcomes)
        if image is not None:
            stored.append((case, image))

        declared = (
            case.expected.content_type if isinstance(case.expected, Accepted) else "image/jpeg"
        )
        ticket = client.post(
            f"{base}/upload-url",
            json={
                "filename": case.client_filename,
                "content_type": declared,
                "size_bytes": len(data),
            },
            headers=alice.headers,
        )
        if ticket.status_code != 201:
            # Refused from the announced size alone (empty, over 50 MB): before any byte moves.
            assert isinstance(case.expected, Rejected), (case.name, ticket.text)
            assert ticket.status_code in (413, 422), (case.name, ticket.text)
            outcomes[f"refused at ticket {ticket.status_code} {ticket.json()['code']}"] += 1
            continue
        put = client.put(
            ticket.json()["upload_url"], content=data, headers=ticket.json()["headers"]
        )
        assert put.status_code == 200, (case.name, put.text)
        confirmed = client.post(
            f"{base}/{ticket.json()['image_id']}/confirm", headers=alice.headers
        )
        image = _check_answer(case, confirmed, outcomes)
        if image is not None:
            stored.append((case, image))

    with inprocess_worker():
        for case, image in stored:
            job = wait_for_job(client, alice.headers, image["job_id"], timeout_s=120)
            analysis = client.get(
                f"/api/v1/images/{image['id']}/analysis", headers=alice.headers
            ).json()
            expected = case.expected
            assert isinstance(expected, Accepted)
            if min(expected.width, expected.height) < MIN_ANALYSABLE_SIDE:
                assert job["status"] == "failed", case.name
                assert analysis["status"] == "failed"
                assert "pixels per side are needed" in analysis["error_message"], case.name
                outcomes["analysis refused: too small"] += 1
            else:
                assert job["status"] == "completed", (case.name, job)
                assert analysis["status"] == "completed"
                outcomes["analysed"] += 1
    print("\nhostile corpus outcomes:")
    for outcome, count in sorted(outcomes.items()):
        print(f"  {count:4d}  {outcome}")
    assert client.get("/api/v1/health").status_code == 200
    rejected_cases = sum(isinstance(case.expected, Rejected) for case in CASES)
    assert sum(n for o, n in outcomes.items() if o.startswith("refused")) >= rejected_cases
