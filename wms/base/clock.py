"""Time in one place: naive UTC datetimes everywhere in the database.

Everything that asks what time it is asks ``utcnow``, so a test can move the
app's clock forward (``travel``) instead of sleeping through a waiting period.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

_offset = timedelta(0)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def today() -> date:
    return utcnow().date()


@contextmanager
def travel(delta: timedelta) -> Iterator[None]:
    """Run the block with the app's clock ``delta`` ahead (tests wait no real time)."""
    global _offset
    before = _offset
    _offset = before + delta
    try:
        yield
    finally:
        _offset = before


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601 for the API; datetimes carry a Z to say they are UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()
