"""Request and response bodies of the returns API (they also make its OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, StrictBool, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema
from sqlalchemy import select

from wms.base.numbers import order_number
from wms.base.schemas import COUNT_NOTE, Code, Count, Strict, Text, UtcOut
from wms.extensions import db
from wms.inventory.models import Product
from wms.returns.models import ReturnAuthorisation, ReturnLine

ReasonCode = Literal[
    "damaged_in_transit", "defective", "wrong_item", "not_as_described", "changed_mind", "other"
]
WishCode = Literal["refund", "exchange"]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # left out, not null: null is refused


class ReturnLineIn(Strict):
    sku: Code = Field(description="A SKU the warehouse knows; an unknown one is 422 unknown_sku.")
    qty: Count = Field(ge=1, le=10_000, description=COUNT_NOTE)
    reason: ReasonCode
    wish: WishCode = "refund"


class ReturnIn(Strict):
    """Names its order exactly one way: by ``order_number`` or by ``order_external_id``."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [{"required": ["order_number"]}, {"required": ["order_external_id"]}]
        }
    )

    external_id: Code = Field(
        description="The channel's id for this return; sending it again is safe."
    )
    order_number: Code | SkipJsonSchema[None] = Field(
        default=None,
        description="The order's number, W-10001 (or give order_external_id).",
        json_schema_extra=_no_default,
    )
    order_external_id: Code | SkipJsonSchema[None] = Field(
        default=None,
        description="The channel's own id for the order (or give order_number).",
        json_schema_extra=_no_default,
    )
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)
    note: Text = ""
    return_label: StrictBool = Field(
        default=False, description="Buy a return label through the carrier (once per return)."
    )
    label_format: Literal["PDF_4x6", "ZPL"] = "PDF_4x6"

    @field_validator("order_number", "order_external_id", mode="before")
    @classmethod
    def _text_or_left_out(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("leave it out rather than send null")
        return value

    @model_validator(mode="after")
    def _one_order(self) -> ReturnIn:
        if (self.order_number is None) == (self.order_external_id is None):
            raise ValueError("give order_number or order_external_id, not both")
        return self


class ReturnLabelIn(Strict):
    label_format: Literal["PDF_4x6", "ZPL"] = "PDF_4x6"


class ReturnLineOut(Strict):
    line: int
    sku: str
    qty_authorised: int
    qty_received: int
    reason: ReasonCode
    wish: WishCode
    decision: Literal["refund", "exchange", "store_credit", "rejected"] | None = None
    decision_qty: int
    exchange_order_number: str | None = None


class ReturnLabelOut(Strict):
    status: Literal["buying", "bought", "failed", "uncertain", "released"]
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    format: str | None = None
    error: str | None = None


class ReturnOut(Strict):
    id: int
    number: str = Field(description="The RMA number, R-10001, printed as a barcode on the slip.")
    external_id: str | None = None
    order_number: str
    order_external_id: str
    status: Literal["authorised", "receiving", "received", "closed", "cancelled"]
    created_at: UtcOut
    received_at: UtcOut | None = None
    note: str
    lines: list[ReturnLineOut]
    return_label: ReturnLabelOut | None = None


rl_t = ReturnLine.__table__


def rma_view(rma: ReturnAuthorisation) -> ReturnOut:
    """A return as the channel sees it."""
    rows = db.session.execute(
        select(rl_t, Product.sku)
        .join(Product, Product.id == rl_t.c.product_id)
        .where(rl_t.c.rma_id == rma.id)
        .order_by(rl_t.c.line_no)
    ).all()
    exchanges = {r.exchange_order_id for r in rows if r.exchange_order_id}
    return ReturnOut(
        id=rma.id,
        number=rma.number,
        external_id=rma.external_id,
        order_number=order_number(rma.order_id),
        order_external_id=rma.order.external_id,
        status=rma.status,
        created_at=rma.created_at,
        received_at=rma.received_at,
        note=rma.note,
        lines=[
            ReturnLineOut(
                line=r.line_no,
                sku=r.sku,
                qty_authorised=r.qty_authorised,
                qty_received=r.qty_received,
                reason=r.reason,
                wish=r.wish,
                decision=r.decision,
                decision_qty=r.decision_qty,
                exchange_order_number=order_number(r.exchange_order_id)
                if r.exchange_order_id in exchanges
                else None,
            )
            for r in rows
        ],
        return_label=_label_view(rma),
    )


def _label_view(rma: ReturnAuthorisation) -> ReturnLabelOut | None:
    if rma.label_status == "none":
        return None
    return ReturnLabelOut(
        status=rma.label_status,
        carrier=rma.carrier or None,
        tracking_number=rma.tracking_number,
        tracking_url=rma.tracking_url or None,
        format=rma.label_format or None,
        error=rma.label_error or None,
    )


def event_of(rma: ReturnAuthorisation, **fields: Any) -> dict[str, Any]:
    """An event's payload: which return it is, then what happened to it."""
    return {
        "return_id": rma.id,
        "number": rma.number,
        "external_id": rma.external_id,
        "order_number": order_number(rma.order_id),
        **fields,
    }
