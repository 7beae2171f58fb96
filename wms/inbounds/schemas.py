"""An inbound as a channel announces it and as the warehouse answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from wms.base.schemas import COUNT_NOTE, Code, Count, Strict, Text, UtcOut, UtcTime


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
    expected_at: UtcOut
    status: str
    lines: list[InboundLineOut]

    @classmethod
    def of(cls, inbound: Any) -> InboundOut:
        """An inbound as its channel sees it."""
        return cls(
            id=inbound.id,
            reference=inbound.reference,
            kind=inbound.kind,
            supplier=inbound.supplier,
            expected_at=inbound.expected_at,
            status=inbound.status,
            lines=[
                InboundLineOut(
                    sku=ln.product.sku, qty_expected=ln.qty_expected, qty_received=ln.qty_received
                )
                for ln in inbound.lines
            ],
        )


class InboundPage(BaseModel):
    items: list[InboundOut]
    next_cursor: int | None = None
