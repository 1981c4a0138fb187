"""A real S3-protocol server process for the tests, started on a free loopback port.

Two servers are known:

- **LocalStack** (PyPI ``localstack-core``, host mode, in its own venv on Python >= 3.12):
  checks SigV4 signatures of presigned URLs, so a PUT with another ``Content-Type`` or
  ``Content-Length`` than the signed ones, a tampered signature, and an expired URL are all
  refused with 403, as S3 and MinIO do. Install it once with
  ``.venv/bin/python -m tests.support.s3_server install`` (about 40 s).
- **moto** (``moto_server`` from the dev dependency ``moto[server]``): S3 storage semantics
  only; it checks no signature, no expiry and no signed header.

``IMAGINEAI_TEST_S3_SERVER`` picks one (``auto``: LocalStack when installed, else moto).

Make the fixtures visible from a conftest.py (in a test module, ruff reads a fixture argument
as a redefinition of the import); once in ``tests/conftest.py`` gives one server per session::

    from tests.support.s3_server import s3_bucket, s3_server, strict_s3_server

    __all__ = ["s3_bucket", "s3_server", "strict_s3_server"]

    def test_x(s3_bucket: S3Bucket) -> None:      # a fresh bucket, AWS_* variables set
        storage = s3_bucket.storage()              # or get_storage() after
                                                   # monkeypatching s3_bucket.server.settings_env()

When no server can start, the fixtures skip, or fail under ``IMAGINEAI_REQUIRE_SERVICES=1``.
Tests that need the signature checks take :func:`strict_s3_server`, which is unavailable
(skip, or fail when services are required) on moto.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

import boto3
import httpx
import pytest

from backend.shared.config import get_settings
from backend.shared.storage.s3 import S3ImageStorage, build_client
from tests.support.services import service_unavailable

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

ServerKind = Literal["localstack", "moto"]

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
LOCALSTACK_REQUIREMENTS = Path(__file__).with_name("localstack-requirements.txt")
# LocalStack's own default credentials: with signature checks on it signs with this secret.
ACCESS_KEY_ID = "test"
SECRET_ACCESS_KEY = "test"
REGION = "us-east-1"
# LocalStack keeps object bytes in a fixed folder, one subfolder per bucket, whatever TMPDIR
# says; the buckets the tests made are removed from it when the server stops.
LOCALSTACK_OBJECT_FOLDER = Path("/tmp/localstack-s3-storage")
START_TIMEOUT_S = 60.0
STOP_GRACE_S = 2.0


class S3ServerUnavailableError(RuntimeError):
    """The S3-protocol server could not be started here."""


@dataclass(frozen=True, slots=True)
class S3TestServer:
    kind: ServerKind
    endpoint_url: str
    region: str = REGION
    access_key_id: str = ACCESS_KEY_ID
    secret_access_key: str = SECRET_ACCESS_KEY
    created_buckets: set[str] = field(default_factory=set, compare=False, repr=False)

    @property
    def checks_signatures(self) -> bool:
        """Whether presigned URLs with a wrong signature, header or expiry are refused."""
        return self.kind == "localstack"

    def aws_env(self) -> dict[str, str]:
        """Environment for code that builds its own client through boto3's standard chain
        (``get_storage(settings)``); also keeps botocore away from instance metadata."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        }

    def settings_env(self, bucket: str) -> dict[str, str]:
        """``IMAGINEAI_*`` variables that point the application's storage at this server."""
        return {
            "IMAGINEAI_STORAGE_BACKEND": "s3",
            "IMAGINEAI_S3_BUCKET": bucket,
            "IMAGINEAI_S3_ENDPOINT_URL": self.endpoint_url,
            "IMAGINEAI_S3_REGION": self.region,
        }

    def session(self) -> boto3.Session:
        return boto3.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            region_name=self.region,
        )

    def client(self) -> S3Client:
        return build_client(
            region=self.region, endpoint_url=self.endpoint_url, session=self.session()
        )

    def storage(self, bucket: str) -> S3ImageStorage:
        return S3ImageStorage(bucket=bucket, client=self.client())

    def create_bucket(self, name: str | None = None) -> str:
        bucket = name or f"test-{uuid.uuid4().hex[:20]}"
        self.created_buckets.add(bucket)
        self.storage(bucket).ensure_bucket()
        return bucket


@dataclass(frozen=True, slots=True)
class S3Bucket:
    """A fresh, empty bucket on the session's server."""

    server: S3TestServer
    name: str

    def storage(self) -> S3ImageStorage:
        return self.server.storage(self.name)


def localstack_python(venv_dir: Path | None = None) -> Path | None:
    """The interpreter of the LocalStack venv, when it has been installed."""
    folder = REPOSITORY_ROOT / (venv_dir or get_settings().test_localstack_venv)
    python = folder / "bin" / "python"
    return python if python.exists() else None


def choose_kind() -> ServerKind:
    wanted = get_settings().test_s3_server
    if wanted == "auto":
        return "localstack" if localstack_python() is not None else "moto"
    return wanted


@contextlib.contextmanager
def running_s3_server(kind: ServerKind | None = None) -> Iterator[S3TestServer]:
    """Start the server, wait until it answers, yield it, and stop it (its whole group)."""
    chosen = kind or choose_kind()
    with tempfile.TemporaryDirectory(prefix=f"imagineai-{chosen}-") as folder:
        port = _free_port()
        command, env = _command(chosen, port, Path(folder))
        log_path = Path(folder) / "server.log"
        created: set[str] = set()
        with log_path.open("wb") as log:
            process = _spawn(command, env, log)
            try:
                endpoint = f"http://127.0.0.1:{port}"
                _wait_until_ready(process, endpoint, chosen, log_path)
                yield S3TestServer(kind=chosen, endpoint_url=endpoint, created_buckets=created)
            finally:
                _stop(process)
                if chosen == "localstack":
                    for bucket in created:
                        shutil.rmtree(LOCALSTACK_OBJECT_FOLDER / bucket, ignore_errors=True)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3TestServer]:
    """The session's S3-protocol server process (LocalStack or moto, see module docs)."""
    try:
        context = running_s3_server()
        server = context.__enter__()
    except S3ServerUnavailableError as exc:
        service_unavailable("S3-protocol test server", exc)
    try:
        yield server
    finally:
        context.__exit__(None, None, None)


@pytest.fixture
def strict_s3_server(s3_server: S3TestServer) -> S3TestServer:
    """The session's server, when it refuses bad presigned requests (LocalStack)."""
    if not s3_server.checks_signatures:
        service_unavailable(
            "S3-protocol server that checks presigned signatures (LocalStack)",
            f"the session runs {s3_server.kind}; install LocalStack with "
            "`.venv/bin/python -m tests.support.s3_server install`",
        )
    return s3_server


@pytest.fixture
def s3_bucket(s3_server: S3TestServer, monkeypatch: pytest.MonkeyPatch) -> S3Bucket:
    """A fresh bucket, with the AWS credential variables set for boto3's standard chain."""
    for name, value in s3_server.aws_env().items():
        monkeypatch.setenv(name, value)
    return S3Bucket(server=s3_server, name=s3_server.create_bucket())


def install_localstack(venv_dir: Path, python: Path | None = None) -> Path:
    """Create ``venv_dir`` with LocalStack in it; returns its interpreter."""
    interpreter = python or find_python_for_localstack()
    if interpreter is None:
        raise S3ServerUnavailableError(
            "LocalStack needs Python >= 3.12 and none was found (python3.13, python3.12, "
            "or pyenv's 3.12/3.13)"
        )
    if not (venv_dir / "bin" / "python").exists():
        subprocess.run([str(interpreter), "-m", "venv", str(venv_dir)], check=True)
    pip = [str(venv_dir / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(LOCALSTACK_REQUIREMENTS)], check=True)
    return venv_dir / "bin" / "python"


def find_python_for_localstack() -> Path | None:
    """A working Python >= 3.12: pyenv's, then python3.13/python3.12 on PATH (a pyenv shim
    on PATH may exist without its version being selected, so each candidate is run)."""
    candidates: list[str] = []
    pyenv_root = Path.home() / ".pyenv" / "versions"
    if pyenv_root.is_dir():
        candidates += [
            str(path / "bin" / "python3")
            for path in sorted(pyenv_root.glob("3.1[23].*"), reverse=True)
        ]
    candidates += [found for name in ("python3.13", "python3.12") if (found := shutil.which(name))]
    for candidate in candidates:
        check = [candidate, "-c", "import sys; sys.exit(sys.version_info < (3, 12))"]
        with contextlib.suppress(OSError):
            if subprocess.run(check, capture_output=True, check=False).returncode == 0:
                return Path(candidate)
    return None


def _command(kind: ServerKind, port: int, folder: Path) -> tuple[list[str], dict[str, str]]:
    base_env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(folder),
        "TMPDIR": str(folder),
        "LANG": "C.UTF-8",
    }
    if kind == "moto":
        moto_server = Path(sys.executable).with_name("moto_server")
        if not moto_server.exists():
            raise S3ServerUnavailableError(f"{moto_server} is missing: install moto[server]")
        return [str(moto_server), "-H", "127.0.0.1", "-p", str(port)], base_env
    python = localstack_python()
    if python is None:
        raise S3ServerUnavailableError(
            "LocalStack is not installed: .venv/bin/python -m tests.support.s3_server install"
        )
    env = {
        **base_env,
        "SERVICES": "s3",
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "LOCALSTACK_HOST": f"127.0.0.1:{port}",
        "S3_SKIP_SIGNATURE_VALIDATION": "0",
        "DNS_ADDRESS": "0",
        "FILESYSTEM_ROOT": str(folder / "localstack"),
        # Nothing may leave the machine: no analytics events, no certificate download.
        "DISABLE_EVENTS": "1",
        "SKIP_SSL_CERT_DOWNLOAD": "1",
    }
    return [str(python), "-m", "localstack.runtime.main"], env


def _spawn(command: list[str], env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise S3ServerUnavailableError(f"cannot start {command[0]}: {exc}") from exc


def _wait_until_ready(
    process: subprocess.Popen[bytes], endpoint: str, kind: ServerKind, log_path: Path
) -> None:
    probe = f"{endpoint}/_localstack/health" if kind == "localstack" else f"{endpoint}/"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise S3ServerUnavailableError(
                f"{kind} exited with {process.returncode}: {_tail(log_path)}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(probe, timeout=1.0).status_code < 500:
                return
        time.sleep(0.2)
    raise S3ServerUnavailableError(f"{kind} did not answer in {START_TIMEOUT_S:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (its own session): politely, then for sure."""
    for stop_signal, grace_s in ((signal.SIGTERM, STOP_GRACE_S), (signal.SIGKILL, STOP_GRACE_S)):
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, stop_signal)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace_s)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The tests' S3-protocol server")
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser("install", help="install LocalStack into its own venv")
    install.add_argument("--venv", type=Path, default=None)
    install.add_argument("--python", type=Path, default=None)
    arguments = parser.parse_args(argv)
    if arguments.command == "install":
        target = REPOSITORY_ROOT / (arguments.venv or get_settings().test_localstack_venv)
        try:
            python = install_localstack(target, arguments.python)
        except S3ServerUnavailableError as exc:
            parser.exit(1, f"{exc}\n")
        print(f"LocalStack installed: {python}")


if __name__ == "__main__":
    main()
