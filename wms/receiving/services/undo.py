"""UNDO on the receive screen: the receiver's last scan taken back, as if never made."""

from __future__ import annotations

from sqlalchemy import func, select, update

from wms.base.errors import Conflict, InvalidInput
from wms.base.i18n import Text, _, n_
from wms.core import backorders, stock
from wms.core.lanes import release_lane
from wms.core.ledger import Reason, move_stock
from wms.core.models import InboundLine, OrderLine, StagedUnits
from wms.core.staging import take_staged
from wms.extensions import db
from wms.inventory.models import Location
from wms.receiving.models import Destination, DockUnit, DockUnitStatus

dock_t = DockUnit.__table__


def undo_last_scan(user_id: int) -> Text:
    """Take back the receiver's last scan that is still on the dock, as if it never happened;
    returns what the receiver is told."""
    last = db.session.scalar(
        select(DockUnit)
        .where(DockUnit.received_by == user_id, DockUnit.status == DockUnitStatus.ON_DOCK)
        .order_by(DockUnit.id.desc())
        .limit(1)
    )
    if last is None:
        raise InvalidInput(_("Nothing on the dock to undo."))
    # Taken off the dock first, in one guarded UPDATE: of two UNDOs at once (or an UNDO
    # and the place scanned), one takes the units back, the other finds them gone.
    claimed = set(
        db.session.scalars(
            update(dock_t)
            .where(
                dock_t.c.scan_group == last.scan_group, dock_t.c.status == DockUnitStatus.ON_DOCK
            )
            .values(status=DockUnitStatus.UNDONE)
            .returning(dock_t.c.id)
        )
    )
    if not claimed:
        raise Conflict(_("That scan was just undone or put in its place. Scan the next unit."))
    units = [
        u
        for u in db.session.scalars(
            select(DockUnit)
            .where(DockUnit.id.in_(claimed))
            .order_by(DockUnit.id)
            .execution_options(populate_existing=True)
        )
    ]
    total = sum(u.qty for u in units)
    if last.product_id is not None:
        _take_back(user_id, units, last.product_id, total)
    product = last.product
    if product is None:
        return n_(
            "Undone: %(num)s unit of the unknown code %(code)s.",
            "Undone: %(num)s units of the unknown code %(code)s.",
            total,
            code=last.scanned_code,
        )
    return n_(
        "Undone: %(num)s unit of %(sku)s (%(name)s).",
        "Undone: %(num)s units of %(sku)s (%(name)s).",
        total,
        sku=product.sku,
        name=product.name,
    )


def _take_back(user_id: int, units: list[DockUnit], product_id: int, total: int) -> None:
    dock = db.session.get(Location, units[0].dock_location_id)
    assert dock is not None
    inbound = units[0].inbound
    # In the order a scan of the product at this dock takes them (wms.core.stock): the
    # inbound's line, the units' row on the dock, then the counters (a requeue) and lines.
    _uncount(inbound.id, product_id, units, total)
    stock.lock_in_location(product_id, dock.id)
    for unit in units:
        # Units of an order cancelled meanwhile were released with it: nothing to requeue.
        if unit.order_line_id is not None and take_staged(
            unit.order_line_id, dock.id, unit.qty, missing_ok=True
        ):
            line = db.session.get(OrderLine, unit.order_line_id)
            backorders.requeue(line.id, product_id, unit.qty)
            if not _order_has_lane_units(line.order_id):
                release_lane(line.order_id)
        if unit.held_qty:
            stock.unreserve(product_id, unit.held_qty)
    move_stock(product_id, total, dock, None, Reason.UNDO, inbound.reference, user_id)
    backorders.recompute_projections(product_id)


def _uncount(inbound_id: int, product_id: int, units: list[DockUnit], total: int) -> None:
    """The inbound no longer counts the units received (nor those of them damaged)."""
    damaged = sum(
        u.qty
        for u in units
        if u.destination == Destination.QUARANTINE and u.reason.startswith("Damaged")
    )
    lines = InboundLine.__table__
    db.session.execute(
        update(lines)
        .where(lines.c.inbound_id == inbound_id, lines.c.product_id == product_id)
        .values(
            qty_received=lines.c.qty_received - total,
            qty_damaged=lines.c.qty_damaged - damaged,
        )
    )


def _order_has_lane_units(order_id: int) -> bool:
    table = StagedUnits.__table__
    return bool(
        db.session.scalar(
            select(func.coalesce(func.sum(table.c.qty), 0)).where(table.c.order_id == order_id)
        )
    )
