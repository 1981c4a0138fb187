"""The load test of `make soak`: locust against the real-mode stack, loopback only, and the
memory cost of one 50 MB upload.

The stack: ``imagineai api`` as its own process, PostgreSQL, RabbitMQ (a vhost of this run),
Redis, the S3-protocol server, and one ``imagineai worker`` process (prefork pool of 2).

Load: after a warm-up (one photo analysed, so the models are loaded, then 30 s of the same
load, so thread pools, connection pools, allocator arenas and per-seller caches reach their
working size), 50 locust users browse and upload (tests/soak/locustfile.py) for 2 minutes.
Reported: p50/p95/p99 latency per endpoint, the error rate (must be 0), the time the worker
needs to drain the backlog once the load stops (every job must end completed), and the
resident memory of the API and worker process trees before and after (growth at most 50 MB
each). Printed and written to ``var/soak/load.json``.

Upload: a 50 MB photo through the API may not leave its resident memory more than 20 MB
higher (the upload is streamed to disk; only the decoding check holds pixels, briefly).

Sign-up limits are raised for the API process: all virtual users share the one loopback
address, and the limits per address would otherwise answer 429 by design.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from backend.shared.config import get_settings
from backend.shared.db.models import ProcessingJob
from tests.support.api_process import (
    MEGABYTE,
    ApiProcess,
    RssSampler,
    measure_upload,
    noise_png,
    running_api,
    signed_in_client,
)
from tests.support.faults import process_tree_rss
from tests.support.real_stack import REPOSITORY_ROOT, RealStack, WorkerProcess

pytestmark = [pytest.mark.soak, pytest.mark.services, pytest.mark.timeout(1800)]

USERS = 50
SPAWN_RATE = 10
RUN_TIME_S = 120
WARM_UP_S = 30
RSS_SAMPLE_S = 2.0
LOCUST_GRACE_S = 120
DRAIN_TIMEOUT_S = 900.0
MAX_RSS_GROWTH = 50 * 1024 * 1024
MAX_UPLOAD_RSS_GROWTH = 20 * 1024 * 1024
PHOTOS = REPOSITORY_ROOT / "tests" / "data" / "photos"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
LOCUST = REPOSITORY_ROOT / ".venv" / "bin" / "locust"
FINAL_JOB_STATES = ("completed", "completed_with_errors", "failed", "cancelled")
LOAD_SETTINGS = {
    "IMAGINEAI_REGISTER_ATTEMPTS_PER_IP": "1000000",
    "IMAGINEAI_LOGIN_ATTEMPTS_PER_IP": "1000000",
    "IMAGINEAI_LOGIN_ATTEMPTS_PER_EMAIL": "1000000",
}


@dataclass(frozen=True)
class LoadStack:
    stack: RealStack
    api: ApiProcess
    worker: WorkerProcess


@pytest.fixture
def load_stack(real_stack: RealStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[LoadStack]:
    for name, value in LOAD_SETTINGS.items():
        monkeypatch.setenv(name, value)
    worker = real_stack.start_worker(concurrency=2)
    with running_api(os.environ, real_stack.log_dir) as api:
        yield LoadStack(stack=real_stack, api=api, worker=worker)


def _warm_up(api: ApiProcess) -> None:
    """One user, one analysed photo, every browsing endpoint once: models and code loaded."""
    with signed_in_client(api, "warm") as client:
        product = client.post("/products", json={"title": "Warm-up"}).json()["id"]
        photo = PHOTOS / "red_coffee_cup.jpg"
        image = client.post(
            f"/products/{product}/images", files={"file": (photo.name, photo.read_bytes())}
        ).json()
        deadline = time.monotonic() + 120
        while client.get(f"/jobs/{image['job_id']}").json()["status"] not in FINAL_JOB_STATES:
            assert time.monotonic() < deadline, "the warm-up photo was not analysed"
            time.sleep(0.2)
        for path in (
            "/products",
            f"/products/{product}",
            f"/images/{image['id']}/analysis",
            f"/images/{image['id']}/similar",
            "/dashboard/stats",
            "/jobs",
            f"/products/{product}/readiness",
            "/exports/products",
        ):
            assert client.get(path).status_code == 200, path


def _run_locust(api: ApiProcess, csv_prefix: Path, run_time_s: int) -> None:
    command = [
        str(LOCUST),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(SPAWN_RATE),
        "--run-time",
        f"{run_time_s}s",
        "--stop-timeout",
        "30",
        "--host",
        api.base_url,
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--photos-dir",
        str(PHOTOS),
    ]
    done = subprocess.run(
        command,
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        timeout=run_time_s + LOCUST_GRACE_S,
        check=False,
    )
    # locust exits 1 when any request failed; the figures below say which.
    assert done.returncode in (0, 1), done.stderr[-3000:]


def _jobs_in_flight(stack: RealStack) -> int:
    with stack.session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(ProcessingJob)
                .where(ProcessingJob.status.not_in(FINAL_JOB_STATES))
            )
            or 0
        )


def _job_outcomes(stack: RealStack) -> dict[str, int]:
    with stack.session() as session:
        rows = session.execute(
            select(
                func.count(),
                func.sum(ProcessingJob.total_images),
                func.sum(ProcessingJob.processed_images),
                func.sum(ProcessingJob.failed_images),
                func.count().filter(ProcessingJob.status != "completed"),
            )
        ).one()
    return {
        "jobs": int(rows[0] or 0),
        "images": int(rows[1] or 0),
        "analysed": int(rows[2] or 0),
        "failed": int(rows[3] or 0),
        "jobs_not_completed": int(rows[4] or 0),
    }


class BacklogSampler:
    """Jobs not yet finished, every couple of seconds while the load runs."""

    def __init__(self, stack: RealStack) -> None:
        self._stack = stack
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.peak = 0

    def __enter__(self) -> BacklogSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _sample(self) -> None:
        while not self._stop.wait(RSS_SAMPLE_S):
            self.peak = max(self.peak, _jobs_in_flight(self._stack))


def _drain(stack: RealStack) -> float:
    started = time.monotonic()
    while _jobs_in_flight(stack):
        assert time.monotonic() - started < DRAIN_TIMEOUT_S, "the backlog did not drain"
        time.sleep(0.5)
    return time.monotonic() - started


def _stats(csv_prefix: Path) -> list[dict[str, Any]]:
    with Path(f"{csv_prefix}_stats.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        {
            "endpoint": row["Name"],
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"]),
            "p95_ms": float(row["95%"]),
            "p99_ms": float(row["99%"]),
            "rps": round(float(row["Requests/s"]), 2),
        }
        for row in rows
    ]


def _failures(csv_prefix: Path) -> list[dict[str, str]]:
    path = Path(f"{csv_prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _table(stats: list[dict[str, Any]]) -> str:
    lines = [f"{'endpoint':<46} {'requests':>8} {'errors':>6} {'p50':>6} {'p95':>6} {'p99':>6}"]
    lines += [
        f"{s['endpoint']:<46} {s['requests']:>8} {s['failures']:>6} {s['p50_ms']:>6.0f} "
        f"{s['p95_ms']:>6.0f} {s['p99_ms']:>6.0f}"
        for s in stats
    ]
    return "\n".join(lines)


def test_fifty_users_browsing_and_uploading_for_two_minutes(
    load_stack: LoadStack, report_dir: Path, tmp_path: Path
) -> None:
    stack, api, worker = load_stack.stack, load_stack.api, load_stack.worker
    pids = {"api": api.process.pid, "worker": worker.process.pid}
    _warm_up(api)
    rss_cold = {name: process_tree_rss(pid) for name, pid in pids.items()}
    _run_locust(api, tmp_path / "warm-up", WARM_UP_S)
    _drain(stack)
    time.sleep(2)
    rss_before = {name: process_tree_rss(pid) for name, pid in pids.items()}

    csv_prefix = tmp_path / "locust"
    load_started = time.monotonic()
    with RssSampler(pids, RSS_SAMPLE_S) as sampler:
        with BacklogSampler(stack) as backlog_sampler:
            _run_locust(api, csv_prefix, RUN_TIME_S)
        load_s = time.monotonic() - load_started
        backlog = _jobs_in_flight(stack)
        drain_s = _drain(stack)
        time.sleep(2)
    rss_after = {name: process_tree_rss(pid) for name, pid in pids.items()}

    stats = _stats(csv_prefix)
    total = next(s for s in stats if s["endpoint"] == "Aggregated")
    outcomes = _job_outcomes(stack)
    error_rate = total["failures"] / max(1, total["requests"])
    print()
    print(_table(stats))
    print(
        f"{USERS} users for {RUN_TIME_S} s (locust ran {load_s:.0f} s): "
        f"{total['requests']} requests, {total['rps']} per s, error rate {error_rate:.2%}"
    )
    print(
        f"backlog: at most {backlog_sampler.peak} jobs during the load, {backlog} when it "
        f"stopped, drained in {drain_s:.1f} s; "
        f"{outcomes['images']} images in {outcomes['jobs']} jobs, {outcomes['analysed']} analysed"
    )
    for name in ("api", "worker"):
        print(
            f"RSS {name}: {rss_cold[name] / MEGABYTE:.0f} MB after one request of each kind, "
            f"{rss_before[name] / MEGABYTE:.0f} MB after the {WARM_UP_S} s warm-up (before), "
            f"peak {sampler.peak(name):.0f} MB, {rss_after[name] / MEGABYTE:.0f} MB after "
            f"({(rss_after[name] - rss_before[name]) / MEGABYTE:+.1f} MB)"
        )
    (report_dir / "load.json").write_text(
        json.dumps(
            {
                "users": USERS,
                "run_time_s": RUN_TIME_S,
                "endpoints": stats,
                "error_rate": error_rate,
                "failures": _failures(csv_prefix),
                "backlog_jobs_peak": backlog_sampler.peak,
                "backlog_jobs_at_stop": backlog,
                "drain_s": round(drain_s, 1),
                "jobs": outcomes,
                "rss_cold_mb": {k: round(v / MEGABYTE, 1) for k, v in rss_cold.items()},
                "rss_before_mb": {k: round(v / MEGABYTE, 1) for k, v in rss_before.items()},
                "rss_samples_mb": sampler.samples,
                "rss_after_mb": {k: round(v / MEGABYTE, 1) for k, v in rss_after.items()},
            },
            indent=2,
        )
    )

    assert total["failures"] == 0, _failures(csv_prefix)
    assert outcomes["jobs_not_completed"] == 0, outcomes
    assert outcomes["analysed"] == outcomes["images"], outcomes
    for name in ("api", "worker"):
        assert rss_after[name] - rss_before[name] <= MAX_RSS_GROWTH, (name, rss_before, rss_after)


def test_a_fifty_megabyte_upload_leaves_api_memory_flat(
    load_stack: LoadStack, report_dir: Path, tmp_path: Path
) -> None:
    big = noise_png(tmp_path)
    assert 49 * MEGABYTE < big.stat().st_size <= get_settings().max_upload_bytes
    measured = measure_upload(load_stack.api, big, PHOTOS / "red_coffee_cup.jpg")
    print(f"\n{measured.line()}")
    (report_dir / "upload-memory.json").write_text(
        json.dumps(
            {
                "upload_mb": round(measured.upload_bytes / MEGABYTE, 1),
                "rss_before_mb": round(measured.before / MEGABYTE, 1),
                "rss_peak_mb": round(measured.peak / MEGABYTE, 1),
                "rss_after_mb": round(measured.after / MEGABYTE, 1),
            },
            indent=2,
        )
    )
    assert measured.growth <= MAX_UPLOAD_RSS_GROWTH, measured
