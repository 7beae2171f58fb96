"""Request and response bodies of the returns API (they also make its OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from wms.api.schemas import Code, Strict, Text

ReasonCode = Literal[
    "damaged_in_transit", "defective", "wrong_item", "not_as_described", "changed_mind", "other"
]
WishCode = Literal["refund", "exchange"]


class ReturnLineIn(Strict):
    sku: Code
    qty: int = Field(ge=1, le=10_000)
    reason: ReasonCode
    wish: WishCode = "refund"


class ReturnIn(Strict):
    external_id: Code = Field(
        description="The channel's id for this return; sending it again is safe."
    )
    order_number: Code | None = Field(default=None, description="The order's number, W-10001.")
    order_external_id: Code | None = Field(
        default=None, description="Or the channel's own id for the order."
    )
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)
    note: Text = ""
    return_label: bool = Field(
        default=False, description="Buy a return label through the carrier (once per return)."
    )
    label_format: Literal["PDF_4x6", "ZPL"] = "PDF_4x6"

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
    status: Literal["buying", "bought", "failed"]
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
    created_at: datetime
    received_at: datetime | None = None
    note: str
    lines: list[ReturnLineOut]
    return_label: ReturnLabelOut | None = None
