"""The `imagineai` command line, run as a user would (a subprocess with its own settings)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from backend import __version__

IMAGINEAI = Path(sys.executable).with_name("imagineai")


def _run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IMAGINEAI_VAR_DIR": str(tmp_path / "var"),
        "IMAGINEAI_ENVIRONMENT": "development",
    }
    env.pop("IMAGINEAI_DATABASE_URL", None)
    env.pop("IMAGINEAI_LOCAL_STORAGE_DIR", None)
    return subprocess.run(
        [str(IMAGINEAI), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version(tmp_path: Path) -> None:
    result = _run(tmp_path, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"imagineai {__version__}"


def test_upgrade_createsuperuser_and_status_on_the_embedded_defaults(tmp_path: Path) -> None:
    upgraded = _run(tmp_path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "var" / "imagineai.db").exists()
    created = _run(
        tmp_path,
        "createsuperuser",
        "--email",
        "Admin@Example.com",
        "--password",
        "a long admin passphrase",
    )
    assert created.returncode == 0, created.stderr
    assert "admin@example.com" in created.stdout
    again = _run(
        tmp_path,
        "createsuperuser",
        "--email",
        "admin@example.com",
        "--password",
        "a long admin passphrase",
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr
    weak = _run(tmp_path, "createsuperuser", "--email", "b@example.com", "--password", "short")
    assert weak.returncode == 1
    assert "at least 10 characters" in weak.stderr
    status = _run(tmp_path, "status")
    assert "database" in status.stdout
    assert "storage" in status.stdout
    assert "worker" in status.stdout
    assert status.returncode == 0, status.stdout + status.stderr
