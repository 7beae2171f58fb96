"""Request and response bodies of the channel API.

The same models validate requests and generate the OpenAPI document.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
)
from pydantic import Strict as StrictValue

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

PriorityName = Literal["expedited", "standard", "economy"]
ServiceLevel = Literal["express", "priority", "standard", "economy"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AddressIn(Strict):
    name: Text = Field(min_length=1)
    company: Text = ""
    street1: Text = Field(min_length=1)
    street2: Text = ""
    city: Text = Field(min_length=1)
    state: Text = ""
    zip: Short = ""
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = "US"
    phone: Short = ""
    email: Text = ""


class CustomerIn(Strict):
    name: Text = ""
    email: Text = ""


class OrderLineIn(Strict):
    sku: Code = Field(description="A SKU the warehouse knows; an unknown one is 422 unknown_sku.")
    qty: Count = Field(ge=1, le=10_000, description=COUNT_NOTE)


class OrderIn(Strict):
    external_id: Code
    placed_at: UtcTime | None = Field(
        default=None, description="When the customer ordered; defaults to now."
    )
    customer: CustomerIn = Field(default_factory=CustomerIn)
    ship_to: AddressIn
    service_level: ServiceLevel = "standard"
    priority: PriorityName = "standard"
    promised_on: Day | None = None
    partial_allowed: StrictBool = Field(
        default=False, description="Ship what is there and leave the rest backordered."
    )
    capture_before_ship: StrictBool = Field(
        default=False, description="Hold the label until the channel confirms payment."
    )
    backorder: Literal["allow", "refuse"] = Field(
        default="allow",
        description="'refuse' rejects the order (409) rather than backorder a short line.",
    )
    lines: list[OrderLineIn] = Field(min_length=1, max_length=200)


class LineOut(BaseModel):
    line: int
    sku: str
    qty: int
    qty_reserved: int
    qty_backordered: int
    qty_preorder_waiting: int
    qty_shipped: int
    qty_cancelled: int
    status: Literal["reserved", "backordered", "preorder", "cancelled", "shipped"]
    projected_fill_on: date | None = None


class OrderOut(BaseModel):
    id: int
    number: str
    external_id: str
    status: str
    priority: PriorityName
    service_level: str
    placed_at: datetime
    partial_allowed: bool
    capture_before_ship: bool
    payment_captured_at: datetime | None = None
    lines: list[LineOut]


class ShortLine(BaseModel):
    line: int
    sku: str
    qty: int
    short: int
    reason: Literal["backorders_not_allowed", "refused_by_order", "preorder_cap_reached"]


# Every code the API answers with, and what it means.
ERROR_CODES = {
    "invalid_json": "400: the body is not JSON (or is empty, or nested too deeply).",
    "bad_request": "400: the request could not be read.",
    "unauthorized": "401: the API token is missing or not valid.",
    "not_found": "404: no such order or inbound for this channel.",
    "order_not_found": "404: the order a return names is not this channel's.",
    "return_not_found": "404: no such return for this channel.",
    "no_label": "404: the return has no label yet.",
    "method_not_allowed": "405: the path does not take that method (see Allow).",
    "insufficient_stock": "409: lines cannot be reserved or wait; every short line is listed.",
    "idempotency_conflict": "409: the external_id was sent before with other contents.",
    "not_cancellable": "409: the order has started moving.",
    "order_cancelled": "409: the order is cancelled.",
    "inbound_exists": "409: the channel's reference was sent before with other lines or time.",
    "not_returnable": "409: more than was shipped and not yet returned.",
    "return_closed": "409: the return is closed or cancelled.",
    "label_in_progress": "409: the label is being bought; ask again in a moment.",
    "conflict": "409: the change clashed with another one.",
    "too_large": "413: the body is larger than the API takes.",
    "invalid_body": "422: the body does not match the schema; errors name each field.",
    "invalid_query": "422: a query parameter is not valid (cursor, limit) or not taken at all.",
    "invalid": "422: the request is not valid (a NUL character, a repeated SKU).",
    "unknown_sku": "422: a SKU the warehouse does not know; skus lists them.",
    "label_refused": "422: the carrier refused the label (an address, say).",
    "too_many_failures": "429: too many wrong tokens from this address; see Retry-After.",
    "server_error": "500: nothing was saved; try again.",
    "carrier_unavailable": "503: the carrier did not answer; try again.",
    "database_unavailable": "503: the database is down or busy; try again after Retry-After.",
    "error": "503: the database did not save the change; try again.",
}


class ErrorOut(BaseModel):
    code: str = Field(
        description="Stable, machine-readable error code: "
        + " ".join(f"`{code}` {meaning}" for code, meaning in ERROR_CODES.items()),
        json_schema_extra={"enum": list(ERROR_CODES)},
    )
    message: str = Field(description="One sentence for a person.")
    items: list[ShortLine] | None = None
    errors: list[dict[str, object]] | None = None


class AvailabilityOut(BaseModel):
    sku: str
    available: int = Field(description="Published: available to promise less safety stock.")
    available_to_promise: int
    on_hand: int
    reserved: int
    backordered: int
    preorder: bool
    preorder_available: int | None = None
    release_on: date | None = None


class AvailabilityPage(BaseModel):
    items: list[AvailabilityOut]
    next_cursor: int | None = None


class InboundLineIn(Strict):
    sku: Code = Field(description="A SKU the warehouse knows; an unknown one is 422 unknown_sku.")
    qty: Count = Field(ge=1, le=1_000_000, description=COUNT_NOTE)


class InboundIn(Strict):
    reference: Code = Field(description="The ASN or purchase order number.")
    kind: Literal["asn", "po"] = "asn"
    supplier: Text = ""
    expected_at: UtcTime
    lines: list[InboundLineIn] = Field(min_length=1, max_length=1000)


class InboundLineOut(BaseModel):
    sku: str
    qty_expected: int
    qty_received: int


class InboundOut(BaseModel):
    id: int
    reference: str
    kind: str
    supplier: str
    expected_at: datetime
    status: str
    lines: list[InboundLineOut]


class InboundPage(BaseModel):
    items: list[InboundOut]
    next_cursor: int | None = None
