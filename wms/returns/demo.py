"""A few shipped orders and returns for the demo warehouse, the same every time.

The demo has no packing yet, so three orders are shipped straight from
their bins; two of them have a return authorised, one with a label from the
built-in carrier, so the returns desk and the bench have something to show.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from wms.base.numbers import order_number
from wms.core.ledger import Reason, move_stock
from wms.core.models import Order, OrderLine, OrderStatus
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product, Stock
from wms.returns import labels
from wms.returns.models import ReturnAuthorisation
from wms.returns.services import NewReturn, NewReturnLine, authorise_return
from wms.shipping.carriers.builtin import BuiltinCarrier

SHIPPED = 3
lines_t = OrderLine.__table__


def load(now: datetime, user_id: int) -> list[str]:
    """Ship the oldest ready web orders and authorise returns; returns the RMA numbers."""
    orders = _ship_oldest(now, user_id)
    if len(orders) < 2:
        return []
    first = _authorise(orders[0], "defective", "refund", now)
    second = _authorise(orders[1], "changed_mind", "exchange", now)
    _label(first)
    return [first.number, second.number]


def _ship_oldest(now: datetime, user_id: int) -> list[Order]:
    candidates = db.session.scalars(
        select(Order)
        .where(Order.status == OrderStatus.READY_TO_PICK, Order.external_id.like("WEB-%"))
        .order_by(Order.placed_at, Order.id)
        .limit(SHIPPED)
    ).all()
    shipped_at = now - timedelta(days=3)
    for order in candidates:
        for line in order.lines:
            qty = line.qty_reserved
            move_stock(
                line.product_id,
                qty,
                _bin_holding(line.product_id, qty),
                None,
                Reason.SHIP,
                order.number,
                user_id,
                release_reserved=qty,
            )
            db.session.execute(
                update(lines_t)
                .where(lines_t.c.id == line.id, lines_t.c.qty_reserved >= qty)
                .values(
                    qty_reserved=lines_t.c.qty_reserved - qty,
                    qty_shipped=lines_t.c.qty_shipped + qty,
                )
            )
        order.status = OrderStatus.SHIPPED
        order.shipped_at = shipped_at
    db.session.flush()
    return list(candidates)


def _bin_holding(product_id: int, qty: int) -> Location:
    return db.session.scalars(
        select(Location)
        .join(Stock, Stock.location_id == Location.id)
        .where(
            Stock.product_id == product_id,
            Stock.qty_on_hand >= qty,
            Location.kind == LocationKind.BIN,
        )
        .order_by(Location.walk_seq)
        .limit(1)
    ).one()


def _authorise(order: Order, reason: str, wish: str, now: datetime) -> ReturnAuthorisation:
    line = order.lines[0]
    product = db.session.get(Product, line.product_id)
    result = authorise_return(
        NewReturn(order.id, (NewReturnLine(product.sku, 1, reason, wish),), note="Demo return")
    )
    rma = db.session.get(ReturnAuthorisation, result.rma_id)
    rma.created_at = now - timedelta(days=1)
    return rma


def _label(rma: ReturnAuthorisation) -> None:
    """A label from the built-in carrier, whatever carrier the site uses: no network."""
    label = BuiltinCarrier(serial_for=labels.builtin_serial).return_label(
        labels.customer_address(rma.order.ship_to, rma.order.customer_email),
        labels.return_address(),
        labels.parcel_for(rma),
        "PDF_4x6",
        f"return-{rma.number}",
        order_number=order_number(rma.order_id),
    )
    rma.label_key = f"return-{rma.number}"
    labels.record_label(rma.id, label, None)
