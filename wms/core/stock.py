"""The counters orders race for, and every query that locks them.

Each change is one guarded UPDATE (``... WHERE qty_sellable - qty_reserved >= :n``)
so two transactions can never both take the last unit; nothing here reads a
counter into Python to write it back. Locks are taken in one order: the on-hand rows
a movement changes, the one where units leave then the one where they arrive (as
``ledger.move_stock`` changes them, before the counters), then product counter rows by
product id, then order lines by id. An action that takes the counters before it moves
units locks both on-hand rows first (``lock_in_location``, ``lock_arrival``). Between a
bin and a place units are set aside in (quarantine, exceptions, rework) the bin's row
comes first either way: units released from there to a bin lock the bin's row before
they leave, as units set aside from a bin do.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, bindparam, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from wms.base.errors import Conflict, DomainError, NotFound
from wms.base.i18n import _
from wms.core.models import Inbound, Order, OrderLine
from wms.database import for_update, is_postgres, prebuilt
from wms.extensions import db
from wms.inventory.models import ProductStock, Stock

ps = ProductStock.__table__
stock_t = Stock.__table__
lines_t = OrderLine.__table__


def upsert(table: Any) -> Any:
    """INSERT ... ON CONFLICT for the database in use."""
    return (postgresql if is_postgres() else sqlite).insert(table)


def ensure_product_stock(product_ids: list[int]) -> None:
    if not product_ids:
        return
    # executemany, not one multi-row VALUES: a bulk import passes thousands of ids.
    stmt = upsert(ps).on_conflict_do_nothing(index_elements=["product_id"])
    db.session.execute(stmt, [{"product_id": pid} for pid in product_ids])


@prebuilt
def _reserve() -> Any:
    qty = bindparam("n")
    return (
        update(ps)
        .where(ps.c.product_id == bindparam("pid"), ps.c.qty_sellable - ps.c.qty_reserved >= qty)
        .values(qty_reserved=ps.c.qty_reserved + qty)
    )


def reserve(product_id: int, qty: int) -> bool:
    """Reserve exactly ``qty`` units, or nothing."""
    result = db.session.execute(_reserve(), {"pid": product_id, "n": qty})
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


@prebuilt
def _reserve_for_waiting() -> Any:
    qty = bindparam("n")
    return (
        update(ps)
        .where(
            ps.c.product_id == bindparam("pid"),
            ps.c.qty_sellable - ps.c.qty_reserved >= qty,
            ps.c.qty_waiting >= qty,
        )
        .values(qty_reserved=ps.c.qty_reserved + qty, qty_waiting=ps.c.qty_waiting - qty)
    )


def reserve_for_waiting(product_id: int, qty: int) -> bool:
    """Reserve exactly ``qty`` units for waiting lines and count them as no longer waiting,
    in one statement; or nothing."""
    result = db.session.execute(_reserve_for_waiting(), {"pid": product_id, "n": qty})
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def reserve_up_to(product_id: int, qty: int) -> int:
    """Reserve as many of ``qty`` units as are free; returns how many."""
    if qty <= 0:
        return 0
    if reserve(product_id, qty):
        return qty
    # Short: lock the row, then take what is free with the same guard.
    free = db.session.scalar(_free_locked(), {"pid": product_id})
    take = min(qty, max(0, free or 0))
    if take and reserve(product_id, take):
        return take
    return 0


@prebuilt
def _free_locked() -> Any:
    return for_update(
        select(ps.c.qty_sellable - ps.c.qty_reserved).where(ps.c.product_id == bindparam("pid"))
    )


def unreserve(product_id: int, qty: int) -> None:
    if qty <= 0:
        return
    result = db.session.execute(
        update(ps)
        .where(ps.c.product_id == product_id, ps.c.qty_reserved >= qty)
        .values(qty_reserved=ps.c.qty_reserved - qty)
    )
    if result.rowcount != 1:
        raise RuntimeError(f"product {product_id} holds fewer than {qty} reserved units")


@prebuilt
def _add_sellable() -> Any:
    stmt = upsert(ps).values(product_id=bindparam("pid"), qty_sellable=bindparam("delta"))
    return stmt.on_conflict_do_update(
        index_elements=["product_id"],
        set_={"qty_sellable": ps.c.qty_sellable + stmt.excluded.qty_sellable},
    )


@prebuilt
def _change_sellable() -> Any:
    delta, release = bindparam("delta"), bindparam("release")
    return (
        update(ps)
        .where(
            ps.c.product_id == bindparam("pid"),
            ps.c.qty_reserved >= release,
            ps.c.qty_sellable + delta >= ps.c.qty_reserved - release,
        )
        .values(qty_sellable=ps.c.qty_sellable + delta, qty_reserved=ps.c.qty_reserved - release)
    )


def change_sellable(product_id: int, delta: int, release_reserved: int = 0) -> bool:
    """Add or remove sellable units, optionally releasing reservations in the same statement.

    Removing units is refused (False) if it would leave fewer sellable units
    than are promised to orders.
    """
    if delta >= 0 and release_reserved == 0:
        db.session.execute(_add_sellable(), {"pid": product_id, "delta": delta})
        return True
    result = db.session.execute(
        _change_sellable(), {"pid": product_id, "delta": delta, "release": release_reserved}
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def claim_preorder(product_id: int, qty: int, cap: int | None) -> bool:
    """Count ``qty`` units as preordered, within the product's preorder cap if it has one.

    Every preorder is counted, capped or not: cancelling one takes its units
    off the count, and the preorder demand the desk shows is this count.
    """
    stmt = update(ps).where(ps.c.product_id == product_id)
    if cap is not None:
        stmt = stmt.where(ps.c.qty_preordered + qty <= cap)
    result = db.session.execute(stmt.values(qty_preordered=ps.c.qty_preordered + qty))
    return result.rowcount == 1


def release_preorder(product_id: int, qty: int) -> None:
    if qty > 0:
        db.session.execute(
            update(ps)
            .where(ps.c.product_id == product_id)
            .values(qty_preordered=ps.c.qty_preordered - qty)
        )


def add_waiting(product_id: int, qty: int) -> int:
    """Count ``qty`` more units waiting; returns the product's waiting total afterwards."""
    result = db.session.execute(_add_waiting(), {"pid": product_id, "n": qty})
    return int(result.scalar_one())


@prebuilt
def _add_waiting() -> Any:
    return (
        update(ps)
        .where(ps.c.product_id == bindparam("pid"))
        .values(qty_waiting=ps.c.qty_waiting + bindparam("n"))
        .returning(ps.c.qty_waiting)
    )


@prebuilt
def _remove_waiting() -> Any:
    return (
        update(ps)
        .where(ps.c.product_id == bindparam("pid"))
        .values(qty_waiting=ps.c.qty_waiting - bindparam("n"))
    )


def remove_waiting(product_id: int, qty: int) -> None:
    if qty > 0:
        db.session.execute(_remove_waiting(), {"pid": product_id, "n": qty})


@prebuilt
def _take_from_location() -> Any:
    qty = bindparam("n")
    return (
        update(stock_t)
        .where(
            stock_t.c.product_id == bindparam("pid"),
            stock_t.c.location_id == bindparam("lid"),
            stock_t.c.qty_on_hand >= qty,
        )
        .values(qty_on_hand=stock_t.c.qty_on_hand - qty)
    )


def take_from_location(product_id: int, location_id: int, qty: int) -> bool:
    result = db.session.execute(
        _take_from_location(), {"pid": product_id, "lid": location_id, "n": qty}
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]


@prebuilt
def _put_in_location() -> Any:
    stmt = upsert(stock_t).values(
        product_id=bindparam("pid"), location_id=bindparam("lid"), qty_on_hand=bindparam("n")
    )
    return stmt.on_conflict_do_update(
        index_elements=["product_id", "location_id"],
        set_={"qty_on_hand": stock_t.c.qty_on_hand + stmt.excluded.qty_on_hand},
    )


def put_in_location(product_id: int, location_id: int, qty: int) -> None:
    db.session.execute(_put_in_location(), {"pid": product_id, "lid": location_id, "n": qty})


def lock_waiting_lines(product_id: int, limit: int, skip_locked: bool = False) -> list[Any]:
    """The head of a product's waiting queue, locked, in the order it is served; each row
    also says the order's channel."""
    stmt = _waiting_head_skipping() if skip_locked else _waiting_head_waiting()
    return list(db.session.execute(stmt, {"pid": product_id, "limit": limit}))


def waiting_head() -> Any:
    """The select behind ``lock_waiting_lines``, unlocked, for callers that join more to it
    (bind ``pid`` and ``limit``; lock it with ``locking_lines``)."""
    orders_t = Order.__table__
    return (
        select(
            lines_t.c.id,
            lines_t.c.order_id,
            lines_t.c.qty_waiting,
            lines_t.c.kind,
            lines_t.c.priority,
            lines_t.c.placed_at,
            orders_t.c.channel_id,
        )
        .join(orders_t, orders_t.c.id == lines_t.c.order_id)
        .where(lines_t.c.product_id == bindparam("pid"), lines_t.c.qty_waiting > 0)
        .order_by(lines_t.c.priority, lines_t.c.placed_at, lines_t.c.id)
        .limit(bindparam("limit", type_=Integer))
    )


def locking_lines(stmt: Any, skip_locked: bool = False) -> Any:
    """``stmt`` taking row locks on the order lines it reads (and on nothing it joins)."""
    return for_update(stmt, of=lines_t, skip_locked=skip_locked)


_waiting_head_waiting = prebuilt(lambda: locking_lines(waiting_head()))
_waiting_head_skipping = prebuilt(lambda: locking_lines(waiting_head(), skip_locked=True))


def lock_products(product_ids: list[int]) -> None:
    """Lock products' counter rows, in id order.

    Every action that changes both counters and order lines takes the
    product rows first, then the lines: one order for all, so no two actions
    ever wait on each other in a circle.
    """
    if product_ids and is_postgres():
        db.session.execute(
            select(ps.c.product_id)
            .where(ps.c.product_id.in_(sorted(set(product_ids))))
            .order_by(ps.c.product_id)
            .with_for_update()
        )


def lock_in_location(product_id: int, location_id: int) -> None:
    """Lock a product's on-hand row in a location, as a movement out of it would: for an
    action that takes the counters before it moves the units (``lock_products``)."""
    lock_in_locations([(product_id, location_id)])


def lock_in_locations(pairs: list[tuple[int, int]]) -> None:
    """``lock_in_location`` for several (product id, location id), in that order."""
    if pairs and is_postgres():
        db.session.execute(
            select(stock_t.c.id)
            .where(tuple_(stock_t.c.product_id, stock_t.c.location_id).in_(sorted(set(pairs))))
            .order_by(stock_t.c.product_id, stock_t.c.location_id)
            .with_for_update()
        )


def lock_arrival(product_id: int, location_id: int) -> None:
    """Lock a product's on-hand row in a location units will arrive in, making it (empty)
    when there is none yet, as the movement into it would: for an action that takes the
    counters before it moves the units (a row made here holds nothing and is never shown)."""
    if is_postgres():
        put_in_location(product_id, location_id, 0)


def lock_lines(line_ids: list[int]) -> None:
    """Lock order lines in id order before changing them."""
    if line_ids and is_postgres():
        db.session.execute(
            select(lines_t.c.id)
            .where(lines_t.c.id.in_(sorted(line_ids)))
            .order_by(lines_t.c.id)
            .with_for_update()
        )


def lock_open_inbound(
    inbound_id: int, *, missing: type[DomainError] = NotFound, already: bool = False
) -> Inbound:
    """An open inbound, its row locked and its state read after the lock: starting,
    closing and changing one inbound happen one after the other.

    An inbound that does not exist raises ``missing`` (a 404 for the desk and the API,
    a sentence for the floor's ``InvalidInput``); one no longer open, a Conflict naming
    its status (``already`` closed, for a second close).
    """
    stmt = for_update(select(Inbound).where(Inbound.id == inbound_id))
    inbound = db.session.scalar(stmt.execution_options(populate_existing=True))
    if inbound is None:
        raise missing(_("There is no such inbound."))
    if not inbound.is_open:
        status = _(inbound.status_label)
        if already:
            raise Conflict(
                _(
                    "Inbound %(reference)s is already %(status)s.",
                    reference=inbound.reference,
                    status=status,
                )
            )
        raise Conflict(
            _("Inbound %(reference)s is %(status)s.", reference=inbound.reference, status=status)
        )
    return inbound


@prebuilt
def _waiting_to_reserved() -> Any:
    qty = bindparam("n")
    return (
        update(lines_t)
        .where(lines_t.c.id == bindparam("lid"), lines_t.c.qty_waiting >= qty)
        .values(qty_waiting=lines_t.c.qty_waiting - qty, qty_reserved=lines_t.c.qty_reserved + qty)
    )


def move_waiting_to_reserved(line_id: int, qty: int) -> None:
    result = db.session.execute(_waiting_to_reserved(), {"lid": line_id, "n": qty})
    _applied(result, f"order line {line_id} waits for fewer than {qty} units")


def move_reserved_to_waiting(line_id: int, qty: int) -> None:
    result = db.session.execute(
        update(lines_t)
        .where(lines_t.c.id == line_id, lines_t.c.qty_reserved >= qty)
        .values(qty_waiting=lines_t.c.qty_waiting + qty, qty_reserved=lines_t.c.qty_reserved - qty)
    )
    _applied(result, f"order line {line_id} holds fewer than {qty} reserved units")


def _applied(result: Any, otherwise: str) -> None:
    """The line's guard held; else the product's counters, already changed with it, would
    no longer match its lines: the whole action is refused instead."""
    if result.rowcount != 1:
        raise RuntimeError(otherwise)
