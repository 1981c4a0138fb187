"""``make bench`` (workers): images/second from confirm to completed for a batch of real photos
run through the queue, next to in-process ``analyze`` of the same photos.

The clock runs from the moment the batch job is created and queued (what confirming does for
one image) until the job's row says it is finished. The ratio shows what the queue, the
per-step bookkeeping and the storage reads cost on top of the models.

Two stacks, printed in the output:

- **real**, when ``IMAGINEAI_BROKER_URL`` names a reachable broker: one
  ``imagineai worker --concurrency 2`` process on the configured broker, database, storage and
  event bus (nothing else should consume the same queues meanwhile). The user, rows and
  objects the bench made are removed afterwards.
- **embedded** otherwise: a throw-away SQLite database and image folder, the in-memory
  transport, and the worker as 2 threads of this process (as ``imagineai up`` runs it).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from celery.exceptions import SecurityWarning
from kombu import Connection
from sqlalchemy import delete, select

from backend.domain.images import repository as images_repository
from backend.domain.jobs import service as jobs_service
from backend.domain.products import repository as products_repository
from backend.domain.users import service as users_service
from backend.ml.cli import ANALYZE_BATCH
from backend.ml.inference import AnalyzeOptions, analyze, analyze_many
from backend.shared.config import Settings, get_settings
from backend.shared.db.enums import JobStatus, UploadStatus
from backend.shared.db.migrate import upgrade
from backend.shared.db.models import ProcessingJob, Product, ProductImage, User
from backend.shared.db.session import reset_engine, session_scope
from backend.shared.images import validate_image
from backend.shared.logging import configure_logging
from backend.shared.pubsub.factory import get_event_bus
from backend.shared.storage.base import ImageStorage
from backend.shared.storage.factory import clear_storage_cache, get_storage, image_key
from backend.workers.celery_app import DEFAULT_QUEUE, ML_QUEUE, get_celery_app
from backend.workers.dispatcher import get_dispatcher

PHOTOS = Path(__file__).resolve().parents[2] / "tests" / "data" / "photos"
BATCH_SIZE = 200
WARM_UP_IMAGES = 2  # one per pool process: each loads its models before the clock starts
WORKER_CONCURRENCY = 2
AIM_RATIO = 0.8
POLL_S = 0.05
JOB_TIMEOUT_S = 900.0
WORKER_START_TIMEOUT_S = 60.0
WORKER_STOP_GRACE_S = 10.0
WORKER_READY_MARKER = " ready."


WorkerRunner = Callable[[], AbstractContextManager[None]]


@dataclass(frozen=True, slots=True)
class Throughput:
    label: str
    images: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.images / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True, slots=True)
class SeededBatch:
    owner_id: uuid.UUID
    image_ids: list[uuid.UUID]
    keys: list[str]


def main() -> None:
    configure_logging(get_settings().model_copy(update={"log_level": "ERROR"}))
    # The in-process worker warns when run as root (containers, CI); the figures do not care.
    warnings.filterwarnings("ignore", category=SecurityWarning)
    load_before = os.getloadavg()[0]
    photos = list(itertools.islice(itertools.cycle(_photo_files()), BATCH_SIZE))
    one_by_one = _in_process_one_by_one(photos)
    batched = _in_process_batched(photos)
    broker_problem = _broker_problem(get_settings())
    if broker_problem is None:
        stack = _describe_real(get_settings())
        pipeline = _run_pipeline(photos, worker=_worker_process)
    else:
        with _embedded_settings() as folder:
            stack = f"embedded (SQLite and images under {folder}; {broker_problem})"
            pipeline = _run_pipeline(photos, worker=_worker_threads)
    _print_table(stack, [one_by_one, batched, pipeline], pipeline, one_by_one, batched)
    # Other work on the machine skews every figure: say how busy it was.
    print(
        f"load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
        f"on {len(os.sched_getaffinity(0))} cores"
    )


def _photo_files() -> list[Path]:
    files = sorted(path for path in PHOTOS.iterdir() if path.suffix in {".jpg", ".png"})
    if not files:
        raise SystemExit(f"no photos in {PHOTOS}")
    return files


def _in_process_one_by_one(photos: Sequence[Path]) -> Throughput:
    payloads = [photo.read_bytes() for photo in photos]
    analyze(payloads[0])
    started = time.perf_counter()
    for payload in payloads:
        analyze(payload, AnalyzeOptions(image_id=str(uuid.uuid4())))
    return Throughput("in-process analyze(), one by one", len(payloads), _since(started))


def _in_process_batched(photos: Sequence[Path]) -> Throughput:
    payloads = [photo.read_bytes() for photo in photos]
    options = AnalyzeOptions(include_heatmap=False)
    analyze_many(payloads[:ANALYZE_BATCH], options)
    started = time.perf_counter()
    for start in range(0, len(payloads), ANALYZE_BATCH):
        analyze_many(payloads[start : start + ANALYZE_BATCH], options)
    label = f"in-process `imagineai analyze` (batches of {ANALYZE_BATCH})"
    return Throughput(label, len(payloads), _since(started))


def _run_pipeline(photos: Sequence[Path], *, worker: WorkerRunner) -> Throughput:
    settings = get_settings()
    storage = get_storage(settings)
    seeded = _seed(storage, photos)
    try:
        with worker():
            _run_batch(seeded.owner_id, seeded.image_ids[:WARM_UP_IMAGES])
            seconds, status = _run_batch(seeded.owner_id, seeded.image_ids)
    finally:
        _remove(storage, seeded)
    if status != JobStatus.COMPLETED:
        raise SystemExit(f"the benchmark batch ended {status}, not completed")
    label = f"queue pipeline, 1 worker, concurrency {WORKER_CONCURRENCY}"
    return Throughput(label, len(photos), seconds)


def _seed(storage: ImageStorage, photos: Sequence[Path]) -> SeededBatch:
    """A throw-away user with the photos uploaded and confirmed (rows ``uploaded``)."""
    with session_scope() as session:
        user = users_service.create(
            session,
            email=f"bench-{uuid.uuid4().hex[:12]}@example.com",
            password=secrets.token_urlsafe(24),
            full_name="make bench",
        )
        product = products_repository.add(session, Product(user_id=user.id, title="Benchmark"))
        image_ids: list[uuid.UUID] = []
        keys: list[str] = []
        for photo in photos:
            validated = validate_image(photo)
            image_id = uuid.uuid4()
            key = image_key(user.id, product.id, image_id, photo.name)
            with photo.open("rb") as stream:
                storage.put_stream(
                    key, stream, content_type=validated.content_type, max_bytes=validated.size_bytes
                )
            keys.append(key)
            images_repository.add(
                session,
                ProductImage(
                    id=image_id,
                    product_id=product.id,
                    s3_key=key,
                    s3_bucket=storage.bucket,
                    original_filename=photo.name,
                    content_type=validated.content_type,
                    file_size_bytes=validated.size_bytes,
                    width=validated.width,
                    height=validated.height,
                    upload_status=UploadStatus.UPLOADED,
                ),
            )
            image_ids.append(image_id)
        return SeededBatch(owner_id=user.id, image_ids=image_ids, keys=keys)


def _run_batch(owner_id: uuid.UUID, image_ids: Sequence[uuid.UUID]) -> tuple[float, str]:
    """Seconds from creating and queueing the batch until its job is finished, and how."""
    started = time.perf_counter()
    with session_scope() as session:
        job_id = jobs_service.create_batch(
            session, get_dispatcher(), owner_id=owner_id, image_ids=image_ids
        ).id
    deadline = started + JOB_TIMEOUT_S
    while True:
        with session_scope() as session:
            status = session.scalar(select(ProcessingJob.status).where(ProcessingJob.id == job_id))
        if status is not None and JobStatus(status).is_final:
            return _since(started), status
        if time.perf_counter() > deadline:
            raise SystemExit(f"the benchmark batch was still {status} after {JOB_TIMEOUT_S:.0f} s")
        time.sleep(POLL_S)


def _remove(storage: ImageStorage, seeded: SeededBatch) -> None:
    """Drop the bench user (its rows cascade) and the objects it stored."""
    with session_scope() as session:
        session.execute(delete(User).where(User.id == seeded.owner_id))
    for key in seeded.keys:
        with contextlib.suppress(Exception):
            storage.delete(key)


@contextlib.contextmanager
def _worker_process() -> Iterator[None]:
    """``imagineai worker --concurrency 2`` in its own process group, on this environment."""
    executable = Path(sys.executable).with_name("imagineai")
    with tempfile.TemporaryDirectory(prefix="imagineai-bench-worker-") as folder:
        log_path = Path(folder) / "worker.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # noqa: S603 - our own entry point, fixed arguments
                [str(executable), "worker", "--concurrency", str(WORKER_CONCURRENCY)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            _wait_ready(process, log_path)
            yield
        finally:
            _stop_group(process)


def _wait_ready(process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + WORKER_START_TIMEOUT_S
    while WORKER_READY_MARKER not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-20:])
            raise SystemExit(f"the worker did not start:\n{tail}")
        time.sleep(0.1)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    for stop_signal in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, stop_signal)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=WORKER_STOP_GRACE_S)


@contextlib.contextmanager
def _worker_threads() -> Iterator[None]:
    """The embedded worker: a threads pool of this process on the in-memory transport."""
    worker: Any = get_celery_app().Worker(
        pool="threads",
        concurrency=WORKER_CONCURRENCY,
        queues=[ML_QUEUE, DEFAULT_QUEUE],
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        hostname="bench@localhost",
        loglevel="ERROR",
        quiet=True,
    )
    thread = threading.Thread(target=worker.start, name="bench-worker", daemon=True)
    thread.start()
    try:
        yield
    finally:
        worker.stop(in_sighandler=False)
        thread.join(timeout=WORKER_STOP_GRACE_S)


@contextlib.contextmanager
def _embedded_settings() -> Iterator[Path]:
    """Settings for a throw-away embedded stack in a temporary folder, restored afterwards."""
    with tempfile.TemporaryDirectory(prefix="imagineai-bench-") as name:
        folder = Path(name)
        overrides = {
            "IMAGINEAI_VAR_DIR": str(folder),
            "IMAGINEAI_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
            "IMAGINEAI_STORAGE_BACKEND": "local",
            "IMAGINEAI_LOCAL_STORAGE_DIR": str(folder / "storage"),
            "IMAGINEAI_BROKER_URL": "",
            "IMAGINEAI_REDIS_URL": "",
        }
        # Settings are read from the environment only (backend/shared/config.py): the
        # throw-away stack is chosen there, and the caller's environment comes back after.
        with mock.patch.dict(os.environ, overrides):
            _forget_cached_services()
            upgrade("head")
            try:
                yield folder
            finally:
                _forget_cached_services()
        _forget_cached_services()


def _forget_cached_services() -> None:
    get_settings.cache_clear()
    reset_engine()
    clear_storage_cache()
    get_event_bus.cache_clear()
    get_celery_app.cache_clear()


def _broker_problem(settings: Settings) -> str | None:
    """``None`` when the configured broker answers, else why the embedded stack is used."""
    if not settings.broker_url:
        return "IMAGINEAI_BROKER_URL is not set"
    try:
        with Connection(settings.broker_url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any failure means "use the embedded stack"
        return f"broker unreachable: {exc}"
    return None


def _describe_real(settings: Settings) -> str:
    database = "PostgreSQL" if not settings.is_sqlite else "SQLite"
    events = "Redis" if settings.redis_url else "in-process"
    return (
        f"real ({_without_password(settings.broker_url or '')}, {database}, "
        f"{settings.storage_backend} storage, {events} events)"
    )


def _without_password(url: str) -> str:
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if at else url


def _print_table(
    stack: str,
    rows: Sequence[Throughput],
    pipeline: Throughput,
    one_by_one: Throughput,
    batched: Throughput,
) -> None:
    width = max(len(row.label) for row in rows)
    print(f"end-to-end throughput, confirm -> completed, {pipeline.images} real photos")
    print(f"stack: {stack}")
    print(f"{'':<{width}}  {'images':>6}  {'seconds':>8}  {'images/s':>8}")
    for row in rows:
        print(f"{row.label:<{width}}  {row.images:>6}  {row.seconds:>8.2f}  {row.per_second:>8.2f}")
    ratio = pipeline.per_second / one_by_one.per_second
    ratio_batched = pipeline.per_second / batched.per_second
    verdict = "meets" if ratio >= AIM_RATIO else "below"
    print(
        f"ratio queue / in-process analyze(): {ratio:.2f} ({verdict} the aim of {AIM_RATIO:.2f}); "
        f"queue / `imagineai analyze`: {ratio_batched:.2f}"
    )


def _since(started: float) -> float:
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
