"""The waiting queue: serving it when stock frees up, sending units back to it,
and the projected fill date of every waiting line.

Lines wait by priority class, then ``placed_at``; a unit that goes back to the
queue keeps its line's original place.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import bindparam, case, func, select, update

from wms.base.clock import iso, local_date, today
from wms.base.numbers import order_number
from wms.channels import outbox
from wms.config import setting
from wms.core import stock
from wms.core.allocation import Arrival, WaitingLine, day_for_tail, project_fill_dates
from wms.core.models import (
    OPEN_STATUSES,
    Inbound,
    InboundLine,
    Order,
    OrderLine,
    OrderStatus,
    StagedUnits,
)
from wms.database import for_update, is_postgres, prebuilt
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product, ProductStock

lines_t = OrderLine.__table__
orders_t = Order.__table__
ps = ProductStock.__table__

SERVE_BATCH = 50
# Statuses an order moves between as its units are reserved, wait or are held.
OPEN_FOR_STOCK = (
    OrderStatus.WAITING,
    OrderStatus.HELD,
    OrderStatus.READY_TO_PICK,
    OrderStatus.CROSS_DOCKING,
    OrderStatus.PICKING,
    OrderStatus.READY_TO_PACK,
)


def serve_waiting(product_id: int, skip_locked: bool = False) -> list[tuple[int, int, int]]:
    """Reserve free units of a product for its waiting lines, head of the queue first.

    Returns (line_id, order_id, qty) for every line that got units.
    """
    served: list[tuple[int, int, int]] = []
    stock.lock_products([product_id])
    while True:
        head = stock.lock_waiting_lines(product_id, SERVE_BATCH, skip_locked=skip_locked)
        stock_ran_out = False
        for line in head:
            got = stock.reserve_up_to(product_id, line.qty_waiting)
            if got:
                stock.move_waiting_to_reserved(line.id, got)
                stock.remove_waiting(product_id, got)
                served.append((line.id, line.order_id, got))
            if got < line.qty_waiting:
                stock_ran_out = True
                break
        if stock_ran_out or len(head) < SERVE_BATCH:
            break
    if served:
        after_lines_filled(served)
        outbox.emit_availability([product_id])
    return served


def after_lines_filled(
    served: list[tuple[int, int, int]], known: dict[int, tuple[int, int | None]] | None = None
) -> dict[int, tuple[int, int]]:
    """Tell the channels which waiting units were filled, and move the orders on.

    ``known`` may already say, per line id, (units it still waits for, its
    order's channel). Returns what ``refresh_order_status`` returns.
    """
    order_ids = sorted({order_id for _, order_id, _ in served})
    info = dict(known or {})
    missing = [line_id for line_id, _, _ in served if line_id not in info]
    if missing:
        rows = db.session.execute(_filled_lines(), {"line_ids": missing})
        info.update({row.id: (row.qty_waiting, row.channel_id) for row in rows})
    for line_id, order_id, qty in served:
        still_waiting, channel_id = info[line_id]
        outbox.emit(
            "backorder.filled",
            channel_id,
            f"order:{order_id}",
            {
                "order_id": order_id,
                "order_number": order_number(order_id),
                "line_id": line_id,
                "qty_filled": qty,
                "qty_still_waiting": still_waiting,
            },
        )
    return refresh_order_status(order_ids)


@prebuilt
def _filled_lines() -> Any:
    return (
        select(lines_t.c.id, lines_t.c.qty_waiting, orders_t.c.channel_id)
        .join(orders_t, orders_t.c.id == lines_t.c.order_id)
        .where(lines_t.c.id.in_(bindparam("line_ids", expanding=True)))
    )


def requeue(line_id: int, product_id: int, qty: int) -> None:
    """Send reserved units of a line back to the queue, in their original place."""
    stock.unreserve(product_id, qty)  # locks the product row first, then the line
    stock.lock_lines([line_id])
    stock.move_reserved_to_waiting(line_id, qty)
    stock.add_waiting(product_id, qty)
    order_id = db.session.scalar(select(lines_t.c.order_id).where(lines_t.c.id == line_id))
    refresh_order_status([order_id])
    recompute_projections(product_id)
    outbox.emit_availability([product_id])


def refresh_order_status(order_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Move open orders on from what their lines say; announce orders ready to pack.

    Returns, per open order, (units set aside for it, units it ships).

    * waiting: some unit waits for stock;
    * held: every unit reserved, but a preorder's product is not released yet;
    * ready to pack: every reserved unit is staged (in a lane, tote or at
      packing) — or, for an order that ships partially, every reserved unit
      is staged and what still waits has no fill date within the configured
      number of days;
    * cross-docking: every unit reserved and set aside, some still on their
      way from the receiving dock to the lane;
    * ready to pick: every unit reserved, some still on the shelf (an order
      being picked stays picking).
    """
    if not order_ids:
        return {}
    if is_postgres():
        # Read after the lock: two actions finishing one order at once (two receivers,
        # each bringing its last unit) both see the other's units, and it moves on once.
        db.session.execute(_lock_orders(), {"order_ids": sorted(set(order_ids))})
    rows = db.session.execute(_order_summary(), {"order_ids": list(order_ids)}).all()
    if not rows:
        return {}
    day = today()
    target: dict[str, list[int]] = defaultdict(list)
    ready: list[Any] = []
    for r in rows:
        status = _status_for(r, int(r.staged), int(r.on_dock), day)
        if status != r.status:
            target[status].append(r.id)
            if status == OrderStatus.READY_TO_PACK:
                ready.append(r)
    for status, ids in target.items():
        db.session.execute(_set_status(), {"order_ids": sorted(ids), "new_status": status})
    for r in ready:
        outbox.emit(
            "order.ready_to_pack",
            r.channel_id,
            f"order:{r.id}",
            {"order_id": r.id, "order_number": order_number(r.id), "partial": bool(r.waiting)},
        )
    return {r.id: (int(r.staged), int(r.units or 0)) for r in rows}


@prebuilt
def _lock_orders() -> Any:
    # FOR NO KEY UPDATE: the rows that name an order (staged units, parcels) take a key
    # share on it as they are written, which this lock lets through.
    return for_update(
        select(orders_t.c.id)
        .where(orders_t.c.id.in_(bindparam("order_ids", expanding=True)))
        .order_by(orders_t.c.id),
        key_share=True,
    )


@prebuilt
def _order_summary() -> Any:
    """Per open order: what its lines wait for and hold, and where its set-aside units are."""
    products_t = Product.__table__
    st = StagedUnits.__table__
    loc = Location.__table__
    staged = (
        select(func.coalesce(func.sum(st.c.qty), 0))
        .where(st.c.order_id == orders_t.c.id)
        .scalar_subquery()
    )
    on_dock = (
        select(func.coalesce(func.sum(st.c.qty), 0))
        .join(loc, loc.c.id == st.c.location_id)
        .where(st.c.order_id == orders_t.c.id, loc.c.kind == LocationKind.RECEIVING)
        .scalar_subquery()
    )
    waiting = lines_t.c.qty_waiting > 0
    return (
        select(
            orders_t.c.id,
            orders_t.c.status,
            orders_t.c.channel_id,
            orders_t.c.partial_allowed,
            func.sum(lines_t.c.qty_waiting).label("waiting"),
            func.sum(lines_t.c.qty_reserved).label("reserved"),
            func.max(products_t.c.release_on).label("release_on"),
            func.max(lines_t.c.projected_fill_on).label("last_fill_on"),
            func.sum(case((waiting, 1), else_=0)).label("waiting_lines"),
            func.sum(case((waiting & lines_t.c.projected_fill_on.is_(None), 1), else_=0)).label(
                "undated_lines"
            ),
            staged.label("staged"),
            on_dock.label("on_dock"),
            func.sum(lines_t.c.qty - lines_t.c.qty_cancelled).label("units"),
        )
        .join(lines_t, lines_t.c.order_id == orders_t.c.id)
        .join(products_t, products_t.c.id == lines_t.c.product_id)
        .where(
            orders_t.c.id.in_(bindparam("order_ids", expanding=True)),
            orders_t.c.status.in_(OPEN_FOR_STOCK),
        )
        .group_by(
            orders_t.c.id, orders_t.c.status, orders_t.c.channel_id, orders_t.c.partial_allowed
        )
    )


@prebuilt
def _set_status() -> Any:
    return (
        update(orders_t)
        .where(orders_t.c.id.in_(bindparam("order_ids", expanding=True)))
        .values(status=bindparam("new_status"))
    )


def _status_for(r: Any, staged: int, on_dock: int, day: date) -> str:
    reserved = int(r.reserved or 0)
    all_staged = reserved > 0 and staged >= reserved
    in_lanes = all_staged and on_dock == 0
    if r.waiting:
        if not (r.partial_allowed and reserved > 0 and _rest_is_far(r, day)):
            return OrderStatus.WAITING
        # else a partial shipment goes ahead with what is reserved: picked, then packed
    elif r.release_on is not None and r.release_on > day:
        return OrderStatus.HELD
    if in_lanes:
        return OrderStatus.READY_TO_PACK
    if all_staged:
        return OrderStatus.CROSS_DOCKING
    if r.status == OrderStatus.PICKING:
        return OrderStatus.PICKING
    return OrderStatus.READY_TO_PICK


def _rest_is_far(r: Any, day: date) -> bool:
    """What an order still waits for has no fill date, or one beyond the configured days."""
    if r.undated_lines:
        return True
    horizon = day + timedelta(days=int(setting("PARTIAL_READY_DAYS", 3)))
    return r.last_fill_on is not None and r.last_fill_on > horizon


def release_due_preorders() -> int:
    """On release day, held preorders become ready to pick. Returns how many moved."""
    products_t = Product.__table__
    due = list(
        db.session.scalars(
            select(orders_t.c.id)
            .where(orders_t.c.status == OrderStatus.HELD)
            .where(
                ~select(lines_t.c.id)
                .join(products_t, products_t.c.id == lines_t.c.product_id)
                .where(lines_t.c.order_id == orders_t.c.id, products_t.c.release_on > today())
                .exists()
            )
        )
    )
    refresh_order_status(due)
    return len(due)


def arrivals_for(product_id: int) -> list[Arrival]:
    """Open inbound lines still expected for a product, earliest first."""
    rows = db.session.execute(_arrivals(), {"pid": product_id})
    return [Arrival(ref=r[0], on=max(local_date(r[1]), today()), qty=r[2]) for r in rows]


@prebuilt
def _arrivals() -> Any:
    il = InboundLine.__table__
    ib = Inbound.__table__
    return (
        select(ib.c.id, ib.c.expected_at, il.c.qty_expected - il.c.qty_received)
        .join(ib, ib.c.id == il.c.inbound_id)
        .where(
            il.c.product_id == bindparam("pid"),
            ib.c.status.in_([s.value for s in OPEN_STATUSES]),
            il.c.qty_expected > il.c.qty_received,
        )
        .order_by(ib.c.expected_at, ib.c.id)
    )


def project_tail_line(product_id: int, waiting_through_line: int) -> date | None:
    """Projection for a line just added at the end of the queue."""
    return day_for_tail(waiting_through_line, arrivals_for(product_id))


def recompute_projections(
    product_id: int, notify: bool = True, quiet_order_id: int | None = None
) -> int:
    """Walk the product's whole queue against its inbounds; store and announce what moved.

    ``quiet_order_id`` is an order being taken in right now: its first date is
    part of its own announcement, not a change. Returns how many lines' dates changed.
    """
    rows = db.session.execute(_waiting_lines(), {"pid": product_id}).all()
    if not rows:
        return 0
    dates = project_fill_dates(
        [WaitingLine(r.id, r.priority, r.placed_at, r.qty_waiting) for r in rows],
        arrivals_for(product_id),
    )
    changed = [r for r in rows if dates[r.id] != r.projected_fill_on]
    if not changed:
        return 0
    db.session.execute(
        _set_fill_date(), [{"line_id": r.id, "new_date": dates[r.id]} for r in changed]
    )
    if notify:
        moved = [r for r in changed if r.order_id != quiet_order_id]
        if moved:
            _announce_projection_changes(moved, dates)
    return len(changed)


@prebuilt
def _waiting_lines() -> Any:
    return select(
        lines_t.c.id,
        lines_t.c.order_id,
        lines_t.c.line_no,
        lines_t.c.priority,
        lines_t.c.placed_at,
        lines_t.c.qty_waiting,
        lines_t.c.projected_fill_on,
    ).where(lines_t.c.product_id == bindparam("pid"), lines_t.c.qty_waiting > 0)


@prebuilt
def _set_fill_date() -> Any:
    return (
        update(lines_t)
        .where(lines_t.c.id == bindparam("line_id"))
        .values(projected_fill_on=bindparam("new_date"))
    )


def _announce_projection_changes(changed: list[Any], dates: dict[int, date | None]) -> None:
    by_order: dict[int, list[Any]] = defaultdict(list)
    for r in changed:
        by_order[r.order_id].append(r)
    channels = dict(
        db.session.execute(
            select(orders_t.c.id, orders_t.c.channel_id).where(orders_t.c.id.in_(list(by_order)))
        ).all()
    )
    for order_id, lines in by_order.items():
        outbox.emit(
            "order.projection_changed",
            channels[order_id],
            f"order:{order_id}",
            {
                "order_id": order_id,
                "order_number": order_number(order_id),
                "lines": [
                    {
                        "line_id": r.id,
                        "line": r.line_no,
                        "qty_waiting": r.qty_waiting,
                        "projected_fill_on": iso(dates[r.id]),
                        "previous_projected_fill_on": iso(r.projected_fill_on),
                    }
                    for r in lines
                ],
            },
        )
