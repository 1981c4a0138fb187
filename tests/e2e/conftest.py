"""Browser tests: real servers on free ports, driven by Debian's chromium through Playwright."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from tests.django_app.support import AdminDatabase, admin_database, pointed_at
from tests.support.services import service_unavailable

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
SERVER_START_TIMEOUT_S = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerThread:
    """A uvicorn server in a daemon thread, stopped when the test is over."""

    def __init__(self, app: Any, port: int) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_config=None, lifespan="on", access_log=False
        )
        self.server = uvicorn.Server(config)
        self.url = f"http://127.0.0.1:{port}"
        self._thread = threading.Thread(target=self.server.run, name=f"uvicorn-{port}", daemon=True)

    def __enter__(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on {self.url} did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture
def chromium_path() -> str:
    if shutil.which(CHROMIUM) is None:
        service_unavailable("chromium", f"{CHROMIUM} is missing (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture
def admin_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AdminDatabase]:
    api_port = free_port()
    # Thumbnails are signed URLs to the API's download route, so the API must be reachable.
    monkeypatch.setenv("IMAGINEAI_PUBLIC_BASE_URL", f"http://127.0.0.1:{api_port}")
    monkeypatch.setenv("IMAGINEAI_API_PORT", str(api_port))
    database = admin_database(request.config)
    with pointed_at(database, tmp_path / "storage"):
        yield database
