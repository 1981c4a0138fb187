"""Sellers browsing and uploading, for the load test of `make soak` (tests/soak/test_load.py).

Run by that test as ``locust --headless`` with a user count, a run time and ``--host`` on the
loopback interface; it refuses any other host, and presigned upload URLs that point elsewhere.
Each user signs up, makes a product with one photo, then browses (lists, details, analyses,
dashboard, jobs, readiness, similar photos, exports) and now and then uploads a photo, through
the API or through a presigned URL and the confirm step. Answers are checked: anything but the
expected status counts as a failure.
"""

from __future__ import annotations

import ipaddress
import random
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.env import Environment

API = "/api/v1"
PASSWORD = "a long passphrase for load"
LOOPBACK_NAMES = {"localhost"}


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _options(parser: Any) -> None:
    parser.add_argument("--photos-dir", type=str, default="tests/data/photos")


def _loopback_only(environment: Environment, **_kwargs: Any) -> None:
    if not environment.host or not _is_loopback(environment.host):
        raise SystemExit(
            f"refusing to load anything but the loopback interface: {environment.host}"
        )


events.init_command_line_parser.add_listener(_options)  # type: ignore[no-untyped-call]
events.init.add_listener(_loopback_only)  # type: ignore[no-untyped-call]


class Seller(HttpUser):
    wait_time = between(2, 5)

    def on_start(self) -> None:
        folder = Path(self.environment.parsed_options.photos_dir)
        self.photos = sorted(p for p in folder.iterdir() if p.suffix == ".jpg")
        email = f"load-{uuid.uuid4().hex[:12]}@example.com"
        self.client.post(
            f"{API}/auth/register",
            json={"email": email, "password": PASSWORD},
            name="POST /auth/register",
        )
        tokens = self.client.post(
            f"{API}/auth/login",
            json={"email": email, "password": PASSWORD},
            name="POST /auth/login",
        ).json()
        self.client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
        product = self.client.post(
            f"{API}/products", json={"title": "Load test cup"}, name="POST /products"
        ).json()
        self.product_id: str = product["id"]
        self.analysed: list[str] = []
        self.last_job_id: str | None = None
        self.upload_direct()

    @task(5)
    def list_products(self) -> None:
        self.client.get(f"{API}/products?limit=20", name="GET /products")

    @task(4)
    def product_detail(self) -> None:
        with self.client.get(
            f"{API}/products/{self.product_id}", name="GET /products/{id}", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return
            images = response.json()["images"]
            self.analysed = [
                i["id"] for i in images if (i.get("analysis") or {}).get("status") == "completed"
            ]

    @task(2)
    def analysis(self) -> None:
        if self.analysed:
            image_id = random.choice(self.analysed)
            self.client.get(f"{API}/images/{image_id}/analysis", name="GET /images/{id}/analysis")

    @task(2)
    def dashboard(self) -> None:
        self.client.get(f"{API}/dashboard/stats", name="GET /dashboard/stats")

    @task(1)
    def jobs(self) -> None:
        self.client.get(f"{API}/jobs", name="GET /jobs")
        if self.last_job_id:
            self.client.get(f"{API}/jobs/{self.last_job_id}", name="GET /jobs/{id}")

    @task(1)
    def search_titles(self) -> None:
        self.client.get(f"{API}/products?q=cup", name="GET /products?q=")

    @task(1)
    def readiness(self) -> None:
        self.client.get(
            f"{API}/products/{self.product_id}/readiness", name="GET /products/{id}/readiness"
        )

    @task(1)
    def similar(self) -> None:
        if self.analysed:
            image_id = random.choice(self.analysed)
            self.client.get(f"{API}/images/{image_id}/similar", name="GET /images/{id}/similar")

    @task(1)
    def export(self) -> None:
        self.client.get(f"{API}/exports/products?format=csv", name="GET /exports/products")

    @task(1)
    def upload_direct(self) -> None:
        photo = random.choice(self.photos)
        response = self.client.post(
            f"{API}/products/{self.product_id}/images",
            files={"file": (photo.name, photo.read_bytes(), "image/jpeg")},
            name="POST /products/{id}/images",
        )
        if response.status_code == 201:
            self.last_job_id = response.json()["job_id"]

    @task(1)
    def upload_presigned(self) -> None:
        photo = random.choice(self.photos)
        data = photo.read_bytes()
        ticket = self.client.post(
            f"{API}/products/{self.product_id}/images/upload-url",
            json={"filename": photo.name, "content_type": "image/jpeg", "size_bytes": len(data)},
            name="POST /products/{id}/images/upload-url",
        )
        if ticket.status_code != 201:
            return
        body = ticket.json()
        if not _is_loopback(body["upload_url"]):
            raise SystemExit(
                f"refusing to PUT outside the loopback interface: {body['upload_url']}"
            )
        self.client.request(
            body["method"],
            body["upload_url"],
            data=data,
            headers={**body["headers"], "Authorization": ""},
            name="PUT presigned upload (S3 server)",
        )
        confirmed = self.client.post(
            f"{API}/products/{self.product_id}/images/{body['image_id']}/confirm",
            name="POST /products/{id}/images/{id}/confirm",
        )
        if confirmed.status_code == 200:
            self.last_job_id = confirmed.json().get("job_id") or self.last_job_id
