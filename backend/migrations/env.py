"""Alembic environment: one migration chain for PostgreSQL and SQLite."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from backend.shared.config import get_settings
from backend.shared.db.migrate import include_name
from backend.shared.db.models import Base
from backend.shared.db.session import build_engine


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = build_engine(get_settings())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations_online()
