"""Units set aside for an order: in a staging lane, a hold lane, a tote or at packing.

Receiving (cross-dock), picking and packing all put units of reserved order
lines somewhere on their way to the dock. ``staged_units`` says, per order
line and place, how many are there; the ledger says the same thing per
product and place. An order whose reserved units are all staged is ready to
pack.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select, update

from wms.base.clock import utcnow
from wms.core import stock
from wms.core.ledger import Place, move_stock
from wms.core.models import StagedUnits
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Location

staged_t = StagedUnits.__table__


def staged_per_line(*where: Any) -> Any:
    """A subquery of the units staged per order line (``order_line_id``, ``qty``), over the
    staged rows ``where`` keeps."""
    return (
        select(staged_t.c.order_line_id, func.sum(staged_t.c.qty).label("qty"))
        .where(*where)
        .group_by(staged_t.c.order_line_id)
        .subquery()
    )


def stage_units(
    line: Any,
    qty: int,
    from_location: Place | None,
    to_location: Place,
    reason: str,
    reference: str = "",
    user_id: int | None = None,
) -> None:
    """Move ``qty`` reserved units of an order line to ``to_location`` and record them there.

    ``line`` needs ``id``, ``order_id`` and ``product_id``. Units already staged
    for the line at ``from_location`` (a tote going to packing) move with it.
    """
    move_stock(line.product_id, qty, from_location, to_location, reason, reference, user_id)
    if from_location is not None:
        take_staged(line.id, from_location.id, qty, missing_ok=True)
    add_staged(line, to_location.id, qty)


@prebuilt
def _add_staged() -> Any:
    stmt = stock.upsert(staged_t).values(
        order_line_id=bindparam("line_id"),
        order_id=bindparam("b_order_id"),
        product_id=bindparam("b_product_id"),
        location_id=bindparam("b_location_id"),
        qty=bindparam("n"),
        staged_at=bindparam("now"),
        updated_at=bindparam("now"),
    )
    return stmt.on_conflict_do_update(
        index_elements=["order_line_id", "location_id"],
        set_={"qty": staged_t.c.qty + stmt.excluded.qty, "updated_at": stmt.excluded.updated_at},
    )


def add_staged(line: Any, location_id: int, qty: int) -> None:
    """Record units of a line as set aside at a place (the ledger moves them separately)."""
    db.session.execute(
        _add_staged(),
        {
            "line_id": line.id,
            "b_order_id": line.order_id,
            "b_product_id": line.product_id,
            "b_location_id": location_id,
            "n": qty,
            "now": utcnow(),
        },
    )


@prebuilt
def _take_staged() -> Any:
    qty = bindparam("n")
    return (
        update(staged_t)
        .where(
            staged_t.c.order_line_id == bindparam("line_id"),
            staged_t.c.location_id == bindparam("b_location_id"),
            staged_t.c.qty >= qty,
        )
        .values(qty=staged_t.c.qty - qty, updated_at=bindparam("now"))
    )


def take_staged(line_id: int, location_id: int, qty: int, missing_ok: bool = False) -> int:
    """Take up to ``qty`` staged units of a line from a place; returns how many there were."""
    result = db.session.execute(
        _take_staged(),
        {"line_id": line_id, "b_location_id": location_id, "n": qty, "now": utcnow()},
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return qty
    if not missing_ok:
        raise ValueError(f"line {line_id} has fewer than {qty} units staged there")
    return 0


def staged_for_order(order_id: int) -> list[Any]:
    """Where an order's staged units are: (line id, product id, location code, kind, qty)."""
    return db.session.execute(
        select(
            staged_t.c.order_line_id,
            staged_t.c.product_id,
            Location.code,
            Location.kind,
            staged_t.c.qty,
        )
        .join(Location, Location.id == staged_t.c.location_id)
        .where(staged_t.c.order_id == order_id, staged_t.c.qty > 0)
        .order_by(Location.code, staged_t.c.order_line_id)
    ).all()
