"""Throw-away databases for tests: one PostgreSQL database per test session, or a SQLite file."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from backend.shared.config import normalize_database_url


@contextmanager
def temporary_postgres_database(server_url: str) -> Iterator[str]:
    """Create a uniquely named database on the server of ``server_url`` and drop it after."""
    admin_url = make_url(normalize_database_url(server_url))
    name = f"imagineai_test_{uuid.uuid4().hex[:12]}"
    # pre-ping: the soak restarts PostgreSQL while this session-long engine holds a connection.
    admin: Engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_url(folder: Path) -> str:
    return f"sqlite+pysqlite:///{folder / f'test-{uuid.uuid4().hex[:8]}.db'}"
