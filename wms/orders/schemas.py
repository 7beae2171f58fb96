"""The order as a channel sends it and as the warehouse answers (API and events)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StringConstraints

from wms.base.schemas import COUNT_NOTE, Code, Count, Day, Short, Strict, Text, UtcOut, UtcTime

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
    placed_at: UtcOut
    partial_allowed: bool
    capture_before_ship: bool
    payment_captured_at: UtcOut | None = None
    lines: list[LineOut]


class ShortLine(BaseModel):
    line: int
    sku: str
    qty: int
    short: int
    reason: Literal["backorders_not_allowed", "refused_by_order", "preorder_cap_reached"]
