"""Django fields that read and write the columns exactly as SQLAlchemy does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

BCRYPT_PREFIX = "bcrypt$"


class UTCDateTimeField(models.DateTimeField):  # type: ignore[type-arg]
    """A ``timestamptz`` (PostgreSQL) or UTC text (SQLite) column shared with SQLAlchemy.

    On SQLite, Django writes ``10:00:00`` when the microseconds are zero while SQLAlchemy
    always writes ``10:00:00.000000``; text comparisons would then miss rows, so this field
    always writes the microseconds.
    """

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if connection.vendor == "sqlite" and isinstance(value, datetime):
            moment = value.astimezone(UTC) if value.tzinfo else value
            return moment.replace(tzinfo=None).isoformat(" ", timespec="microseconds")
        return super().get_db_prep_value(value, connection, prepared)


class ApiPasswordHashField(models.CharField):  # type: ignore[type-arg]
    """The API's raw ``$2b$`` bcrypt hash, seen by Django as ``bcrypt$$2b$...``.

    Django picks a hasher by the text before the first ``$``; the prefix lets its bcrypt
    hasher verify the API's hashes, and it is removed again on the way to the database.
    """

    def from_db_value(self, value: str | None, *_args: Any) -> str | None:
        if value is None or value.startswith(BCRYPT_PREFIX) or not value.startswith("$2"):
            return value
        return BCRYPT_PREFIX + value

    def get_prep_value(self, value: Any) -> Any:
        prepared = super().get_prep_value(value)
        if isinstance(prepared, str):
            return prepared.removeprefix(BCRYPT_PREFIX)
        return prepared
