"""``imagineai api`` as a real server process on a free loopback port (for load and memory
tests, which need a process of its own to measure and real HTTP in front of it), and the
memory measurements those tests make: resident memory sampled over time, and the cost of one
large upload."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from tests.support.faults import process_tree_rss
from tests.support.real_stack import IMAGINEAI, REPOSITORY_ROOT

START_TIMEOUT_S = 60.0
STOP_GRACE_S = 10.0
MEGABYTE = 1024 * 1024
PASSWORD = "a long passphrase"
SETTLE_S = 2.0


@dataclass(frozen=True)
class ApiProcess:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss(self) -> int:
        return process_tree_rss(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_api(env: Mapping[str, str], log_dir: Path) -> Iterator[ApiProcess]:
    """Start the API with ``env`` (the whole environment), wait for its health answer, and
    stop it (its process group) afterwards."""
    port = free_loopback_port()
    log_path = log_dir / "api.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(IMAGINEAI), "api", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPOSITORY_ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    api = ApiProcess(process=process, port=port, log_path=log_path)
    try:
        _wait_healthy(api)
        yield api
    finally:
        _stop(process)


def _wait_healthy(api: ApiProcess) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if api.process.poll() is not None:
            raise RuntimeError(f"the API exited with {api.process.returncode}:\n{api.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{api.base_url}/api/v1/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the API did not answer in {START_TIMEOUT_S:.0f} s:\n{api.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    for stop_signal in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, stop_signal)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_GRACE_S)


class RssSampler:
    """Resident memory (MB) of process trees, sampled in a thread until the block ends."""

    def __init__(self, pids: Mapping[str, int], interval_s: float) -> None:
        self._pids = dict(pids)
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.samples: list[dict[str, float]] = []

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _sample(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(self._interval_s):
            sample = {"t": round(time.monotonic() - started, 2)}
            sample |= {k: round(process_tree_rss(p) / MEGABYTE, 1) for k, p in self._pids.items()}
            self.samples.append(sample)

    def peak(self, name: str) -> float:
        return max((s[name] for s in self.samples), default=0.0)


@contextlib.contextmanager
def signed_in_client(api: ApiProcess, label: str) -> Iterator[httpx.Client]:
    """An HTTP client of a new user, with the access token set."""
    with httpx.Client(base_url=f"{api.base_url}/api/v1", timeout=120) as client:
        email = f"{label}-{uuid.uuid4().hex[:8]}@example.com"
        client.post("/auth/register", json={"email": email, "password": PASSWORD})
        token = client.post("/auth/login", json={"email": email, "password": PASSWORD}).json()
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        yield client


def noise_png(folder: Path, side: int = 4160) -> Path:
    """Random RGB pixels stored uncompressed: 4160 x 4160 is just under 50 MB."""
    pixels = np.random.default_rng(7).integers(0, 256, (side, side, 3), dtype=np.uint8)
    path = folder / f"noise-{side}.png"
    Image.fromarray(pixels).save(path, compress_level=0)
    return path


@dataclass(frozen=True)
class UploadMemory:
    upload_bytes: int
    status: int
    before: int
    peak: int
    after: int

    @property
    def growth(self) -> int:
        return self.after - self.before

    def line(self) -> str:
        size, before, peak, after, growth = (
            value / MEGABYTE
            for value in (self.upload_bytes, self.before, self.peak, self.after, self.growth)
        )
        return (
            f"{size:.1f} MB upload: API RSS {before:.0f} MB before, peak {peak:.0f} MB, "
            f"{after:.0f} MB after ({growth:+.1f} MB)"
        )


def measure_upload(api: ApiProcess, image: Path, sample_photo: Path) -> UploadMemory:
    """API resident memory around one upload of ``image`` (streamed from disk), after a small
    upload has loaded the code paths; peak sampled every 20 ms."""
    with signed_in_client(api, "upload-memory") as client:
        product = client.post("/products", json={"title": "Poster"}).json()["id"]
        warm = client.post(
            f"/products/{product}/images",
            files={"file": (sample_photo.name, sample_photo.read_bytes())},
        )
        assert warm.status_code == 201, warm.text
        time.sleep(SETTLE_S)
        before = api.rss()
        with RssSampler({"api": api.process.pid}, 0.02) as sampler, image.open("rb") as stream:
            response = client.post(
                f"/products/{product}/images", files={"file": (image.name, stream, "image/png")}
            )
            time.sleep(SETTLE_S)
        after = api.rss()
    assert response.status_code == 201, response.text
    return UploadMemory(
        upload_bytes=image.stat().st_size,
        status=response.status_code,
        before=before,
        peak=max(int(sampler.peak("api") * MEGABYTE), after),
        after=after,
    )
