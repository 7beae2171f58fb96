"""Shipping a labelled parcel: units leave the building, the order (or its shipped lines)
is shipped, and the channel hears of it with the tracking number."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update

from wms.base.clock import iso, utcnow
from wms.base.errors import Conflict
from wms.base.i18n import _
from wms.channels import outbox
from wms.core import stock
from wms.core.backorders import refresh_order_status
from wms.core.lanes import release_lane
from wms.core.ledger import Reason, move_stock
from wms.core.models import Order, OrderLine, OrderStatus, StagedUnits
from wms.core.staging import take_staged
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product
from wms.shipping.models import LabelState, Parcel, ParcelLine, ParcelStatus

staged_t = StagedUnits.__table__
lines_t = OrderLine.__table__
orders_t = Order.__table__


def ship_parcel(parcel: Parcel, user_id: int | None) -> Order:
    """Move the parcel's units out of the building and ship its order lines."""
    order = db.session.get(Order, parcel.order_id)
    assert order is not None
    if parcel.status == ParcelStatus.SHIPPED:
        return order
    if parcel.label_state != LabelState.BOUGHT:
        raise Conflict(_("%(order)s has no label yet; buy the label first.", order=order.number))
    rows = db.session.execute(
        select(ParcelLine, OrderLine.line_no, Product.sku)
        .join(OrderLine, OrderLine.id == ParcelLine.order_line_id)
        .join(Product, Product.id == ParcelLine.product_id)
        .where(ParcelLine.parcel_id == parcel.id, ParcelLine.qty > 0)
        .order_by(ParcelLine.product_id, ParcelLine.order_line_id)
    ).all()
    # The units' rows at the pack station(s), then the products' counters, then the lines,
    # as every other path takes them: a unit received for the rest of a line, or another
    # order's units put back from the same station, must not wait on us while we wait on it.
    stock.lock_in_locations(_at_pack_stations([pl.order_line_id for pl, _n, _sku in rows]))
    stock.lock_products([pl.product_id for pl, _line_no, _sku in rows])
    stock.lock_lines([pl.order_line_id for pl, _line_no, _sku in rows])
    reference = f"{order.number} {parcel.tracking_number}"
    shipped: list[dict[str, Any]] = []
    for pl, line_no, sku in rows:
        _take_out(pl, sku, order.number, reference, user_id)
        moved = db.session.execute(
            update(lines_t)
            .where(lines_t.c.id == pl.order_line_id, lines_t.c.qty_reserved >= pl.qty)
            .values(
                qty_reserved=lines_t.c.qty_reserved - pl.qty,
                qty_shipped=lines_t.c.qty_shipped + pl.qty,
            )
        )
        if moved.rowcount != 1:
            raise Conflict(
                _(
                    "%(sku)s on %(order)s is no longer reserved; call a supervisor.",
                    sku=sku,
                    order=order.number,
                )
            )
        shipped.append({"line": line_no, "sku": sku, "qty_shipped": pl.qty})
    now = utcnow()
    parcel.status = ParcelStatus.SHIPPED
    parcel.shipped_at = now
    parcel.touched_at = now
    partial = _move_order_on(order.id, now)
    _announce(order, parcel, shipped, partial, now)
    db.session.expire(order)
    return order


def _at_pack_stations(line_ids: list[int]) -> list[tuple[int, int]]:
    """(product id, location id) of the pack stations where the lines' units are."""
    return [
        (product_id, location_id)
        for product_id, location_id in db.session.execute(
            select(staged_t.c.product_id, staged_t.c.location_id)
            .join(Location, Location.id == staged_t.c.location_id)
            .where(
                staged_t.c.order_line_id.in_(line_ids),
                staged_t.c.qty > 0,
                Location.kind == LocationKind.PACKING,
            )
        )
    ]


def _take_out(pl: ParcelLine, sku: str, number: str, reference: str, user_id: int | None) -> None:
    """The line's verified units leave from the pack station(s) they were brought to."""
    places = db.session.execute(
        select(Location, staged_t.c.qty)
        .join(Location, Location.id == staged_t.c.location_id)
        .where(
            staged_t.c.order_line_id == pl.order_line_id,
            staged_t.c.qty > 0,
            Location.kind == LocationKind.PACKING,
        )
        .order_by(Location.id)
    ).all()
    left = pl.qty
    for location, qty in places:
        n = min(qty, left)
        if n <= 0:
            break
        move_stock(
            pl.product_id, n, location, None, Reason.SHIP, reference, user_id, release_reserved=n
        )
        take_staged(pl.order_line_id, location.id, n)
        left -= n
    if left:
        raise Conflict(
            _(
                "%(left)s of %(sku)s for %(order)s are not at a pack station; scan them in again.",
                left=left,
                sku=sku,
                order=number,
            )
        )


def _move_order_on(order_id: int, now: Any) -> bool:
    """Shipped when nothing is left; otherwise the rest waits in its place. Returns partial."""
    reserved, waiting = db.session.execute(
        select(
            func.coalesce(func.sum(lines_t.c.qty_reserved), 0),
            func.coalesce(func.sum(lines_t.c.qty_waiting), 0),
        ).where(lines_t.c.order_id == order_id)
    ).one()
    if not reserved and not waiting:
        db.session.execute(
            update(orders_t)
            .where(orders_t.c.id == order_id)
            .values(status=OrderStatus.SHIPPED, shipped_at=now, updated_at=now)
        )
        release_lane(order_id)  # its place in the lane is free for the next order
        return False
    # Back among the open orders; the status that fits is worked out as for any other.
    db.session.execute(
        update(orders_t)
        .where(orders_t.c.id == order_id)
        .values(status=OrderStatus.WAITING, updated_at=now)
    )
    refresh_order_status([order_id])
    return True


def _announce(
    order: Order, parcel: Parcel, shipped: list[dict[str, Any]], partial: bool, now: Any
) -> None:
    outbox.emit(
        "order.shipped",
        order.channel_id,
        f"order:{order.id}",
        {
            "order_id": order.id,
            "order_number": order.number,
            "external_id": order.external_id,
            "partial": partial,
            "carrier": parcel.carrier,
            "service": parcel.service,
            "tracking_number": parcel.tracking_number,
            "tracking_url": parcel.tracking_url,
            "weight_g": parcel.weight_g,
            "shipped_at": iso(now),
            "lines": shipped,
        },
    )
