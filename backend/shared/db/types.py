"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator

#: JSONB on PostgreSQL, JSON (text) elsewhere.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC.

    SQLite drops the offset of ``DateTime(timezone=True)``, so values are converted to UTC on
    write and marked UTC on read. Naive datetimes are refused: they hide a time-zone bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(moment, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(moment).__name__}")
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class utc_now_sql(FunctionElement[datetime]):  # noqa: N801 - reads like the SQL function it emits
    """``now()`` as a server default, written in the same text format SQLAlchemy uses on SQLite.

    SQLite's ``CURRENT_TIMESTAMP`` has no fractional seconds, and text comparison against
    SQLAlchemy's ``YYYY-MM-DD HH:MM:SS.ffffff`` values would then miss rows.
    """

    type = DateTime(timezone=True)
    inherit_cache = True


@compiles(utc_now_sql)
def _utc_now_default(element: utc_now_sql, compiler: Any, **kw: Any) -> str:
    return "CURRENT_TIMESTAMP"


@compiles(utc_now_sql, "sqlite")
def _utc_now_sqlite(element: utc_now_sql, compiler: Any, **kw: Any) -> str:
    return "(strftime('%Y-%m-%d %H:%M:%f000', 'now'))"
