"""Run the Alembic chain from code (CLI, tests, embedded start-up)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
FOREIGN_TABLE_PREFIXES = ("django_", "auth_")


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    """Leave Django's own bookkeeping tables alone; Alembic owns only ours."""
    if type_ == "table" and name is not None:
        return not name.startswith(FOREIGN_TABLE_PREFIXES)
    return True


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(revision: str = "head", connection: Connection | None = None) -> None:
    command.upgrade(alembic_config(connection), revision)


def downgrade(revision: str, connection: Connection | None = None) -> None:
    command.downgrade(alembic_config(connection), revision)


def make_revision(message: str) -> None:
    command.revision(alembic_config(), message=message, autogenerate=True)
