"""Units on the receiving dock: what waits there, and taking it where it goes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from wms.base.clock import utcnow
from wms.base.errors import Conflict
from wms.base.numbers import order_number
from wms.channels import outbox
from wms.core import backorders
from wms.core.lanes import mark_first_unit
from wms.core.ledger import LocationRef, Reason, move_stock
from wms.core.models import Inbound, Order, OrderLine
from wms.core.staging import add_staged, take_staged
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Location, Product
from wms.receiving import routing
from wms.receiving.models import Destination, DockUnit, DockUnitStatus


@dataclass(frozen=True)
class StagedLine:
    """The three facts about an order line that staging needs."""

    id: int
    order_id: int
    product_id: int


@dataclass(frozen=True)
class PendingUnit:
    """Units on the dock not yet taken where they go, with what confirming them needs."""

    id: int
    product_id: int | None
    sku: str | None
    scanned_code: str
    qty: int
    destination: str
    dock: LocationRef
    to_location_id: int
    to_code: str
    order_line_id: int | None
    order_id: int | None
    line_no: int | None
    channel_id: int | None
    held_qty: int
    received_at: datetime
    reference: str


@prebuilt
def _pending_query() -> Any:
    du = DockUnit.__table__
    dock = Location.__table__.alias("dock")
    to = Location.__table__.alias("dest")
    products = Product.__table__
    lines = OrderLine.__table__
    orders = Order.__table__
    inbounds = Inbound.__table__
    return (
        select(
            du.c.id,
            du.c.product_id,
            products.c.sku,
            du.c.scanned_code,
            du.c.qty,
            du.c.destination,
            dock.c.id.label("dock_id"),
            dock.c.code.label("dock_code"),
            dock.c.kind.label("dock_kind"),
            du.c.to_location_id,
            to.c.code.label("to_code"),
            du.c.order_line_id,
            lines.c.order_id,
            lines.c.line_no,
            orders.c.channel_id,
            du.c.held_qty,
            du.c.received_at,
            inbounds.c.reference,
        )
        .select_from(du)
        .join(dock, dock.c.id == du.c.dock_location_id)
        .join(to, to.c.id == du.c.to_location_id)
        .join(inbounds, inbounds.c.id == du.c.inbound_id)
        .outerjoin(products, products.c.id == du.c.product_id)
        .outerjoin(lines, lines.c.id == du.c.order_line_id)
        .outerjoin(orders, orders.c.id == lines.c.order_id)
        .where(du.c.status == DockUnitStatus.ON_DOCK)
        .order_by(du.c.id)
    )


def _pending(row: Any) -> PendingUnit:
    return PendingUnit(
        id=row.id,
        product_id=row.product_id,
        sku=row.sku,
        scanned_code=row.scanned_code,
        qty=row.qty,
        destination=row.destination,
        dock=LocationRef(row.dock_id, row.dock_code, row.dock_kind),
        to_location_id=row.to_location_id,
        to_code=row.to_code,
        order_line_id=row.order_line_id,
        order_id=row.order_id,
        line_no=row.line_no,
        channel_id=row.channel_id,
        held_qty=row.held_qty,
        received_at=row.received_at,
        reference=row.reference,
    )


_pending_of_user = prebuilt(
    lambda: _pending_query().where(DockUnit.__table__.c.received_by == bindparam("user_id"))
)
_pending_by_id = prebuilt(
    lambda: _pending_query().where(DockUnit.__table__.c.id == bindparam("unit_id"))
)


def pending_units(user_id: int | None = None) -> list[PendingUnit]:
    """Units on the dock not yet taken where they go (of one receiver, or everyone's)."""
    if user_id is None:
        rows = db.session.execute(_pending_query())
    else:
        rows = db.session.execute(_pending_of_user(), {"user_id": user_id})
    return [_pending(row) for row in rows]


def pending_unit(unit_id: int) -> PendingUnit | None:
    """One dock unit still on the dock, or None once it was confirmed or undone."""
    row = db.session.execute(_pending_by_id(), {"unit_id": unit_id}).first()
    return _pending(row) if row is not None else None


def move_to_destination(
    user_id: int, unit: PendingUnit, location: Location, override_reason: str = ""
) -> None:
    """Take units from the dock to ``location``: staged for their order in a lane, else
    moved to the shelf or quarantine. Refused if someone already took them."""
    taken = db.session.execute(
        _take_from_dock(),
        {
            "unit_id": unit.id,
            "user_id": user_id,
            "now": utcnow(),
            "place_id": location.id,  # the one it was bound for, unless overridden
            "why": override_reason[:100],
        },
    )
    if taken.rowcount != 1:
        raise Conflict("Someone already took those units from the dock. Scan the next unit.")
    if unit.destination in (Destination.CROSS_DOCK, Destination.HOLD):
        if unit.order_line_id is None or unit.order_id is None:
            raise RuntimeError(f"dock unit {unit.id} goes to a lane but names no order line")
        staged = take_staged(unit.order_line_id, unit.dock.id, unit.qty, missing_ok=True)
        move_stock(
            unit.product_id,  # type: ignore[arg-type]
            unit.qty,
            unit.dock,
            location,
            Reason.CROSS_DOCK,
            unit.reference,
            user_id,
        )
        if not staged:
            # The order was cancelled while the units waited on the dock, and its units
            # were released then: they stay where the receiver took them, promised to
            # nobody, and are put away from there like a cancelled preorder's.
            return
        line = StagedLine(unit.order_line_id, unit.order_id, unit.product_id)  # type: ignore[arg-type]
        add_staged(line, location.id, unit.qty)
        mark_first_unit(unit.order_id)
        outbox.emit(
            "order.unit_cross_docked",
            unit.channel_id,
            f"order:{unit.order_id}",
            {
                "order_id": unit.order_id,
                "order_number": order_number(unit.order_id),
                "line": unit.line_no,
                "sku": unit.sku,
                "qty": unit.qty,
                "lane": location.code,
            },
        )
        backorders.refresh_order_status([unit.order_id])
    elif unit.product_id is not None:
        reason = Reason.QUARANTINE if unit.destination == Destination.QUARANTINE else Reason.PUTAWAY
        move_stock(
            unit.product_id,
            unit.qty,
            unit.dock,
            location,
            reason,
            unit.reference,
            user_id,
            release_reserved=unit.held_qty,
        )


@prebuilt
def _take_from_dock() -> Any:
    du = DockUnit.__table__
    return (
        update(du)
        .where(du.c.id == bindparam("unit_id"), du.c.status == DockUnitStatus.ON_DOCK)
        .values(
            status=DockUnitStatus.CONFIRMED,
            confirmed_by=bindparam("user_id"),
            confirmed_at=bindparam("now"),
            to_location_id=bindparam("place_id"),
            override_reason=bindparam("why"),
        )
    )


def destination_label(unit: PendingUnit | routing.Routed) -> str:
    code = unit.to_code if isinstance(unit, PendingUnit) else unit.location_code
    word = {
        Destination.CROSS_DOCK: "LANE",
        Destination.HOLD: "HOLD",
        Destination.PUTAWAY: "BIN",
        Destination.QUARANTINE: "QUARANTINE",
    }[unit.destination]
    return f"{word} {code}"


def dwell_minutes(since: datetime, now: datetime | None = None) -> int:
    return max(0, int(((now or utcnow()) - since).total_seconds() // 60))
