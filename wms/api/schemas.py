"""Request and response bodies of the channel API.

The same models validate requests and generate the OpenAPI document.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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
    sku: Code
    qty: int = Field(ge=1, le=10_000)


class OrderIn(Strict):
    external_id: Code
    placed_at: datetime | None = Field(
        default=None, description="When the customer ordered (UTC); defaults to now."
    )
    customer: CustomerIn = Field(default_factory=CustomerIn)
    ship_to: AddressIn
    service_level: ServiceLevel = "standard"
    priority: PriorityName = "standard"
    promised_on: date | None = None
    partial_allowed: bool = Field(
        default=False, description="Ship what is there and leave the rest backordered."
    )
    capture_before_ship: bool = Field(
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


class ErrorOut(BaseModel):
    code: str = Field(description="Stable, machine-readable error code.")
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
    sku: Code
    qty: int = Field(ge=1, le=1_000_000)


class InboundIn(Strict):
    reference: Code = Field(description="The ASN or purchase order number.")
    kind: Literal["asn", "po"] = "asn"
    supplier: Text = ""
    expected_at: datetime
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
