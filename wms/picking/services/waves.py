"""Waves: building them at the desk, handing them to pickers, closing them.

Services flush and never commit; the request (or the caller) commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update

from wms.auth import audit
from wms.auth.models import User
from wms.base.clock import utcnow
from wms.base.errors import Conflict, InvalidInput, NotFound
from wms.base.i18n import _
from wms.base.numbers import order_number, wave_code
from wms.core.backorders import refresh_order_status
from wms.core.models import Order, OrderStatus
from wms.database import existing
from wms.extensions import db
from wms.inventory.models import Product
from wms.picking.models import PickTask, Step, TaskStatus, Wave, WaveOrder, WaveStatus
from wms.picking.queries import work
from wms.picking.rules import WavePlan, plan_wave

orders_t = Order.__table__
tasks_t = PickTask.__table__
wave_orders_t = WaveOrder.__table__
waves_t = Wave.__table__

MAX_ORDERS_LIMIT = 200
MAX_LINES_LIMIT = 2000
# How far down the ready orders a build looks for orders that fit.
CANDIDATE_FACTOR = 4
CANDIDATE_MIN = 100


@dataclass(frozen=True)
class WaveCriteria:
    channel_id: int | None = None
    service_level: str | None = None
    priority: int | None = None
    max_orders: int = 10
    max_lines: int = 40

    def check(self) -> None:
        if not 1 <= self.max_orders <= MAX_ORDERS_LIMIT:
            raise InvalidInput(_("A wave holds 1 to %(max)s orders.", max=MAX_ORDERS_LIMIT))
        if not 1 <= self.max_lines <= MAX_LINES_LIMIT:
            raise InvalidInput(_("A wave holds 1 to %(max)s lines.", max=MAX_LINES_LIMIT))


@dataclass
class BuiltWave:
    wave_id: int | None
    orders: int = 0
    lines: int = 0
    # Orders that matched but could not be taken: (order number, SKU not in the bins).
    left_out: list[tuple[str, str]] = field(default_factory=list)

    @property
    def code(self) -> str | None:
        return wave_code(self.wave_id) if self.wave_id else None


def build_wave(criteria: WaveCriteria, user_id: int | None = None) -> BuiltWave:
    """A wave of orders ready to pick, each line given bins in walking order.

    Orders whose units are not all in bins yet (still on the receiving dock,
    say) are left out and named. Returns ``wave_id`` None when no order fits.
    """
    criteria.check()
    work.lock_wave_building()
    limit = max(CANDIDATE_MIN, criteria.max_orders * CANDIDATE_FACTOR)
    order_ids = work.candidate_orders(
        criteria.channel_id, criteria.service_level, criteria.priority, limit
    )
    candidates = work.units_to_pick(order_ids)
    product_ids = sorted({line.product_id for c in candidates for line in c.lines})
    bins = work.lock_bins_and_read_free(product_ids)
    plan = plan_wave(candidates, bins, criteria.max_orders, criteria.max_lines)
    left_out = _name_left_out(plan.left_out)
    if not plan.order_ids:
        return BuiltWave(None, left_out=left_out)

    wave = _insert_wave(plan, criteria, user_id)
    audit.record(
        user_id, "wave.build", "wave", wave.code, orders=len(plan.order_ids), lines=len(plan.tasks)
    )
    return BuiltWave(wave.id, len(plan.order_ids), len(plan.tasks), left_out)


def _insert_wave(plan: WavePlan, criteria: WaveCriteria, user_id: int | None) -> Wave:
    priorities = db.session.scalars(
        select(orders_t.c.priority).where(orders_t.c.id.in_(plan.order_ids))
    ).all()
    wave = Wave(
        status=WaveStatus.READY,
        priority=min(priorities),
        criteria=_criteria_json(criteria),
        created_by_id=user_id,
    )
    db.session.add(wave)
    db.session.flush()
    # Cart slots follow the walk: the order picked first sits in slot 1.
    first_seq: dict[int, tuple[int, int]] = {}
    for task in plan.tasks:
        key = (task.walk_seq, task.location_id)
        first_seq[task.order_id] = min(first_seq.get(task.order_id, key), key)
    slots = sorted(plan.order_ids, key=lambda oid: (first_seq[oid], oid))
    wave_order_ids: dict[int, int] = {}
    for slot, order_id in enumerate(slots, start=1):
        wave_order_ids[order_id] = db.session.execute(
            insert(wave_orders_t)
            .values(wave_id=wave.id, order_id=order_id, slot=slot, active=True)
            .returning(wave_orders_t.c.id)
        ).scalar_one()
    db.session.execute(
        insert(tasks_t),
        [
            {
                "wave_id": wave.id,
                "wave_order_id": wave_order_ids[t.order_id],
                "order_id": t.order_id,
                "order_line_id": t.line_id,
                "product_id": t.product_id,
                "location_id": t.location_id,
                "walk_seq": t.walk_seq,
                "qty": t.qty,
                "qty_picked": 0,
                "qty_short": 0,
                "postponed": 0,
                "status": TaskStatus.OPEN,
            }
            for t in plan.tasks
        ],
    )
    return wave


def _criteria_json(c: WaveCriteria) -> dict[str, Any]:
    return {
        "channel_id": c.channel_id,
        "service_level": c.service_level,
        "priority": c.priority,
        "max_orders": c.max_orders,
        "max_lines": c.max_lines,
    }


def _name_left_out(left_out: list[tuple[int, int]]) -> list[tuple[str, str]]:
    if not left_out:
        return []
    skus = dict(
        db.session.execute(
            select(Product.id, Product.sku).where(Product.id.in_({p for _number, p in left_out}))
        ).all()
    )
    return [(order_number(oid), skus[pid]) for oid, pid in left_out]


# ------------------------------------------------------------------ pickers


def claim_next_wave(user_id: int) -> Wave | None:
    """The wave this picker holds, else the most urgent one nobody is picking.

    Two pickers asking at once get different waves: the candidate row is
    locked with SKIP LOCKED and taken with an UPDATE guarded on its status.
    """
    work.lock_picker(user_id)
    held = work.held_wave(user_id)
    if held is not None:
        return held
    for _attempt in range(20):
        wave_id = work.next_ready_wave()
        if wave_id is None:
            return None
        wave = _take(wave_id, user_id)
        if wave is not None:
            return wave
    return None


def claim_wave(user_id: int, wave_id: int) -> Wave:
    """Take a given wave (its pick list's barcode was scanned)."""
    work.lock_picker(user_id)
    held = work.held_wave(user_id)
    if held is not None:
        if held.id == wave_id:
            return held
        raise Conflict(_("You are picking %(wave)s; finish it first.", wave=held.code))
    wave = db.session.get(Wave, wave_id)
    if wave is None:
        raise NotFound(_("There is no wave %(wave)s.", wave=wave_code(wave_id)))
    taken = _take(wave_id, user_id)
    if taken is None:
        db.session.refresh(wave)
        raise Conflict(_why_not_ready(wave))
    return taken


def _why_not_ready(wave: Wave) -> str:
    if wave.status == WaveStatus.PICKING:
        picker = db.session.get(User, wave.picker_id) if wave.picker_id else None
        who = picker.display_name if picker else "someone else"
        return f"{wave.code} is being picked by {who}."
    if wave.status == WaveStatus.DONE:
        return f"{wave.code} is already picked."
    return f"{wave.code} was cancelled."


def _take(wave_id: int, user_id: int) -> Wave | None:
    now = utcnow()
    result = db.session.execute(
        update(waves_t)
        .where(waves_t.c.id == wave_id, waves_t.c.status == WaveStatus.READY)
        .values(status=WaveStatus.PICKING, picker_id=user_id, claimed_at=now)
    )
    if result.rowcount != 1:
        return None
    wave = db.session.get(Wave, wave_id, populate_existing=True)
    assert wave is not None
    if wave.started_at is None and not start_wave(wave):
        return None
    return wave


def start_wave(wave: Wave) -> bool:
    """Orders still ready to pick move to picking; the others leave the wave.

    Each order gets an empty tote while there are free ones; an order left
    without one gets whichever empty tote the picker scans at its first pick.
    False when no order is left (the wave is then cancelled).
    """
    members = db.session.execute(
        select(wave_orders_t.c.id, wave_orders_t.c.order_id)
        .where(wave_orders_t.c.wave_id == wave.id, wave_orders_t.c.active.is_(True))
        .order_by(wave_orders_t.c.slot)
    ).all()
    order_ids = sorted(m.order_id for m in members)
    moved = set(
        db.session.scalars(
            update(orders_t)
            .where(orders_t.c.id.in_(order_ids), orders_t.c.status == OrderStatus.READY_TO_PICK)
            .values(status=OrderStatus.PICKING)
            .returning(orders_t.c.id)
        )
    )
    gone = [m.id for m in members if m.order_id not in moved]
    if gone:  # cancelled (or changed) since the wave was built
        _drop_members(gone)
    staying = [m.id for m in members if m.order_id in moved]
    if not staying:
        wave.status = WaveStatus.CANCELLED
        wave.picker_id = None
        wave.finished_at = utcnow()
        db.session.flush()
        return False
    _hand_out_totes(staying)
    wave.started_at = utcnow()
    wave.cursor_task_id = None
    wave.cursor_step = Step.BIN
    wave.cursor_qty = 0
    db.session.flush()
    return True


def _drop_members(wave_order_ids: list[int]) -> None:
    db.session.execute(
        update(wave_orders_t).where(wave_orders_t.c.id.in_(wave_order_ids)).values(active=False)
    )
    db.session.execute(
        update(tasks_t)
        .where(tasks_t.c.wave_order_id.in_(wave_order_ids), tasks_t.c.status == TaskStatus.OPEN)
        .values(status=TaskStatus.CANCELLED, closed_at=utcnow())
    )


def _hand_out_totes(wave_order_ids: list[int]) -> None:
    """An empty tote per order, in cart-slot order, while there are free ones."""
    work.lock_totes()
    totes = work.free_totes(len(wave_order_ids))
    for member_id, tote in zip(wave_order_ids, totes, strict=False):
        db.session.execute(
            update(wave_orders_t)
            .where(wave_orders_t.c.id == member_id)
            .values(tote_location_id=tote.id)
        )


def finish_wave(wave: Wave, status: str = WaveStatus.DONE) -> None:
    """Close a wave: its totes and orders are free; orders not fully picked go back
    to ready to pick, the others on to packing (``refresh_order_status``)."""
    now = utcnow()
    order_ids = sorted(
        db.session.scalars(
            select(wave_orders_t.c.order_id).where(
                wave_orders_t.c.wave_id == wave.id, wave_orders_t.c.active.is_(True)
            )
        )
    )
    db.session.execute(
        update(tasks_t)
        .where(tasks_t.c.wave_id == wave.id, tasks_t.c.status == TaskStatus.OPEN)
        .values(status=TaskStatus.CANCELLED, closed_at=now)
    )
    db.session.execute(
        update(wave_orders_t).where(wave_orders_t.c.wave_id == wave.id).values(active=False)
    )
    if order_ids:
        db.session.execute(
            update(orders_t)
            .where(orders_t.c.id.in_(order_ids), orders_t.c.status == OrderStatus.PICKING)
            .values(status=OrderStatus.READY_TO_PICK)
        )
        refresh_order_status(order_ids)
    wave.status = status
    wave.finished_at = now
    wave.cursor_task_id = None
    db.session.flush()


def cancel_wave(wave_id: int, user_id: int | None = None) -> Wave:
    """Stop a wave: what was picked stays in its totes, the rest waits for another wave."""
    wave = locked_wave(wave_id)
    if not wave.is_open:
        raise Conflict(
            _(
                "%(wave)s is %(status)s; only open waves can be cancelled.",
                wave=wave.code,
                status=_(wave.status_label),
            )
        )
    finish_wave(wave, WaveStatus.CANCELLED)
    audit.record(user_id, "wave.cancel", "wave", wave.code)
    return wave


def release_wave(wave_id: int, user_id: int | None = None) -> Wave:
    """Take a wave back from its picker (end of shift): the next picker resumes it."""
    wave = locked_wave(wave_id)
    if not wave.is_being_picked:
        raise Conflict(_("%(wave)s is not being picked.", wave=wave.code))
    wave.status = WaveStatus.READY
    wave.picker_id = None
    wave.cursor_task_id = None
    wave.cursor_step = Step.BIN
    wave.cursor_qty = 0
    db.session.flush()
    audit.record(user_id, "wave.release", "wave", wave.code)
    return wave


def locked_wave(wave_id: int) -> Wave:
    return existing(Wave, wave_id, f"There is no wave {wave_code(wave_id)}.", lock=True)
