"""What happens to stock and orders when a task is picked, found short or skipped."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import case, exists, func, insert, select, update

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import Conflict, InvalidInput
from wms.base.i18n import _
from wms.base.numbers import wave_code
from wms.core import stock
from wms.core.backorders import SERVE_BATCH, refresh_order_status, requeue, serve_waiting
from wms.core.ledger import Reason, move_stock
from wms.core.models import Order, OrderStatus
from wms.core.staging import stage_units
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, ProductStock
from wms.inventory.queries import first_active_location
from wms.picking.models import PickShortage, PickTask, TaskStatus, Wave, WaveOrder, WaveStatus
from wms.picking.queries import work

tasks_t = PickTask.__table__
orders_t = Order.__table__
ps = ProductStock.__table__
loc_t = Location.__table__


def _closing(added: Any) -> tuple[Any, Any]:
    """SET values that close a task in the same UPDATE once nothing is left to do."""
    done = tasks_t.c.qty_picked + tasks_t.c.qty_short + added >= tasks_t.c.qty
    return (
        case((done, TaskStatus.DONE), else_=TaskStatus.OPEN),
        case((done, utcnow()), else_=None),
    )


def confirm_pick(
    task_id: int, qty: int, tote: Location, user_id: int | None, expected_picked: int
) -> bool:
    """Move ``qty`` units of the task from its bin into ``tote`` for the order line.

    Applied once: the UPDATE only matches while the task still shows
    ``expected_picked`` units picked, so the same confirmation sent twice (a
    retry, a double tap, two handhelds) moves stock once. False when it had
    already been applied.
    """
    if qty <= 0:
        raise ValueError("a pick takes at least one unit")
    status, closed_at = _closing(qty)
    row = db.session.execute(
        update(tasks_t)
        .where(
            tasks_t.c.id == task_id,
            tasks_t.c.status == TaskStatus.OPEN,
            tasks_t.c.qty_picked == expected_picked,
            tasks_t.c.qty_picked + tasks_t.c.qty_short + qty <= tasks_t.c.qty,
        )
        .values(
            qty_picked=tasks_t.c.qty_picked + qty,
            picked_by_id=user_id,
            status=status,
            closed_at=closed_at,
        )
        .returning(
            tasks_t.c.wave_id,
            tasks_t.c.order_id,
            tasks_t.c.order_line_id,
            tasks_t.c.product_id,
            tasks_t.c.location_id,
        )
    ).first()
    if row is None:
        return False
    line = SimpleNamespace(id=row.order_line_id, order_id=row.order_id, product_id=row.product_id)
    bin_ = db.session.get(Location, row.location_id)
    stage_units(line, qty, bin_, tote, Reason.PICK, wave_code(row.wave_id), user_id)
    refresh_order_status([row.order_id])
    return True


@dataclass(frozen=True)
class ShortPick:
    qty_short: int  # sent back to the queue
    qty_found: int  # still to be picked into the tote
    qty_set_aside: int  # moved out of sellable stock until the bin is counted
    set_aside_at: str | None
    served_again: int  # units of the product given to waiting lines at once


def short_pick(task_id: int, found: int, user_id: int | None, expected_left: int) -> ShortPick:
    """The bin holds only ``found`` of the units the task still needs.

    * the shortage is recorded and the bin flagged for a count
      (``locations.count_requested_at``);
    * the unpicked units go back to the waiting queue in their line's
      original place (``requeue``);
    * the units the ledger counts in the bin that are not there are moved to
      the exceptions location, so they are not sold again before the count
      (only as many as are not promised to other orders: those stay until
      the other orders' pickers find the bin short too);
    * freed units elsewhere serve the waiting queue at once.

    The ``found`` units stay in the bin's ledger until they are confirmed
    into the tote (``confirm_pick``).
    """
    task, bin_, held = _check_short(task_id, found, expected_left)
    shortage = expected_left - found
    _close_short(task_id, shortage, expected_left)
    reference = wave_code(task.wave_id)
    # The lock order every path keeps (wms.core.stock): the bin's row (locked above) and
    # the row of the place missing units are set aside in, then the product's counters,
    # then the head of its queue, as receiving and serving the queue below take them.
    aside = first_active_location(LocationKind.EXCEPTIONS, LocationKind.QUARANTINE)
    if aside is not None and held > found:
        stock.lock_arrival(task.product_id, aside.id)
    stock.lock_products([task.product_id])
    stock.lock_waiting_lines(task.product_id, SERVE_BATCH)
    requeue(task.order_line_id, task.product_id, shortage)
    set_aside, where = _set_aside_missing(
        task.product_id, bin_, held - found, aside, reference, user_id
    )
    _flag_for_count(bin_.id)
    db.session.execute(
        insert(PickShortage.__table__).values(
            task_id=task.id,
            wave_id=task.wave_id,
            order_line_id=task.order_line_id,
            product_id=task.product_id,
            location_id=bin_.id,
            qty_short=shortage,
            qty_found=found,
            qty_on_hand=held,
            qty_set_aside=set_aside,
            set_aside_location_id=where.id if where else None,
            user_id=user_id,
            created_at=utcnow(),
        )
    )
    served = serve_waiting(task.product_id)
    _keep_picking([order_id for _line, order_id, _qty in served])
    audit.record(
        user_id, "pick.short", "pick_task", task.id, wave=reference, short=shortage, found=found
    )
    return ShortPick(
        shortage, found, set_aside, where.code if where else None, sum(row[-1] for row in served)
    )


def _check_short(task_id: int, found: int, expected_left: int) -> tuple[PickTask, Location, int]:
    """The task, its bin, and what the ledger says the bin holds (row locked)."""
    task = db.session.get(PickTask, task_id, populate_existing=True)
    if task is None or task.status != TaskStatus.OPEN or task.qty_left != expected_left:
        raise Conflict(_("That line has changed; scan again."))
    bin_ = db.session.get(Location, task.location_id)
    assert bin_ is not None
    if found >= expected_left:
        raise InvalidInput(
            _("Then it is not short: take %(num)s and scan the item.", num=expected_left)
        )
    if found < 0:
        raise InvalidInput(_("Type how many you can take, 0 if the bin is empty."))
    held = work.on_hand(task.product_id, task.location_id)
    if found > held:
        raise InvalidInput(
            _(
                "The ledger says %(bin)s holds %(held)s; take at most %(held)s.",
                bin=bin_.code,
                held=held,
            )
        )
    return task, bin_, held


def _close_short(task_id: int, shortage: int, expected_left: int) -> None:
    status, closed_at = _closing(shortage)
    result = db.session.execute(
        update(tasks_t)
        .where(
            tasks_t.c.id == task_id,
            tasks_t.c.status == TaskStatus.OPEN,
            tasks_t.c.qty - tasks_t.c.qty_picked - tasks_t.c.qty_short == expected_left,
        )
        .values(qty_short=tasks_t.c.qty_short + shortage, status=status, closed_at=closed_at)
    )
    if result.rowcount != 1:
        raise Conflict(_("That line has changed; scan again."))


def _set_aside_missing(
    product_id: int,
    bin_: Location,
    missing: int,
    where: Location | None,
    reference: str,
    user_id: int | None,
) -> tuple[int, Location | None]:
    if missing <= 0:
        return 0, None
    free = db.session.scalar(
        select(ps.c.qty_sellable - ps.c.qty_reserved).where(ps.c.product_id == product_id)
    )
    qty = min(missing, max(0, free or 0))
    if qty == 0:
        return 0, None
    if where is None:
        return 0, None  # nowhere to put them: they wait in the bin for the count
    move_stock(product_id, qty, bin_, where, Reason.MISSING, reference, user_id)
    return qty, where


def _flag_for_count(location_id: int) -> None:
    """Ask stock control to count the bin; the first request's time is kept."""
    db.session.execute(
        update(loc_t)
        .where(loc_t.c.id == location_id, loc_t.c.count_requested_at.is_(None))
        .values(count_requested_at=utcnow())
    )


def _keep_picking(order_ids: list[int]) -> None:
    """Orders given units again while their started wave runs stay in picking."""
    if not order_ids:
        return
    wo = WaveOrder.__table__
    waves_t = Wave.__table__
    in_started_wave = exists().where(
        wo.c.order_id == orders_t.c.id,
        wo.c.active.is_(True),
        waves_t.c.id == wo.c.wave_id,
        waves_t.c.started_at.is_not(None),
        waves_t.c.status.in_([WaveStatus.READY, WaveStatus.PICKING]),
    )
    db.session.execute(
        update(orders_t)
        .where(
            orders_t.c.id.in_(sorted(set(order_ids))),
            orders_t.c.status == OrderStatus.READY_TO_PICK,
            in_started_wave,
        )
        .values(status=OrderStatus.PICKING)
    )


def postpone_task(wave_id: int, task_id: int) -> None:
    """Send a task to the end of the walk (SKIP)."""
    last = db.session.scalar(
        select(func.max(tasks_t.c.postponed)).where(tasks_t.c.wave_id == wave_id)
    )
    db.session.execute(
        update(tasks_t)
        .where(tasks_t.c.id == task_id, tasks_t.c.status == TaskStatus.OPEN)
        .values(postponed=(last or 0) + 1)
    )


def cancel_tasks_of_cancelled_orders(wave_id: int) -> int:
    """Open tasks whose order was cancelled meanwhile are dropped; returns how many."""
    gone = list(
        db.session.scalars(
            select(tasks_t.c.id)
            .join(orders_t, orders_t.c.id == tasks_t.c.order_id)
            .where(
                tasks_t.c.wave_id == wave_id,
                tasks_t.c.status == TaskStatus.OPEN,
                orders_t.c.status == OrderStatus.CANCELLED,
            )
        )
    )
    if gone:  # rare: read first, so a scan that finds none writes nothing
        db.session.execute(
            update(tasks_t)
            .where(tasks_t.c.id.in_(gone), tasks_t.c.status == TaskStatus.OPEN)
            .values(status=TaskStatus.CANCELLED, closed_at=utcnow())
        )
    return len(gone)


def drop_open_tasks(order_id: int) -> int:
    """An order cancelled while it is picked: its tasks still open are dropped, in one
    guarded statement (a pick confirmed at the same moment either lands first, and its
    units are staged, or finds the task closed and moves nothing). Returns how many."""
    dropped = db.session.execute(
        update(tasks_t)
        .where(tasks_t.c.order_id == order_id, tasks_t.c.status == TaskStatus.OPEN)
        .values(status=TaskStatus.CANCELLED, closed_at=utcnow())
    )
    return int(dropped.rowcount)  # type: ignore[attr-defined]
