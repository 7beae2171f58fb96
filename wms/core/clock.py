"""Time in one place: naive UTC datetimes everywhere in the database."""

from __future__ import annotations

from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()


def iso(value: datetime | date | None) -> str | None:
    """ISO 8601 for the API; datetimes carry a Z to say they are UTC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()
