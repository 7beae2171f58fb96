"""A wave picked on paper: the ticked pick list is recorded at the desk in one go.

Each line's picked quantity is confirmed into its order's tote exactly as a
handheld pick is; a line picked short is a short pick (the bin held only what
was picked). The wave is then closed.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select, update

from wms.auth import audit
from wms.base.errors import Conflict, InvalidInput
from wms.base.i18n import N_, _
from wms.base.numbers import order_number
from wms.extensions import db
from wms.inventory.models import Location
from wms.picking.models import PickTask, TaskStatus, WaveOrder, WaveStatus
from wms.picking.queries import work
from wms.picking.services import picks, waves

wave_orders_t = WaveOrder.__table__

# Why a wave cannot be recorded from paper, as a whole sentence for each state.
_NOT_WAITING = N_("%(wave)s is not waiting for a picker; only such a wave can be recorded.")
_NOT_ON_PAPER = {
    WaveStatus.PICKING: N_(
        "%(wave)s is being picked on a handheld; only a wave waiting for a picker can be recorded."
    ),
    WaveStatus.DONE: N_("%(wave)s is done; only a wave waiting for a picker can be recorded."),
    WaveStatus.CANCELLED: N_(
        "%(wave)s is cancelled; only a wave waiting for a picker can be recorded."
    ),
}


def record_paper_pick(
    wave_id: int, picked: Mapping[int, int], user_id: int | None
) -> dict[str, int]:
    """Record what was picked per task (task id -> units; a missing task was picked in full).

    Returns the wave's totals. Only a wave no handheld is picking can be
    recorded this way.
    """
    wave = waves.locked_wave(wave_id)
    if not wave.can_record_on_paper:
        raise Conflict(_(_NOT_ON_PAPER.get(wave.status, _NOT_WAITING), wave=wave.code))
    if wave.started_at is None and not waves.start_wave(wave):
        raise Conflict(
            _("Every order of %(wave)s was cancelled; the wave is closed.", wave=wave.code)
        )
    tasks = list(
        db.session.scalars(
            select(PickTask)
            .where(PickTask.wave_id == wave.id, PickTask.status == TaskStatus.OPEN)
            .order_by(PickTask.walk_seq, PickTask.location_id, PickTask.id)
        )
    )
    units = 0
    for task in tasks:
        left = task.qty_left
        qty = picked.get(task.id, left)
        units += qty
        if not 0 <= qty <= left:
            raise InvalidInput(
                _(
                    "A line of %(order)s can take 0 to %(most)s.",
                    order=order_number(task.order_id),
                    most=left,
                )
            )
        if qty < left:
            picks.short_pick(task.id, qty, user_id, expected_left=left)
        if qty:
            tote = _tote_of(task)
            if not picks.confirm_pick(task.id, qty, tote, user_id, task.qty_picked):
                raise Conflict(_("That wave changed while it was recorded; try again."))
    waves.finish_wave(wave)
    totals = {"lines": len(tasks), "units": units}
    audit.record(user_id, "wave.paper_pick", "wave", wave.code, **totals)
    return totals


def _tote_of(task: PickTask) -> Location:
    tote_id = db.session.scalar(
        select(wave_orders_t.c.tote_location_id).where(wave_orders_t.c.id == task.wave_order_id)
    )
    if tote_id is None:
        work.lock_totes()
        free = work.free_totes(1)
        if not free:
            raise InvalidInput(
                _(
                    "No empty tote is left for %(order)s; empty one first.",
                    order=order_number(task.order_id),
                )
            )
        tote_id = free[0].id
        db.session.execute(
            update(wave_orders_t)
            .where(wave_orders_t.c.id == task.wave_order_id)
            .values(tote_location_id=tote_id)
        )
    tote = db.session.get(Location, tote_id)
    assert tote is not None
    return tote
