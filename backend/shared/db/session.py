"""Engine and session factory, built once per process from settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from backend.shared.config import Settings, get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000


def build_engine(settings: Settings) -> Engine:
    url = settings.sqlalchemy_url
    if url.startswith("sqlite"):
        in_memory = url.endswith(":memory:")
        engine = create_engine(
            url,
            echo=settings.database_echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            poolclass=StaticPool if in_memory else None,
        )
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    return create_engine(
        url,
        echo=settings.database_echo,
        # Day boundaries in SQL (dashboard series) are UTC whatever the server's zone.
        connect_args={"options": "-c timezone=UTC"},
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
    )


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite, and cascades depend on them; WAL lets the
    # API read while the embedded worker writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return build_engine(get_settings())


@lru_cache(maxsize=1)
def get_session_factory() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = get_session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def reset_engine() -> None:
    """Forget the cached engine (after settings change, in tests and forked workers)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_session_factory.cache_clear()
