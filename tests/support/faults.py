"""Faults for the soak tests, each undone in a ``finally`` block (the services are shared with
other engineers and with CI).

- :class:`S3FaultProxy`: a TCP proxy on a loopback port in front of the S3-protocol server. The
  stack's ``IMAGINEAI_S3_ENDPOINT_URL`` points at it; :meth:`S3FaultProxy.failing` cuts every
  open connection and answers each new request ``503 ServiceUnavailable`` (what S3 answers when
  it cannot serve) for as long as it lasts, so every storage read and write fails and nothing
  else does. Test-only: nothing in the application knows about it. Presigned URLs keep working
  through it, since the ``Host`` they were signed for is the proxy's own.
- :func:`postgresql_restarted`: ``pg_ctlcluster --skip-systemctl-redirect <version> main
  restart``, then waits until the server answers a query; starts the cluster if it is down.
- :func:`process_tree_rss`: resident memory of a process and its children (a worker's pool).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from sqlalchemy import create_engine, text

from backend.shared.config import normalize_database_url
from tests.support.real_stack import ServiceControlError, ServiceRestoreError

POSTGRESQL_CONFIG_DIR = Path("/etc/postgresql")
POSTGRESQL_TIMEOUT_S = 90.0
PIPE_CHUNK_BYTES = 64 * 1024
S3_UNAVAILABLE = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/xml\r\n"
    b"Connection: close\r\n"
    b"Content-Length: 137\r\n\r\n"
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>'
    b"<Message>Injected storage fault</Message></Error>\n"
)


class S3FaultProxy:
    """Forwards loopback TCP connections to the S3 server, or refuses them while failing."""

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._failing = threading.Event()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self.refused = 0

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> S3FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._closed.set()
        self._thread.join(timeout=2)
        self._listener.close()
        self._cut_open_connections()

    @contextlib.contextmanager
    def failing(self) -> Iterator[None]:
        """Storage fails (cut connections, then 503 to every request) until the block ends."""
        self._failing.set()
        self._cut_open_connections()
        try:
            yield
        finally:
            self._failing.clear()

    def _cut_open_connections(self) -> None:
        with self._lock:
            doomed, self._open = list(self._open), set()
        for connection in doomed:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        if self._failing.is_set():
            self._refuse(client)
            return
        try:
            upstream = socket.create_connection(self._upstream, timeout=10)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        with self._lock:
            self._open.update((client, upstream))
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        self._pipe(client, upstream)

    def _refuse(self, client: socket.socket) -> None:
        self.refused += 1
        client.settimeout(1.0)
        with contextlib.suppress(OSError):
            received = b""
            while b"\r\n\r\n" not in received and len(received) < PIPE_CHUNK_BYTES:
                chunk = client.recv(4096)
                if not chunk:
                    break
                received += chunk
            client.sendall(S3_UNAVAILABLE)
        client.close()

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(PIPE_CHUNK_BYTES):
                target.sendall(chunk)
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
        with self._lock:
            self._open.discard(source)
            self._open.discard(target)


def postgresql_version() -> str:
    versions = sorted(p.name for p in POSTGRESQL_CONFIG_DIR.iterdir() if p.is_dir())
    if not versions:
        raise ServiceControlError(f"no PostgreSQL cluster configured under {POSTGRESQL_CONFIG_DIR}")
    return versions[-1]


def _pg_ctlcluster(action: str) -> None:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", postgresql_version(), "main", action]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=POSTGRESQL_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServiceControlError(f"{' '.join(command)}: {exc}") from exc
    if done.returncode != 0:
        raise ServiceControlError(f"{' '.join(command)}: {(done.stderr or done.stdout)[-300:]}")


def postgresql_answers(database_url: str) -> bool:
    engine = create_engine(
        normalize_database_url(database_url), connect_args={"connect_timeout": 2}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means "not answering yet"
        return False
    finally:
        engine.dispose()
    return True


def wait_for_postgresql(database_url: str, timeout_s: float = POSTGRESQL_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not postgresql_answers(database_url):
        if time.monotonic() > deadline:
            raise ServiceRestoreError(f"PostgreSQL did not answer within {timeout_s:.0f} s")
        time.sleep(0.2)


def restart_postgresql(database_url: str) -> None:
    """Restart the local cluster (every connection to it drops) and wait until it answers;
    whatever happens, the cluster is running again afterwards."""
    try:
        _pg_ctlcluster("restart")
    finally:
        if not postgresql_answers(database_url):
            with contextlib.suppress(ServiceControlError):
                _pg_ctlcluster("start")
        wait_for_postgresql(database_url)


def process_tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every process below it."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total
