"""The order as a channel sends it and as the warehouse answers (API and events)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, StringConstraints

from wms.base.numbers import order_number
from wms.base.schemas import COUNT_NOTE, Code, Count, Day, Short, Strict, Text, UtcOut, UtcTime
from wms.core.models import LineKind, Priority

PriorityName = Literal["expedited", "standard", "economy"]
ServiceLevel = Literal["express", "priority", "standard", "economy"]


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
    language: Short | None = Field(
        default=None,
        description=(
            'The customer\'s language ("fr", "fr-BE", "en"): their packing and return '
            "slips and the shop's notes to them are written in it; one the warehouse does "
            "not speak is 422 unknown_language. Left out, the warehouse's own."
        ),
    )


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

    @classmethod
    def of(cls, line: Any, sku: str) -> LineOut:
        """A line as the channel sees it, from a stored line or the row just written."""
        get = _reader(line)
        waiting, preorder = get("qty_waiting"), get("kind") == LineKind.PREORDER
        return cls(
            line=get("line_no"),
            sku=sku,
            qty=get("qty"),
            qty_reserved=get("qty_reserved"),
            qty_backordered=0 if preorder else waiting,
            qty_preorder_waiting=waiting if preorder else 0,
            qty_shipped=get("qty_shipped", 0),
            qty_cancelled=get("qty_cancelled", 0),
            status=line_status(
                get("kind"),
                get("qty_reserved"),
                waiting,
                get("qty_cancelled", 0),
                get("qty_shipped", 0),
            ),
            projected_fill_on=get("projected_fill_on"),
        )


def line_status(
    kind: str, qty_reserved: int, qty_waiting: int, qty_cancelled: int = 0, qty_shipped: int = 0
) -> str:
    if qty_waiting == 0 and qty_reserved == 0:
        if qty_shipped:
            return "shipped"
        if qty_cancelled:
            return "cancelled"
    if kind == LineKind.PREORDER:
        return "preorder"
    if qty_waiting:
        return "backordered"
    return "reserved"


class OrderOut(BaseModel):
    id: int
    number: str
    external_id: str
    status: str
    priority: PriorityName
    service_level: str
    placed_at: UtcOut
    partial_allowed: bool
    capture_before_ship: bool
    payment_captured_at: UtcOut | None = None
    lines: list[LineOut]

    @classmethod
    def of(cls, order: Any, lines: Iterable[LineOut]) -> OrderOut:
        """The order as the channel sees it (the API's answer and its events), from the
        stored order or from the row just written for it."""
        get = _reader(order)
        return cls(
            id=get("id"),
            number=order_number(get("id")),
            external_id=get("external_id"),
            status=get("status"),
            priority=Priority(get("priority")).name.lower(),
            service_level=get("service_level"),
            placed_at=get("placed_at"),
            partial_allowed=get("partial_allowed"),
            capture_before_ship=get("capture_before_ship"),
            payment_captured_at=get("payment_captured_at", None),
            lines=sorted(lines, key=lambda v: v.line),
        )


def _reader(source: Any) -> Callable[..., Any]:
    """Reads a field of a row given as a mapping or as an object (a stored row)."""
    if isinstance(source, Mapping):
        return source.get
    return lambda name, default=None: getattr(source, name, default)


class ShortLine(BaseModel):
    line: int
    sku: str
    qty: int
    short: int
    reason: Literal["backorders_not_allowed", "refused_by_order", "preorder_cap_reached"]
