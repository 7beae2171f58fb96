"""The field types every API shape is made of: text without NUL, codes, strict counts,
times and dates the warehouse can plan with. The shapes themselves belong to their
areas (``wms/<area>/schemas.py``); the same shapes validate a request, build the
answer and write the OpenAPI document.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)
from pydantic import Strict as StrictValue

from wms.base.clock import iso

# No NUL characters anywhere: databases refuse them in text.
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^\x00]*$")
]
Short = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[^\x00]*$")
]
Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[^\x00\s]+$"),
]
# A count is a JSON integer: "1", 1.0 and true are refused, not read as 1.
Count = Annotated[int, StrictValue()]
COUNT_NOTE = 'A JSON integer ("1", 1.0 and true are refused).'

# Times and dates the warehouse can plan with: the years 2000 to 2099.
FIRST_DAY, END_DAY = date(2000, 1, 1), date(2100, 1, 1)
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _time_text(value: Any) -> Any:
    if not isinstance(value, str) or not _ISO_TIME.match(value):
        raise ValueError("give an ISO 8601 date and time, such as 2031-01-02T09:00:00Z")
    return value


def _date_text(value: Any) -> Any:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("give an ISO 8601 date, such as 2031-01-02")
    return value


def _in_years(day: date) -> None:
    if not FIRST_DAY <= day < END_DAY:
        raise ValueError(f"give a date from {FIRST_DAY.year} to {END_DAY.year - 1}")


def _utc_naive(value: datetime) -> datetime:
    """Stored as naive UTC: a time with an offset is converted, one without is UTC."""
    if value.tzinfo is not None:
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # the first or last moments a datetime can hold
            _in_years(date.min)
        value = value.replace(tzinfo=None)
    _in_years(value.date())
    return value


def _served_day(value: date) -> date:
    _in_years(value)
    return value


UtcTime = Annotated[
    datetime,
    BeforeValidator(_time_text),
    AfterValidator(_utc_naive),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601, from 2000 to 2099; UTC unless it carries an offset.",
        }
    ),
]
Day = Annotated[
    date,
    BeforeValidator(_date_text),
    AfterValidator(_served_day),
    WithJsonSchema(
        {"type": "string", "format": "date", "description": "ISO 8601, from 2000 to 2099."}
    ),
]

# A time in an answer: stored as naive UTC, written to the second with a Z.
UtcOut = Annotated[datetime, PlainSerializer(iso, return_type=str, when_used="json")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
