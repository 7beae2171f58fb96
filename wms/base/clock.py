"""Time in one place: naive UTC datetimes everywhere in the database.

Everything that asks what time it is asks ``utcnow``, so a test can move the
app's clock forward (``travel``) instead of sleeping through a waiting period.

A day is the warehouse's day, in its time zone (``set_zone``, called once by
the app factory from ``TIMEZONE``): a truck due at 23:30 UTC in December is due
on the next day in Paris. Plain code that never set a zone keeps UTC days.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

_offset = timedelta(0)
_zone: tzinfo = UTC


def set_zone(zone: str | tzinfo) -> None:
    """The warehouse's time zone, by name (``Europe/Paris``) or as a tzinfo."""
    global _zone
    _zone = ZoneInfo(zone) if isinstance(zone, str) else zone


def zone() -> tzinfo:
    return _zone


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def today() -> date:
    """The warehouse's date now (moved by ``travel`` like ``utcnow``)."""
    return local_date(utcnow())


def local(moment: datetime) -> datetime:
    """A stored moment (naive means UTC) as the warehouse's wall clock reads it."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(_zone)


def from_local(wall: datetime) -> datetime:
    """A time read on the warehouse's wall clock (naive) as a stored, naive UTC moment."""
    aware = wall if wall.tzinfo is not None else wall.replace(tzinfo=_zone)
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """The warehouse's date at a stored moment (naive means UTC)."""
    return local(moment).date()


def day_start(day: date | None = None) -> datetime:
    """When the warehouse's ``day`` (today by default) begins, as a naive UTC moment."""
    d = day or today()
    midnight = datetime.combine(d, time(0), tzinfo=_zone)
    return midnight.astimezone(UTC).replace(tzinfo=None)


def day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """The warehouse's days ``first`` to ``last`` (just ``first`` by default) as stored
    moments: from the first one's midnight to the midnight after the last."""
    return day_start(first), day_start((last or first) + timedelta(days=1))


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
