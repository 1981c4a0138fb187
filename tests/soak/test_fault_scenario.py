"""The scripted fault scenario of `make soak`, on the real-mode stack.

One batch of 200 real photos (``tests/data/photos``, repeated) during which, one after another,
each when a further share of the batch is done: ``kill -9`` of the worker (another is
started), a RabbitMQ restart, a Redis restart, a PostgreSQL restart, and 10 s in which every
storage read and write fails (:class:`tests.support.faults.S3FaultProxy`). Afterwards every
image must be analysed exactly once (:func:`tests.support.real_stack.audit_job`, and the live
events: no step completed twice) and the job's and the dashboard's counters must be exact.

A baseline batch of the same 200 photos without faults runs first on the same worker; a
fault's *extra seconds* are the time from its injection to the next one (or to the end) minus
the time the baseline needed, at its steady rate, for the pipeline steps completed in that
window (measurement noise is a second or two either way: small negative figures mean "no
cost"). The table is printed and written to ``var/soak/fault-scenario.json``. Retry back-off
is the shipped default (2 s doubling to 60 s): the faults are judged with production timing,
not with the short back-off of the other real-stack tests.

Every service stopped here is started again in a ``finally`` block and waited for.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from backend.fastapi_app.main import create_app
from backend.shared.config import get_settings
from backend.shared.db.enums import StepName, StepStatus
from backend.shared.db.models import JobStep
from backend.shared.storage.factory import get_storage
from tests.fastapi_app.conftest import ApiUser, register_and_login
from tests.support.faults import S3FaultProxy, restart_postgresql
from tests.support.real_stack import (
    LiveEvents,
    RealStack,
    WorkerProcess,
    audit_job,
    image_problems,
    job_counters,
    rabbitmq_stopped,
    redis_stopped,
    reload_stack_settings,
    seed_uploaded_images,
    wait_until,
)
from tests.support.workers import wait_for_job

pytestmark = [pytest.mark.soak, pytest.mark.services, pytest.mark.timeout(1800)]

PHOTOS = sorted(
    path
    for path in (Path(__file__).resolve().parents[1] / "data" / "photos").iterdir()
    if path.suffix in {".jpg", ".png"}
)
BATCH_SIZE = 200
STEPS_PER_IMAGE = len(StepName)
STORAGE_OUTAGE_S = 10.0
JOB_TIMEOUT_S = 900.0
# The shipped back-off (Settings defaults), instead of the real-stack tests' 0.2 s / 2 s.
PRODUCTION_RETRY = {
    "IMAGINEAI_RETRY_BACKOFF_BASE_SECONDS": "2.0",
    "IMAGINEAI_RETRY_BACKOFF_MAX_SECONDS": "60.0",
}


@dataclass
class Scenario:
    stack: RealStack
    proxy: S3FaultProxy
    worker: WorkerProcess


@dataclass
class FaultRecord:
    fault: str
    at_image: int
    injected_s: float
    outage_s: float
    lost: int = 0
    duplicated: int = 0
    extra_s: float = 0.0
    steps_in_window: int = 0
    window_s: float = 0.0


@dataclass
class Fault:
    name: str
    after_images: int
    inject: Callable[[Scenario], None]


def _kill_worker(scenario: Scenario) -> None:
    scenario.worker.kill()
    scenario.worker = scenario.stack.start_worker()


def _restart_rabbitmq(scenario: Scenario) -> None:
    with rabbitmq_stopped(scenario.stack.broker_url):
        time.sleep(1.0)


def _restart_redis(scenario: Scenario) -> None:
    with redis_stopped(scenario.stack.redis_url):
        time.sleep(1.0)


def _restart_postgresql(scenario: Scenario) -> None:
    restart_postgresql(scenario.stack.database.url)


def _fail_storage(scenario: Scenario) -> None:
    with scenario.proxy.failing():
        time.sleep(STORAGE_OUTAGE_S)


FAULTS = (
    Fault("kill -9 worker (another started)", 20, _kill_worker),
    Fault("RabbitMQ restart", 55, _restart_rabbitmq),
    Fault("Redis restart", 90, _restart_redis),
    Fault("PostgreSQL restart", 125, _restart_postgresql),
    Fault(f"storage fails for {STORAGE_OUTAGE_S:.0f} s", 160, _fail_storage),
)


@pytest.fixture
def scenario(real_stack: RealStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Scenario]:
    with S3FaultProxy(real_stack.bucket.server.endpoint_url) as proxy:
        monkeypatch.setenv("IMAGINEAI_S3_ENDPOINT_URL", proxy.endpoint_url)
        for name, value in PRODUCTION_RETRY.items():
            monkeypatch.setenv(name, value)
        reload_stack_settings()
        yield Scenario(stack=real_stack, proxy=proxy, worker=real_stack.start_worker())


def _photos(count: int) -> list[Path]:
    return list(itertools.islice(itertools.cycle(PHOTOS), count))


def _seller(api: TestClient, stack: RealStack, label: str) -> tuple[ApiUser, list[uuid.UUID]]:
    """A new user with one product holding the 200 photos (uploaded, not analysed yet)."""
    user = register_and_login(api, f"{label}-{uuid.uuid4().hex[:8]}@example.com")
    owner = uuid.UUID(api.get("/api/v1/auth/me", headers=user.headers).json()["id"])
    product = api.post("/api/v1/products", json={"title": label}, headers=user.headers)
    assert product.status_code == 201, product.text
    with stack.session() as session:
        image_ids = seed_uploaded_images(
            session,
            get_storage(get_settings()),
            owner_id=owner,
            product_id=uuid.UUID(product.json()["id"]),
            photos=_photos(BATCH_SIZE),
        )
    return user, image_ids


def _start_batch(api: TestClient, user: ApiUser, image_ids: list[uuid.UUID]) -> uuid.UUID:
    created = api.post(
        "/api/v1/jobs", json={"image_ids": [str(i) for i in image_ids]}, headers=user.headers
    )
    assert created.status_code == 201, created.text
    return uuid.UUID(created.json()["id"])


def _finished(stack: RealStack, job_id: uuid.UUID) -> int | None:
    """Images finished so far, or ``None`` while the database does not answer."""
    try:
        with stack.session() as session:
            _, _, processed, failed = job_counters(session, job_id)
    except DBAPIError:
        return None
    return processed + failed


def _completed_steps(stack: RealStack, job_id: uuid.UUID) -> int | None:
    """Pipeline steps completed so far (the unit of work: an image that a fault cut off
    half-way only has its remaining steps left), or ``None`` while the database is away."""
    try:
        with stack.session() as session:
            return int(
                session.scalar(
                    select(func.count()).where(
                        JobStep.job_id == job_id, JobStep.status == StepStatus.COMPLETED
                    )
                )
                or 0
            )
    except DBAPIError:
        return None


def _wait_for_job_end(api: TestClient, user: ApiUser, job_id: uuid.UUID) -> dict[str, Any]:
    return wait_for_job(api, user.headers, str(job_id), timeout_s=JOB_TIMEOUT_S)


def _run_baseline(api: TestClient, stack: RealStack) -> float:
    """Seconds per pipeline step without faults, over the steady middle of a batch of the same
    size (from 10 % to 90 % of its steps: no model loading, no ramp-down)."""
    user, image_ids = _seller(api, stack, "baseline")
    started = time.monotonic()
    job_id = _start_batch(api, user, image_ids)
    samples: list[tuple[float, int]] = []
    total_steps = BATCH_SIZE * STEPS_PER_IMAGE
    while (done := _completed_steps(stack, job_id) or 0) < total_steps:
        samples.append((time.monotonic() - started, done))
        assert time.monotonic() - started < JOB_TIMEOUT_S, "the baseline batch did not finish"
        time.sleep(0.05)
    job = _wait_for_job_end(api, user, job_id)
    assert job["status"] == "completed", job
    low, high = total_steps // 10, total_steps - total_steps // 10
    reached_low = next(t for t, n in samples if n >= low)
    reached_high = next(t for t, n in samples if n >= high)
    return (reached_high - reached_low) / (high - low)


def _inject_faults(scenario: Scenario, job_id: uuid.UUID, started: float) -> list[FaultRecord]:
    records: list[FaultRecord] = []
    for fault in FAULTS:
        target = fault.after_images

        def reached(at_least: int = target) -> bool:
            return (_finished(scenario.stack, job_id) or 0) >= at_least

        wait_until(
            reached,
            timeout_s=JOB_TIMEOUT_S,
            interval_s=0.05,
            what=f"{fault.after_images} finished images before '{fault.name}'",
        )
        at_image = _finished(scenario.stack, job_id) or 0
        assert at_image < BATCH_SIZE, f"the batch ended before '{fault.name}'"
        injected = time.monotonic()
        fault.inject(scenario)
        records.append(
            FaultRecord(
                fault=fault.name,
                at_image=at_image,
                injected_s=round(injected - started, 2),
                outage_s=round(time.monotonic() - injected, 2),
            )
        )
    return records


def _first_exposure(
    records: list[FaultRecord], started: float, steps: list[JobStep], epoch: float
) -> int | None:
    """Index of the first fault injected while the image was unfinished (None: never)."""
    starts = [s.started_at.timestamp() for s in steps if s.started_at is not None]
    ends = [s.completed_at.timestamp() for s in steps if s.completed_at is not None]
    if not starts:
        return 0
    began = min(starts) - epoch
    done = max(ends) - epoch if len(ends) == len(steps) else float("inf")
    for index, record in enumerate(records):
        at = record.injected_s + started
        if began <= at <= done:
            return index
    return None


def _attribute(
    scenario: Scenario,
    job_id: uuid.UUID,
    records: list[FaultRecord],
    started: float,
    events: list[dict[str, Any]],
) -> None:
    """Charge each lost or duplicated image to the first fault that hit it while unfinished."""
    # Wall-clock step times against this process's monotonic clock.
    epoch = time.time() - time.monotonic()
    with scenario.stack.session() as session:
        problems = image_problems(session, job_id, events=events)
        steps = list(session.scalars(select(JobStep).where(JobStep.job_id == job_id)))
    by_image: dict[uuid.UUID, list[JobStep]] = {}
    for step in steps:
        assert step.product_image_id is not None
        by_image.setdefault(step.product_image_id, []).append(step)
    for image_id, problem in problems.items():
        index = _first_exposure(records, started, by_image.get(image_id, []), epoch)
        record = records[index if index is not None else 0]
        if problem == "lost":
            record.lost += 1
        else:
            record.duplicated += 1


def _extra_seconds(
    records: list[FaultRecord], steps_log: list[tuple[float, int]], seconds_per_step: float
) -> None:
    """Each fault's window (its injection to the next one, or to the last step) minus the
    baseline time for the pipeline steps completed in it."""
    ends = [r.injected_s for r in records[1:]] + [steps_log[-1][0]]
    for record, end in zip(records, ends, strict=True):
        in_window = [n for t, n in steps_log if record.injected_s <= t <= end]
        steps = (max(in_window) - min(in_window)) if in_window else 0
        record.steps_in_window = steps
        record.window_s = round(end - record.injected_s, 2)
        record.extra_s = round(record.window_s - steps * seconds_per_step, 1)


@dataclass
class ProgressLog:
    """Completed-step counts over time, sampled by a background thread."""

    samples: list[tuple[float, int]] = field(default_factory=list)


def _sample_progress(
    stack: RealStack, job_id: uuid.UUID, started: float, log: ProgressLog, stop: threading.Event
) -> None:
    while not stop.is_set():
        done = _completed_steps(stack, job_id)
        if done is not None:
            log.samples.append((round(time.monotonic() - started, 2), done))
        time.sleep(0.1)


def _table(records: list[FaultRecord], baseline_s: float, total_s: float) -> str:
    lines = [
        f"{'fault':<34} {'at image':>8} {'outage s':>8} {'lost':>5} {'dup':>5} {'extra s':>8}",
    ]
    lines += [
        f"{r.fault:<34} {r.at_image:>8} {r.outage_s:>8.1f} {r.lost:>5} {r.duplicated:>5} "
        f"{r.extra_s:>8.1f}"
        for r in records
    ]
    lines.append(
        f"batch of {BATCH_SIZE}: {total_s:.1f} s with the faults, "
        f"{baseline_s * BATCH_SIZE:.1f} s without ({baseline_s * 1000:.0f} ms per image)"
    )
    return "\n".join(lines)


def test_two_hundred_photos_through_five_faults_are_analysed_exactly_once(
    scenario: Scenario, report_dir: Path
) -> None:
    stack = scenario.stack
    with TestClient(create_app(get_settings())) as api:
        seconds_per_step = _run_baseline(api, stack)
        user, image_ids = _seller(api, stack, "faults")
        progress = ProgressLog()
        stop = threading.Event()
        with (
            api.websocket_connect(f"/ws?token={user.access_token}") as socket,
            LiveEvents(socket) as live,
        ):
            live.wait_for(lambda e: e["type"] == "heartbeat", timeout_s=30, what="a heartbeat")
            started = time.monotonic()
            job_id = _start_batch(api, user, image_ids)
            sampler = threading.Thread(
                target=_sample_progress, args=(stack, job_id, started, progress, stop), daemon=True
            )
            sampler.start()
            try:
                records = _inject_faults(scenario, job_id, started)
                job = _wait_for_job_end(api, user, job_id)
            finally:
                stop.set()
                sampler.join(timeout=5)
            total_s = time.monotonic() - started
            live.wait_for(
                lambda e: e["type"] == "job.completed" and e["job_id"] == str(job_id),
                timeout_s=60,
                what="the job's completion event",
            )
            events = live.events()
        dashboard = api.get("/api/v1/dashboard/stats", headers=user.headers).json()

    with stack.session() as session:
        audit = audit_job(session, job_id, events=events)
    _attribute(scenario, job_id, records, started, events)
    _extra_seconds(records, progress.samples, seconds_per_step)
    seconds_per_image = seconds_per_step * STEPS_PER_IMAGE
    print()
    print(_table(records, seconds_per_image, total_s))
    print(audit.line("whole batch"))
    print(f"storage requests refused during the outage: {scenario.proxy.refused}")
    (report_dir / "fault-scenario.json").write_text(
        json.dumps(
            {
                "batch": BATCH_SIZE,
                "seconds_with_faults": round(total_s, 1),
                "seconds_per_image_baseline": round(seconds_per_image, 4),
                "faults": [asdict(r) for r in records],
                "audit": asdict(audit),
                "storage_requests_refused": scenario.proxy.refused,
            },
            indent=2,
        )
    )

    assert scenario.proxy.refused > 0, "no storage request met the outage"
    assert job["status"] == "completed", job
    assert (job["total_images"], job["processed_images"], job["failed_images"]) == (
        BATCH_SIZE,
        BATCH_SIZE,
        0,
    )
    assert audit.lost == 0, audit
    assert audit.duplicated == 0, audit
    assert all(r.lost == 0 and r.duplicated == 0 for r in records), records
    assert dashboard["images_analyzed"] == BATCH_SIZE, dashboard
