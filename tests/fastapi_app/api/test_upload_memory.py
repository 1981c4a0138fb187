"""A 50 MB upload to a real ``imagineai api`` process (PostgreSQL, the S3-protocol server) must
not leave the process more than 20 MB larger: the body is streamed to disk and to storage, and
the decoded pixels of the validity check go back to the OS (backend/shared/memory.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend.shared.config import get_settings
from tests.conftest import Database
from tests.support.api_process import MEGABYTE, measure_upload, noise_png, running_api
from tests.support.s3_server import S3Bucket

pytestmark = pytest.mark.services

PHOTO = Path(__file__).resolve().parents[2] / "data" / "photos" / "red_coffee_cup.jpg"
MAX_GROWTH = 20 * MEGABYTE


def test_a_fifty_megabyte_upload_leaves_api_memory_flat(
    pg: Database, s3_bucket: S3Bucket, tmp_path: Path
) -> None:
    big = noise_png(tmp_path)
    assert 49 * MEGABYTE < big.stat().st_size <= get_settings().max_upload_bytes
    env = {
        **os.environ,
        **s3_bucket.server.settings_env(s3_bucket.name),
        "IMAGINEAI_DATABASE_URL": pg.url,
    }
    with running_api(env, tmp_path) as api:
        measured = measure_upload(api, big, PHOTO)
    print(measured.line())
    assert measured.growth <= MAX_GROWTH, measured.line()
