"""Test-wide fixtures: isolated settings, real databases, and clean tables between tests."""

from __future__ import annotations

import os
import tempfile

# Settings are read once per process: point them at a throw-away folder before anything
# imports the application, so tests never touch a developer's var/.
os.environ.setdefault("IMAGINEAI_VAR_DIR", tempfile.mkdtemp(prefix="imagineai-test-var-"))
os.environ["IMAGINEAI_ENVIRONMENT"] = "test"

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend.shared.config import get_settings
from backend.shared.db.migrate import upgrade
from backend.shared.db.models import Base
from backend.shared.db.session import build_engine, reset_engine
from tests.support.databases import sqlite_url, temporary_postgres_database
from tests.support.s3_server import s3_bucket, s3_server, strict_s3_server
from tests.support.services import service_unavailable

# One S3-protocol server process for the whole session, shared by every test that needs it.
__all__ = ["s3_bucket", "s3_server", "strict_s3_server"]


@dataclass(frozen=True)
class Database:
    kind: str
    url: str
    engine: Engine


def _migrated(kind: str, url: str) -> Database:
    engine = _engine(url)
    with engine.begin() as connection:
        upgrade("head", connection=connection)
    return Database(kind=kind, url=url, engine=engine)


def _engine(url: str) -> Engine:
    settings = get_settings().model_copy(update={"database_url": url})
    return build_engine(settings)


@pytest.fixture(scope="session")
def postgresql_database() -> Iterator[Database]:
    try:
        context = temporary_postgres_database(get_settings().test_database_url)
        url = context.__enter__()
    except OperationalError as exc:
        service_unavailable("PostgreSQL", exc.orig)
    try:
        database = _migrated("postgresql", url)
        yield database
        database.engine.dispose()
    finally:
        context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def sqlite_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = _migrated("sqlite", sqlite_url(tmp_path_factory.mktemp("sqlite")))
    yield database
    database.engine.dispose()


def _truncate(database: Database) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if database.kind == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            for name in tables:
                connection.execute(text(f"DELETE FROM {name}"))


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)],
)
def database(request: pytest.FixtureRequest) -> Iterator[Database]:
    """Each test that takes it runs once on SQLite and once on PostgreSQL."""
    db: Database = request.getfixturevalue(f"{request.param}_database")
    yield db
    _truncate(db)


@pytest.fixture
def pg(postgresql_database: Database) -> Iterator[Database]:
    """PostgreSQL only (integration tests of the real-mode stack)."""
    yield postgresql_database
    _truncate(postgresql_database)


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    factory = sessionmaker(bind=database.engine, expire_on_commit=False)
    with factory() as db_session:
        yield db_session


@pytest.fixture
def app_settings(
    database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[None]:
    """Point the application's own settings (and engine) at the test database."""
    monkeypatch.setenv("IMAGINEAI_DATABASE_URL", database.url)
    monkeypatch.setenv("IMAGINEAI_LOCAL_STORAGE_DIR", str(tmp_path / "storage"))
    get_settings.cache_clear()
    reset_engine()
    yield
    get_settings.cache_clear()
    reset_engine()
