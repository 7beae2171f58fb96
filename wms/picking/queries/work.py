"""Every query of the picking area that locks rows or reads what a bin can still give.

Locks are taken in a fixed order so two transactions never wait on each other
in a circle. Waves are built one at a time (``lock_wave_building``), each
locking the bin stock rows it reads in id order; a picker's scan locks its wave
row; totes are handed out one transaction at a time (``lock_totes``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, select

from wms.core.models import Order, OrderLine, OrderStatus
from wms.core.staging import staged_per_line, staged_t
from wms.database import for_update, is_postgres
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Stock
from wms.picking.models import PickTask, TaskStatus, Wave, WaveOrder, WaveStatus
from wms.picking.rules import BinStock, CandidateOrder, NeedLine

orders_t = Order.__table__
lines_t = OrderLine.__table__
stock_t = Stock.__table__
loc_t = Location.__table__
tasks_t = PickTask.__table__
wave_orders_t = WaveOrder.__table__
waves_t = Wave.__table__


def candidate_orders(
    channel_id: int | None,
    service_level: str | None,
    priority: int | None,
    limit: int,
) -> list[int]:
    """Orders ready to pick and in no wave, most urgent first (call ``lock_wave_building``)."""
    in_a_wave = exists().where(
        wave_orders_t.c.order_id == orders_t.c.id, wave_orders_t.c.active.is_(True)
    )
    stmt = select(orders_t.c.id).where(orders_t.c.status == OrderStatus.READY_TO_PICK, ~in_a_wave)
    if channel_id is not None:
        stmt = stmt.where(orders_t.c.channel_id == channel_id)
    if service_level:
        stmt = stmt.where(orders_t.c.service_level == service_level)
    if priority is not None:
        stmt = stmt.where(orders_t.c.priority == priority)
    stmt = stmt.order_by(
        orders_t.c.priority,
        orders_t.c.promised_on.is_(None),
        orders_t.c.promised_on,
        orders_t.c.placed_at,
        orders_t.c.id,
    ).limit(limit)
    return list(db.session.scalars(stmt))


def units_to_pick(order_ids: list[int]) -> list[CandidateOrder]:
    """Per order, each line's reserved units not yet staged anywhere, in the given order."""
    if not order_ids:
        return []
    staged = staged_per_line(staged_t.c.order_id.in_(order_ids))
    rows = db.session.execute(
        select(
            lines_t.c.order_id,
            lines_t.c.id,
            lines_t.c.product_id,
            (lines_t.c.qty_reserved - func.coalesce(staged.c.qty, 0)).label("left"),
        )
        .outerjoin(staged, staged.c.order_line_id == lines_t.c.id)
        .where(lines_t.c.order_id.in_(order_ids), lines_t.c.qty_reserved > 0)
        .order_by(lines_t.c.order_id, lines_t.c.line_no)
    ).all()
    by_order: dict[int, list[NeedLine]] = {oid: [] for oid in order_ids}
    for r in rows:
        if r.left > 0:
            by_order[r.order_id].append(NeedLine(r.id, r.product_id, int(r.left)))
    return [CandidateOrder(oid, tuple(by_order[oid])) for oid in order_ids if by_order[oid]]


def lock_bins_and_read_free(product_ids: list[int]) -> dict[int, list[BinStock]]:
    """Lock the bin stock rows of these products (id order) and say what each can still give.

    Free = on hand - units open pick tasks will take from it. Holding the
    locks until commit means a second wave built at the same moment waits,
    then sees this wave's tasks.
    """
    if not product_ids:
        return {}
    bin_rows = select(stock_t.c.id).where(
        stock_t.c.product_id.in_(sorted(set(product_ids))),
        stock_t.c.location_id.in_(
            select(loc_t.c.id).where(loc_t.c.kind == LocationKind.BIN, loc_t.c.active.is_(True))
        ),
    )
    if is_postgres():
        db.session.execute(bin_rows.order_by(stock_t.c.id).with_for_update())
    allocated = (
        select(
            tasks_t.c.product_id,
            tasks_t.c.location_id,
            func.sum(tasks_t.c.qty - tasks_t.c.qty_picked - tasks_t.c.qty_short).label("qty"),
        )
        .where(tasks_t.c.status == TaskStatus.OPEN, tasks_t.c.product_id.in_(product_ids))
        .group_by(tasks_t.c.product_id, tasks_t.c.location_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            stock_t.c.product_id,
            loc_t.c.id,
            loc_t.c.code,
            loc_t.c.walk_seq,
            (stock_t.c.qty_on_hand - func.coalesce(allocated.c.qty, 0)).label("free"),
        )
        .join(loc_t, loc_t.c.id == stock_t.c.location_id)
        .outerjoin(
            allocated,
            and_(
                allocated.c.product_id == stock_t.c.product_id,
                allocated.c.location_id == stock_t.c.location_id,
            ),
        )
        .where(stock_t.c.id.in_(bin_rows), stock_t.c.qty_on_hand > 0)
    ).all()
    out: dict[int, list[BinStock]] = {}
    for r in rows:
        if r.free > 0:
            out.setdefault(r.product_id, []).append(BinStock(r.id, r.code, r.walk_seq, r.free))
    return out


def next_ready_wave() -> int | None:
    """The most urgent wave nobody is picking, locked; waves others are claiming are skipped."""
    stmt = (
        select(waves_t.c.id)
        .where(waves_t.c.status == WaveStatus.READY)
        .order_by(waves_t.c.priority, waves_t.c.id)
        .limit(1)
    )
    return db.session.scalar(for_update(stmt, skip_locked=True))


def held_wave(user_id: int, lock: bool = True) -> Wave | None:
    """The wave this picker is picking, its row locked for the rest of the action."""
    stmt = (
        select(Wave)
        .where(Wave.picker_id == user_id, Wave.status == WaveStatus.PICKING)
        .order_by(Wave.id)
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(for_update(stmt) if lock else stmt)


# Constants of our own: keys of transaction-scoped advisory locks.
WAVE_BUILDING_LOCK_KEY = 5_431_000
TOTES_LOCK_KEY = 5_431_001
PICKER_LOCK_CLASS = 5_431_002  # with the picker's user id as the second key


def lock_wave_building() -> None:
    """Build one wave at a time (until commit).

    Each build then sees the waves committed before it: an order cannot land
    in two waves, and units a wave took are not free for the next. Locking the
    candidate order rows instead would hold every candidate, not just the
    orders taken, and leave a second supervisor with nothing to build.
    """
    if is_postgres():
        db.session.execute(select(func.pg_advisory_xact_lock(WAVE_BUILDING_LOCK_KEY)))


def lock_picker(user_id: int) -> None:
    """One wave claim at a time per picker (until commit): two handhelds of one picker
    asking at once get one wave between them, not one each. No row stands for "the
    waves a picker holds" to lock instead."""
    if is_postgres():
        db.session.execute(select(func.pg_advisory_xact_lock(PICKER_LOCK_CLASS, user_id)))


def lock_totes() -> None:
    """Hand out totes one transaction at a time (until commit).

    A row lock on the tote is not enough: a wave started a moment earlier
    binds the tote in ``wave_orders`` without changing the tote's row, so a
    second transaction could still see it free. Starting waves is rare; the
    wait is a few milliseconds. SQLite's single writer already serializes.
    """
    if is_postgres():
        db.session.execute(select(func.pg_advisory_xact_lock(TOTES_LOCK_KEY)))


def free_totes(limit: int) -> list[Any]:
    """Empty totes in no active wave, in code order (call ``lock_totes`` first)."""
    holds_stock = exists().where(stock_t.c.location_id == loc_t.c.id, stock_t.c.qty_on_hand > 0)
    bound = exists().where(
        wave_orders_t.c.tote_location_id == loc_t.c.id, wave_orders_t.c.active.is_(True)
    )
    stmt = (
        select(loc_t.c.id, loc_t.c.code)
        .where(
            loc_t.c.kind == LocationKind.TOTE,
            loc_t.c.active.is_(True),
            ~holds_stock,
            ~bound,
        )
        .order_by(loc_t.c.code)
        .limit(limit)
    )
    return list(db.session.execute(stmt))


def tote_is_free(location_id: int) -> bool:
    return not db.session.scalar(
        select(
            exists().where(stock_t.c.location_id == location_id, stock_t.c.qty_on_hand > 0)
            | exists().where(
                wave_orders_t.c.tote_location_id == location_id,
                wave_orders_t.c.active.is_(True),
            )
        )
    )


def on_hand(product_id: int, location_id: int) -> int:
    """Units the ledger counts of a product in a location, the row locked until commit."""
    stmt = select(stock_t.c.qty_on_hand).where(
        stock_t.c.product_id == product_id, stock_t.c.location_id == location_id
    )
    return int(db.session.scalar(for_update(stmt)) or 0)
