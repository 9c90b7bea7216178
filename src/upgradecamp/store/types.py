"""Column types that keep instants as aware UTC, on SQLite as on PostgreSQL.

SQLite has no time zones: SQLAlchemy's `DateTime` writes an aware value's wall clock and reads
back a naive one, so every reader had to guess the zone. These types convert on the way in (any
aware instant → UTC) and mark the zone on the way out, so readers get aware UTC values and a
Beijing-time bound in a query compares correctly with the stored UTC.

The stored text does not change: read tables keep `DateTime`'s naive UTC text
("2026-11-20 02:00:00.000000", `timestamp` on PostgreSQL); the event log keeps ISO text with
the offset, the exact bytes its hash chain covers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value!r} has no time zone: the database keeps aware instants only")
    return value.astimezone(UTC)


def utc_text(value: datetime) -> str:
    """The event log's text of an instant: what `recorded_at` holds and the hash covers."""
    return _utc(value).isoformat(timespec="microseconds")


class UTCDateTime(TypeDecorator[datetime]):
    """An instant in a read table: naive UTC in the database, aware UTC in Python."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else _utc(value).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """The conversion above (after the driver's: SQLite's parses text), once per distinct
        value: instants repeat a great deal (every client of one import shares its
        `registered_at`), and the maintenance run reads each client's. A value is immutable,
        so one object serves every row; the memo is emptied when it grows large."""
        convert = super().result_processor(dialect, coltype)
        if convert is None:  # pragma: no cover - a TypeDecorator with process_result_value
            return None
        memo: dict[Any, Any] = {}

        def process(value: Any) -> Any:
            try:
                return memo[value]
            except KeyError:
                if len(memo) >= _MEMO_SIZE:
                    memo.clear()
                out = memo[value] = convert(value)
                return out
            except TypeError:  # pragma: no cover - an unhashable driver value
                return convert(value)

        return process


_MEMO_SIZE = 4096


class UTCText(TypeDecorator[datetime]):
    """An instant as ISO text with its offset (the event log's `recorded_at`), aware UTC out."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else utc_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value).astimezone(UTC)
