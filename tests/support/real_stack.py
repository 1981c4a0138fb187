"""The real-mode stack for a test: RabbitMQ, Redis, PostgreSQL, an S3-protocol server, and real
``imagineai worker`` processes.

- RabbitMQ: one fresh vhost per test session (``rabbitmqctl add_vhost``, permissions for the
  broker URL's user, ``delete_vhost`` at the end), so concurrent test runs on the same broker
  never take each other's messages. Needs ``rabbitmqctl`` and the right to run it (root here
  and in CI).
- Redis: ``settings.test_redis_url`` (a test database index; pub/sub channels are per user id).
- PostgreSQL: the ``pg`` fixture's throw-away database. S3: the ``s3_bucket`` fixture.
- Workers: ``.venv/bin/imagineai worker`` subprocesses, each in its own process group (so
  ``kill -9`` takes the pool children too), each with ``PGAPPNAME`` set so its database
  connections can be found (and terminated) in ``pg_stat_activity``.

The :func:`real_stack` fixture points the test process's own settings, engine, storage, event
bus, rate limiter and Celery app at the same stack, and restores all of them afterwards.
Every fixture here skips when a service is missing, and fails instead under
``IMAGINEAI_REQUIRE_SERVICES=1``. Make the fixtures visible from a conftest.py::

    from tests.support.real_stack import rabbitmq_broker_url, real_stack, redis_test_url

Service control (:func:`rabbitmq_stopped`, :func:`redis_stopped`,
:func:`terminate_backends`) acts on services other engineers share: each always restores what
it stopped, in a ``finally`` block.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

import pytest
import redis
from kombu import Connection
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session
from starlette.testclient import WebSocketTestSession

from backend.domain.analysis.recording import DEFECT_STEP_ATTRIBUTES
from backend.domain.images import repository as images_repository
from backend.shared.config import get_settings, normalize_database_url
from backend.shared.db.enums import AnalysisStatus, StepName, StepStatus, UploadStatus
from backend.shared.db.models import (
    AnalysisResult,
    DetectedDefect,
    ExtractedAttribute,
    JobStep,
    ProcessingJob,
    ProductImage,
)
from backend.shared.db.session import reset_engine
from backend.shared.images import validate_image
from backend.shared.pubsub.factory import get_event_bus
from backend.shared.ratelimit import get_rate_limiter
from backend.shared.storage.base import ImageStorage
from backend.shared.storage.factory import clear_storage_cache, image_key
from backend.workers.celery_app import DEFAULT_QUEUE, ML_QUEUE, get_celery_app
from tests.support.s3_server import S3Bucket
from tests.support.services import service_unavailable

if TYPE_CHECKING:
    from tests.conftest import Database

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
IMAGINEAI = REPOSITORY_ROOT / ".venv" / "bin" / "imagineai"
WORKER_APPLICATION_NAME = "imagineai-test-worker"
WORKER_READY_MARKER = " ready."
WORKER_START_TIMEOUT_S = 60.0
WORKER_STOP_GRACE_S = 5.0
SERVICE_TIMEOUT_S = 60.0
REDIS_PORT = 6379
RABBITMQ_CTL_TIMEOUT_S = 90.0

# Test tuning of the stack: short retry back-off so a retried step finishes within seconds,
# fast WebSocket heartbeats so a test's reads never block long, and sign-up limits high
# enough for many users from the one TestClient address (the limiter lives in shared Redis).
STACK_SETTINGS = {
    "IMAGINEAI_RETRY_BACKOFF_BASE_SECONDS": "0.2",
    "IMAGINEAI_RETRY_BACKOFF_MAX_SECONDS": "2.0",
    "IMAGINEAI_WEBSOCKET_HEARTBEAT_SECONDS": "0.2",
    "IMAGINEAI_REGISTER_ATTEMPTS_PER_IP": "100000",
    "IMAGINEAI_LOGIN_ATTEMPTS_PER_IP": "100000",
    "IMAGINEAI_LOGIN_ATTEMPTS_PER_EMAIL": "100000",
}


class ServiceControlError(RuntimeError):
    """A service could not be stopped or reconfigured (a test may skip on this)."""


class ServiceRestoreError(RuntimeError):
    """A service a test stopped could not be started again (never a reason to skip)."""


# --- RabbitMQ -------------------------------------------------------------------------------


def rabbitmqctl(*arguments: str, timeout_s: float = RABBITMQ_CTL_TIMEOUT_S) -> str:
    try:
        done = subprocess.run(
            ["rabbitmqctl", *arguments],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceControlError(f"rabbitmqctl {' '.join(arguments)}: {exc}") from exc
    if done.returncode != 0:
        raise ServiceControlError(
            f"rabbitmqctl {' '.join(arguments)} exited with {done.returncode}: "
            f"{(done.stderr or done.stdout).strip()[-500:]}"
        )
    return done.stdout


def broker_url_for_vhost(base_url: str, vhost: str) -> str:
    return urlsplit(base_url)._replace(path="/" + quote(vhost, safe="")).geturl()


def broker_reachable(url: str) -> str | None:
    """``None`` when the broker accepts a connection, else the reason."""
    try:
        with Connection(url, connect_timeout=3) as connection:
            connection.ensure_connection(max_retries=1)
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return str(exc) or type(exc).__name__
    return None


def wait_for_broker(url: str, timeout_s: float = SERVICE_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while (reason := broker_reachable(url)) is not None:
        if time.monotonic() > deadline:
            raise ServiceControlError(f"RabbitMQ did not come back in {timeout_s:.0f} s: {reason}")
        time.sleep(0.2)


@contextlib.contextmanager
def rabbitmq_vhost(base_url: str) -> Iterator[str]:
    """A new vhost with full permissions for the URL's user; the broker URL into it."""
    vhost = f"imagineai-test-{uuid.uuid4().hex[:12]}"
    user = unquote(urlsplit(base_url).username or "guest")
    rabbitmqctl("add_vhost", vhost)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*")
        yield broker_url_for_vhost(base_url, vhost)
    finally:
        rabbitmqctl("delete_vhost", vhost)


@contextlib.contextmanager
def rabbitmq_stopped(broker_url: str) -> Iterator[None]:
    """The RabbitMQ application stopped (``stop_app``); always started again afterwards."""
    rabbitmqctl("stop_app")
    try:
        yield
    finally:
        try:
            rabbitmqctl("start_app")
            rabbitmqctl("await_startup")
            wait_for_broker(broker_url)
        except ServiceControlError as exc:
            raise ServiceRestoreError(f"RabbitMQ did not start again: {exc}") from exc


def purge_queues(broker_url: str) -> None:
    """Drop messages a test left behind in its vhost (the next test starts from empty)."""
    with contextlib.suppress(Exception), Connection(broker_url, connect_timeout=3) as connection:
        for queue in (ML_QUEUE, DEFAULT_QUEUE):
            # A queue that does not exist yet closes its channel: one channel per queue.
            with contextlib.suppress(Exception), connection.channel() as channel:
                purger: Any = channel
                purger.queue_purge(queue)


# --- Redis ----------------------------------------------------------------------------------


def redis_reachable(url: str) -> str | None:
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        return str(exc)
    finally:
        client.close()
    return None


def _wait_for_redis(url: str, *, up: bool, timeout_s: float = SERVICE_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while (redis_reachable(url) is None) != up:
        if time.monotonic() > deadline:
            raise ServiceControlError(f"Redis still {'down' if up else 'up'} after {timeout_s} s")
        time.sleep(0.1)


@contextlib.contextmanager
def redis_stopped(url: str, port: int = REDIS_PORT) -> Iterator[None]:
    """Redis shut down (no save); always started again afterwards, on the same port."""
    for tool in ("redis-cli", "redis-server"):
        if shutil.which(tool) is None:
            raise ServiceControlError(f"{tool} is not installed")
    subprocess.run(
        ["redis-cli", "-p", str(port), "shutdown", "nosave"],
        capture_output=True,
        timeout=SERVICE_TIMEOUT_S,
        check=False,
    )
    try:
        _wait_for_redis(url, up=False)
        yield
    finally:
        _start_redis(url, port)


def _start_redis(url: str, port: int) -> None:
    try:
        if redis_reachable(url) is not None:
            subprocess.run(
                [
                    "redis-server",
                    "--daemonize",
                    "yes",
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ],
                capture_output=True,
                timeout=SERVICE_TIMEOUT_S,
                check=True,
            )
        _wait_for_redis(url, up=True)
    except (OSError, subprocess.SubprocessError, ServiceControlError) as exc:
        raise ServiceRestoreError(f"Redis did not start again: {exc}") from exc


# --- PostgreSQL -----------------------------------------------------------------------------


def terminate_backends(database_url: str, application_name: str) -> int:
    """``pg_terminate_backend`` on the connections of ``application_name`` (a prefix) that are
    inside a statement or a transaction right now; returns how many were terminated."""
    engine = create_engine(normalize_database_url(database_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            terminated = connection.scalar(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND application_name LIKE :prefix "
                    "AND state IN ('active', 'idle in transaction')"
                ),
                {"prefix": f"{application_name}%"},
            )
    finally:
        engine.dispose()
    return int(terminated or 0)


# --- workers --------------------------------------------------------------------------------


@dataclass
class WorkerProcess:
    """One ``imagineai worker`` process (and its pool children), in its own process group."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log().splitlines()[-lines:])

    def wait_ready(self, timeout_s: float = WORKER_START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while WORKER_READY_MARKER not in self.log():
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"worker {self.name} exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {self.name} not ready in {timeout_s:.0f} s")
            time.sleep(0.1)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """``kill -9`` the worker and its pool children at once."""
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=WORKER_STOP_GRACE_S)

    def stop(self) -> None:
        """Warm shutdown, then ``kill -9`` whatever is left of the group."""
        if self.alive:
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=WORKER_STOP_GRACE_S)
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=WORKER_STOP_GRACE_S)

    def _signal_group(self, signal_number: signal.Signals) -> None:
        # The group id is the worker's pid (start_new_session); children stay in it even
        # after the leader is gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal_number)


@dataclass
class RealStack:
    database: Database
    broker_url: str
    redis_url: str
    bucket: S3Bucket
    log_dir: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    def settings_env(self) -> dict[str, str]:
        return {
            "IMAGINEAI_DATABASE_URL": self.database.url,
            "IMAGINEAI_BROKER_URL": self.broker_url,
            "IMAGINEAI_REDIS_URL": self.redis_url,
            **self.bucket.server.settings_env(self.bucket.name),
            **STACK_SETTINGS,
        }

    def start_worker(self, *, concurrency: int = 2, wait: bool = True) -> WorkerProcess:
        """Start ``imagineai worker`` with this stack's settings (the current environment)."""
        name = f"w{len(self.workers) + 1}"
        log_path = self.log_dir / f"worker-{name}.log"
        env = {**os.environ, "PGAPPNAME": f"{WORKER_APPLICATION_NAME}-{name}"}
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(IMAGINEAI), "worker", "--concurrency", str(concurrency)],
                cwd=REPOSITORY_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = WorkerProcess(name=name, process=process, log_path=log_path)
        self.workers.append(worker)
        if wait:
            worker.wait_ready()
        return worker

    def stop_workers(self) -> None:
        for worker in self.workers:
            worker.stop()

    def terminate_worker_connections(self) -> int:
        return terminate_backends(self.database.url, WORKER_APPLICATION_NAME)

    def session(self) -> Session:
        return Session(self.database.engine, expire_on_commit=False)


def _forget_cached_services() -> None:
    """Drop every process-wide object built from settings, so the next use rebuilds it."""
    get_settings.cache_clear()
    reset_engine()
    clear_storage_cache()
    get_event_bus.cache_clear()
    get_rate_limiter.cache_clear()
    get_celery_app.cache_clear()


def _close_stack_clients() -> None:
    if get_event_bus.cache_info().currsize:
        get_event_bus().close()
    if get_celery_app.cache_info().currsize:
        get_celery_app().close()


@pytest.fixture(scope="session")
def rabbitmq_broker_url() -> Iterator[str]:
    """A broker URL into a vhost of this test session only (deleted at the end)."""
    base_url = get_settings().test_broker_url
    reason = broker_reachable(base_url)
    if reason is not None:
        service_unavailable("RabbitMQ", reason)
    if shutil.which("rabbitmqctl") is None:
        service_unavailable("RabbitMQ control (rabbitmqctl)", "not installed")
    try:
        context = rabbitmq_vhost(base_url)
        url = context.__enter__()
    except ServiceControlError as exc:
        service_unavailable("RabbitMQ vhost for the tests", exc)
    try:
        yield url
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def redis_test_url() -> str:
    url = get_settings().test_redis_url
    reason = redis_reachable(url)
    if reason is not None:
        service_unavailable("Redis", reason)
    return url


@pytest.fixture
def real_stack(
    rabbitmq_broker_url: str,
    redis_test_url: str,
    pg: Database,
    s3_bucket: S3Bucket,
    tmp_path: Path,
) -> Iterator[RealStack]:
    """The real-mode stack, with this process's settings pointing at it; no worker yet."""
    stack = RealStack(
        database=pg,
        broker_url=rabbitmq_broker_url,
        redis_url=redis_test_url,
        bucket=s3_bucket,
        log_dir=tmp_path,
    )
    purge_queues(stack.broker_url)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in stack.settings_env().items():
            patch.setenv(name, value)
        _forget_cached_services()
        try:
            yield stack
        finally:
            stack.stop_workers()
            purge_queues(stack.broker_url)
            _close_stack_clients()
    _forget_cached_services()


# --- test data and checks -----------------------------------------------------------------


def seed_uploaded_images(
    session: Session,
    storage: ImageStorage,
    *,
    owner_id: uuid.UUID,
    product_id: uuid.UUID,
    photos: Sequence[Path],
) -> list[uuid.UUID]:
    """Images already uploaded and confirmed: the bytes in storage, the rows ``uploaded``
    (as the confirm step leaves them), without queueing an analysis for each."""
    image_ids: list[uuid.UUID] = []
    for photo in photos:
        validated = validate_image(photo)
        image_id = uuid.uuid4()
        key = image_key(owner_id, product_id, image_id, photo.name)
        with photo.open("rb") as stream:
            storage.put_stream(
                key, stream, content_type=validated.content_type, max_bytes=validated.size_bytes
            )
        images_repository.add(
            session,
            ProductImage(
                id=image_id,
                product_id=product_id,
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
    session.commit()
    return image_ids


@dataclass(frozen=True)
class JobAudit:
    """What a finished job lost or duplicated, from the database (and the live events)."""

    status: str
    total: int
    processed: int
    failed: int
    images_not_completed: int
    counters_short: int
    counters_over: int
    images_with_duplicate_rows: int
    steps_completed_twice: int
    retried_steps: int

    @property
    def lost(self) -> int:
        return self.images_not_completed + self.counters_short

    @property
    def duplicated(self) -> int:
        return self.counters_over + self.images_with_duplicate_rows + self.steps_completed_twice

    def line(self, label: str) -> str:
        return (
            f"{label}: lost={self.lost} duplicated={self.duplicated} "
            f"(status={self.status} total={self.total} processed={self.processed} "
            f"failed={self.failed} images_not_completed={self.images_not_completed} "
            f"counters_short={self.counters_short} counters_over={self.counters_over} "
            f"images_with_duplicate_rows={self.images_with_duplicate_rows} "
            f"steps_completed_twice={self.steps_completed_twice} "
            f"retried_steps={self.retried_steps})"
        )


def audit_job(
    session: Session,
    job_id: uuid.UUID,
    *,
    expected_failures: Sequence[uuid.UUID] = (),
    events: Sequence[dict[str, Any]] = (),
) -> JobAudit:
    """Lost: an image expected to succeed whose analysis or steps are not completed, or a
    counter short of the total. Duplicated: counters beyond the total, an image with more
    attribute/defect rows than its steps reported (or a repeated attribute name), more than
    one ``job_steps`` row per image and step, or more than one completed run of a step."""
    session.expire_all()
    job = session.get(ProcessingJob, job_id)
    assert job is not None, f"job {job_id} does not exist"
    steps = list(session.scalars(select(JobStep).where(JobStep.job_id == job_id)))
    by_image: dict[uuid.UUID, list[JobStep]] = {}
    for step in steps:
        assert step.product_image_id is not None
        by_image.setdefault(step.product_image_id, []).append(step)
    not_completed = 0
    duplicate_rows = 0
    completed_twice = 0
    for image_id, image_steps in by_image.items():
        analysis = session.scalar(
            select(AnalysisResult).where(AnalysisResult.product_image_id == image_id)
        )
        names = [step.step_name for step in image_steps]
        completed_twice += len(names) - len(set(names))
        if image_id not in expected_failures and (
            analysis is None
            or analysis.status != AnalysisStatus.COMPLETED
            or any(step.status != StepStatus.COMPLETED for step in image_steps)
        ):
            not_completed += 1
        if analysis is not None and _has_duplicate_rows(session, analysis.id, image_steps):
            duplicate_rows += 1
    completed_events: dict[tuple[str, str], int] = {}
    for event in events:
        if event.get("type") == "job.step" and event.get("status") == StepStatus.COMPLETED:
            key = (str(event["image_id"]), str(event["step"]))
            completed_events[key] = completed_events.get(key, 0) + 1
    completed_twice += sum(count - 1 for count in completed_events.values() if count > 1)
    finished = job.processed_images + job.failed_images
    return JobAudit(
        status=job.status,
        total=job.total_images,
        processed=job.processed_images,
        failed=job.failed_images,
        images_not_completed=not_completed,
        counters_short=max(0, job.total_images - finished),
        counters_over=max(0, finished - job.total_images),
        images_with_duplicate_rows=duplicate_rows,
        steps_completed_twice=completed_twice,
        retried_steps=sum(1 for step in steps if step.attempts > 1),
    )


def _has_duplicate_rows(
    session: Session, analysis_id: uuid.UUID, image_steps: Sequence[JobStep]
) -> bool:
    reported = {step.step_name: step.result_data or {} for step in image_steps}
    attribute_names = list(
        session.scalars(
            select(ExtractedAttribute.attribute_name).where(
                ExtractedAttribute.analysis_result_id == analysis_id
            )
        )
    )
    defects = session.scalar(
        select(func.count()).where(DetectedDefect.analysis_result_id == analysis_id)
    )
    if len(attribute_names) != len(set(attribute_names)):
        return True
    features = reported.get(StepName.EXTRACT_FEATURES, {})
    found = reported.get(StepName.DETECT_DEFECTS, {})
    if "attributes" in features and "defects" in found:
        from_features = [n for n in attribute_names if n not in DEFECT_STEP_ATTRIBUTES]
        if len(from_features) != int(features["attributes"]):
            return True
        if int(defects or 0) != int(found["defects"]):
            return True
    return False


def job_counters(session: Session, job_id: uuid.UUID) -> tuple[str, int, int, int]:
    """``(status, total, processed, failed)`` as committed right now."""
    row = session.execute(
        select(
            ProcessingJob.status,
            ProcessingJob.total_images,
            ProcessingJob.processed_images,
            ProcessingJob.failed_images,
        ).where(ProcessingJob.id == job_id)
    ).one()
    session.rollback()
    return str(row[0]), int(row[1]), int(row[2]), int(row[3])


def wait_until(
    condition: Callable[[], bool], *, timeout_s: float, interval_s: float = 0.02, what: str
) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval_s)


class LiveEvents:
    """Reads a WebSocket in a background thread and keeps every event with its arrival time
    (the socket's heartbeats keep each read short, so stopping never blocks long)."""

    def __init__(self, socket: WebSocketTestSession) -> None:
        self._socket = socket
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._received: list[tuple[float, dict[str, Any]]] = []
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> LiveEvents:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                event = self._socket.receive_json()
            except Exception:  # noqa: BLE001 - the socket closed: nothing more to read
                return
            with self._lock:
                self._received.append((time.monotonic(), event))

    def events(self, *, since: float = 0.0, with_heartbeats: bool = False) -> list[dict[str, Any]]:
        with self._lock:
            return [
                event
                for at, event in self._received
                if at >= since and (with_heartbeats or event.get("type") != "heartbeat")
            ]

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], *, timeout_s: float, what: str
    ) -> dict[str, Any]:
        found: list[dict[str, Any]] = []

        def seen() -> bool:
            found[:] = [e for e in self.events(with_heartbeats=True) if predicate(e)]
            return bool(found)

        wait_until(seen, timeout_s=timeout_s, interval_s=0.05, what=what)
        return found[0]


def image_problems(
    session: Session, job_id: uuid.UUID, *, events: Sequence[dict[str, Any]] = ()
) -> dict[uuid.UUID, str]:
    """Per image of the job, ``"lost"`` or ``"duplicated"`` by the rules of :func:`audit_job`
    (for telling which fault hit which image); images with neither are left out."""
    session.expire_all()
    steps = list(session.scalars(select(JobStep).where(JobStep.job_id == job_id)))
    by_image: dict[uuid.UUID, list[JobStep]] = {}
    for step in steps:
        assert step.product_image_id is not None
        by_image.setdefault(step.product_image_id, []).append(step)
    completed_events: dict[tuple[str, str], int] = {}
    for event in events:
        if event.get("type") == "job.step" and event.get("status") == StepStatus.COMPLETED:
            key = (str(event["image_id"]), str(event["step"]))
            completed_events[key] = completed_events.get(key, 0) + 1
    twice_by_events = {image for (image, _), count in completed_events.items() if count > 1}
    problems: dict[uuid.UUID, str] = {}
    for image_id, image_steps in by_image.items():
        analysis = session.scalar(
            select(AnalysisResult).where(AnalysisResult.product_image_id == image_id)
        )
        names = [step.step_name for step in image_steps]
        if (
            len(names) != len(set(names))
            or str(image_id) in twice_by_events
            or (analysis is not None and _has_duplicate_rows(session, analysis.id, image_steps))
        ):
            problems[image_id] = "duplicated"
        elif (
            analysis is None
            or analysis.status != AnalysisStatus.COMPLETED
            or any(step.status != StepStatus.COMPLETED for step in image_steps)
        ):
            problems[image_id] = "lost"
    return problems


def reload_stack_settings() -> None:
    """Rebuild settings and every client built from them (after a test changed variables)."""
    _forget_cached_services()
