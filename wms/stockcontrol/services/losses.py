"""Units found and units lost, with the promises to orders kept true.

A loss of sellable units that leaves fewer than are reserved first sends
reserved units back to the waiting queue (the back of the queue first, each
line in its original place), then writes the loss; found units serve the
queue at once.
"""

from __future__ import annotations

from sqlalchemy import func, select

from wms.core import backorders, stock
from wms.core.backorders import OPEN_FOR_STOCK
from wms.core.ledger import move_stock
from wms.core.models import Order, OrderLine, StagedUnits
from wms.core.staging import staged_per_line
from wms.database import for_update
from wms.extensions import db
from wms.inventory.models import SELLABLE_KINDS, Location, ProductStock
from wms.stockcontrol.rules import ReservedLine, lines_to_requeue, units_to_requeue

lines_t = OrderLine.__table__
orders_t = Order.__table__
staged_t = StagedUnits.__table__
ps = ProductStock.__table__


def _reserved_on_shelf(product_id: int, at_most: int) -> list[ReservedLine]:
    """The back of the product's reserved lines, enough to give up ``at_most`` units."""
    staged = staged_per_line(staged_t.c.product_id == product_id)
    rows = db.session.execute(
        select(
            lines_t.c.id,
            lines_t.c.priority,
            lines_t.c.placed_at,
            (lines_t.c.qty_reserved - func.coalesce(staged.c.qty, 0)).label("unstaged"),
        )
        .join(orders_t, orders_t.c.id == lines_t.c.order_id)
        .outerjoin(staged, staged.c.order_line_id == lines_t.c.id)
        .where(
            lines_t.c.product_id == product_id,
            lines_t.c.qty_reserved > 0,
            orders_t.c.status.in_([s.value for s in OPEN_FOR_STOCK]),
        )
        .order_by(lines_t.c.priority.desc(), lines_t.c.placed_at.desc(), lines_t.c.id.desc())
    )
    out: list[ReservedLine] = []
    total = 0
    for row in rows:
        if row.unstaged <= 0:
            continue
        out.append(ReservedLine(row.id, row.priority, row.placed_at, row.unstaged))
        total += row.unstaged
        if total >= at_most:
            break
    return out


def take_out(
    product_id: int,
    qty: int,
    from_location: Location,
    to_location: Location | None,
    reason: str,
    reference: str,
    user_id: int | None,
) -> int:
    """Move units out of a location (to None: out of the building); returns units requeued."""
    requeued = 0
    leaves_sellable = from_location.kind in SELLABLE_KINDS and (
        to_location is None or to_location.kind not in SELLABLE_KINDS
    )
    if leaves_sellable:
        # The lock order every path keeps (wms.core.stock): the units' row in the bin and
        # in the place they go (quarantine), then the counters, then the lines.
        stock.lock_in_location(product_id, from_location.id)
        if to_location is not None:
            stock.lock_arrival(product_id, to_location.id)
        counters = db.session.execute(
            for_update(
                select(ps.c.qty_sellable, ps.c.qty_reserved).where(ps.c.product_id == product_id)
            )
        ).one()
        candidates = _reserved_on_shelf(product_id, qty)
        stock.lock_lines([c.line_id for c in candidates])
        # Read again under the locks: a line may have shipped or been cancelled meanwhile.
        locked = {c.line_id for c in candidates}
        candidates = [c for c in _reserved_on_shelf(product_id, qty) if c.line_id in locked]
        needed = units_to_requeue(counters.qty_sellable, counters.qty_reserved, qty)
        for line_id, units in lines_to_requeue(candidates, needed):
            backorders.requeue(line_id, product_id, units)
            requeued += units
    move_stock(product_id, qty, from_location, to_location, reason, reference, user_id)
    return requeued


def put_in(
    product_id: int,
    qty: int,
    to_location: Location,
    reason: str,
    reference: str,
    user_id: int | None,
) -> int:
    """Units that turned up, into a location; waiting orders get them. Returns units served."""
    move_stock(product_id, qty, None, to_location, reason, reference, user_id)
    if to_location.kind not in SELLABLE_KINDS:
        return 0
    return sum(units for _, _, units in backorders.serve_waiting(product_id))
