"""How a channel sees a return (the API's answer and the events' payload)."""

from __future__ import annotations

from sqlalchemy import select

from wms.base.numbers import order_number
from wms.extensions import db
from wms.inventory.models import Product
from wms.returns.models import ReturnAuthorisation, ReturnLine
from wms.returns.schemas import ReturnLabelOut, ReturnLineOut, ReturnOut

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
