"""Taking units from the receiving dock where they go: a lane, a shelf, quarantine."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, update

from wms.base.clock import utcnow
from wms.base.errors import Conflict
from wms.base.i18n import _
from wms.base.numbers import order_number
from wms.channels import outbox
from wms.core import backorders
from wms.core.lanes import mark_first_unit
from wms.core.ledger import Reason, move_stock
from wms.core.staging import add_staged, take_staged
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Location
from wms.receiving.models import Destination, DockUnit, DockUnitStatus
from wms.receiving.queries import PendingUnit
from wms.receiving.services.routing import StagedLine


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
        raise Conflict(_("Someone already took those units from the dock. Scan the next unit."))
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
