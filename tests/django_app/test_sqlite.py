"""The admin works on the embedded SQLite database too (see ``sqlite_run``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_admin_on_the_embedded_sqlite_database(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "IMAGINEAI_VAR_DIR": str(tmp_path / "var"),
        "IMAGINEAI_DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.db'}",
        "IMAGINEAI_LOCAL_STORAGE_DIR": str(tmp_path / "storage"),
        "IMAGINEAI_ENVIRONMENT": "test",
    }
    environment.pop("IMAGINEAI_BROKER_URL", None)
    environment.pop("IMAGINEAI_REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.django_app.sqlite_run"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "sqlite admin ok" in result.stdout
