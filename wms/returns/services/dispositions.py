"""Rework, quarantine and exceptions queues: units that wait for a supervisor.

A queue is what the stock rows say is in those places (returned units and
any others, such as damaged inbound units), with the returned items there
listed beside them. Released units go to a bin and serve waiting orders
first; scrapped units leave stock with a reason. Moves of returned units
carry their RMA number as the ledger reference.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select, update

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import Conflict, InvalidInput
from wms.base.i18n import N_, _
from wms.base.numbers import rma_number
from wms.core import backorders, stock
from wms.core.ledger import NotEnoughStock, Reason, move_stock
from wms.database import for_update
from wms.extensions import db
from wms.inventory.models import Location, Stock
from wms.receiving.services import routing
from wms.returns.models import ReturnItem
from wms.returns.queries.queues import QUEUE_KINDS

# Kept as written with the scrapped items; shown with _() on the desk.
SCRAP_REASONS = (
    N_("Damaged beyond repair"),
    N_("Defective"),
    N_("Missing parts"),
    N_("Hygiene: opened"),
    N_("Not ours, cannot go back"),
    N_("Other"),
)
items_t = ReturnItem.__table__


# ------------------------------------------------------------------ actions


def release_units(
    location_id: int, product_id: int, qty: int, user_id: int, held: int | None = None
) -> Location:
    """Back to sellable stock: to a bin, then to the waiting orders first. Returns the bin.

    ``held`` is what the supervisor saw the place hold: when it holds something
    else now (the same form sent twice, a move meanwhile), nothing moves.
    """
    source = _queue_location(location_id)
    _check_qty(source, product_id, qty, held, lock=False)  # a form refused locks nothing
    # The lock order of wms.core.stock: units going back to a bin take the bin's row
    # before the row of the place they leave, as units set aside from a bin take them.
    target, _reason = routing.suggest_bin(product_id, qty)
    stock.lock_arrival(product_id, target.id)
    _check_qty(source, product_id, qty, held)
    for reference, units in _settle(source, product_id, qty, "released", "", user_id):
        move_stock(product_id, units, source, target, Reason.RELEASE, reference, user_id)
    backorders.serve_waiting(product_id)
    backorders.recompute_projections(product_id)
    audit.record(
        user_id,
        "returns.released",
        "location",
        source.code,
        product_id=product_id,
        qty=qty,
        to=target.code,
    )
    return target


def scrap_units(
    location_id: int,
    product_id: int,
    qty: int,
    reason: str,
    user_id: int,
    held: int | None = None,
) -> None:
    """Written off: the units leave stock, with the reason on every returned item
    (``held`` as for ``release_units``)."""
    source = _queue_location(location_id)
    _check_qty(source, product_id, qty, held)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the units are scrapped."))
    for reference, units in _settle(source, product_id, qty, "scrapped", reason, user_id):
        move_stock(product_id, units, source, None, Reason.SCRAP, reference, user_id)
    audit.record(
        user_id,
        "returns.scrapped",
        "location",
        source.code,
        product_id=product_id,
        qty=qty,
        reason=reason,
    )


def settle_unknown(item_id: int, note: str, user_id: int) -> None:
    """An unknown item was dealt with (sent back, identified): off the list."""
    done = db.session.execute(
        update(items_t)
        .where(
            items_t.c.id == item_id,
            items_t.c.product_id.is_(None),
            items_t.c.settled_at.is_(None),
        )
        .values(
            settled_at=utcnow(), settled_by=user_id, outcome="resolved", outcome_note=note[:200]
        )
    )
    if done.rowcount != 1:
        raise Conflict(_("That item was already dealt with."))
    audit.record(user_id, "returns.resolved", "return_item", item_id, note=note[:200])


def _queue_location(location_id: int) -> Location:
    location = db.session.get(Location, location_id)
    if location is None or location.kind not in QUEUE_KINDS:
        raise InvalidInput(_("That is not a rework, quarantine or exceptions location."))
    return location


def _check_qty(
    source: Location, product_id: int, qty: int, held: int | None, lock: bool = True
) -> None:
    if qty <= 0:
        raise InvalidInput(_("Give a quantity above zero."))
    # The row is locked so what it holds is still so when the units move.
    row = select(Stock.qty_on_hand).where(
        Stock.location_id == source.id, Stock.product_id == product_id
    )
    on_hand = db.session.scalar(for_update(row) if lock else row)
    if held is not None and (on_hand or 0) != held:
        raise Conflict(
            _(
                "%(location)s now holds %(now)s of that product, not the %(held)s shown: "
                "reload the queue and look again.",
                location=source.code,
                now=on_hand or 0,
                held=held,
            )
        ).with_code("changed_meanwhile")
    if (on_hand or 0) < qty:
        raise NotEnoughStock(
            _(
                "%(location)s holds %(held)s of that product, not %(qty)s.",
                location=source.code,
                held=on_hand or 0,
                qty=qty,
            ),
            location=source.code,
        )


def _settle(
    source: Location, product_id: int, qty: int, outcome: str, note: str, user_id: int
) -> list[tuple[str, int]]:
    """Mark the oldest returned items there as settled; (ledger reference, units) per RMA.

    Units beyond the returned items (from receiving, say) are referenced by the place.
    """
    items = db.session.execute(
        select(items_t.c.id, items_t.c.rma_id, items_t.c.qty)
        .where(
            items_t.c.location_id == source.id,
            items_t.c.product_id == product_id,
            items_t.c.settled_at.is_(None),
        )
        .order_by(items_t.c.id)
    ).all()
    taken: list[int] = []
    per_rma: dict[int, int] = defaultdict(int)
    left = qty
    for item in items:
        if item.qty > left:
            break  # an item is settled whole; a scan of a case is released as a case
        taken.append(item.id)
        per_rma[item.rma_id] += item.qty
        left -= item.qty
    if taken:
        done = db.session.execute(
            update(items_t)
            .where(items_t.c.id.in_(taken), items_t.c.settled_at.is_(None))
            .values(settled_at=utcnow(), settled_by=user_id, outcome=outcome, outcome_note=note)
        )
        if done.rowcount != len(taken):
            raise Conflict(
                _("Someone else dealt with these units meanwhile. Reload and try again.")
            )
    moves = [(rma_number(rma_id), units) for rma_id, units in sorted(per_rma.items())]
    if left:
        moves.append((f"{outcome} at {source.code}", left))
    return moves
