"""Count tasks on the supervisor's desk: create them, then approve, recount or cancel."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import Conflict, InvalidInput
from wms.base.i18n import Number, Text, _
from wms.core import stock
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Stock
from wms.stockcontrol.models import (
    ACTIVE_STATUSES,
    CountLine,
    CountTask,
    LineStatus,
    TaskSource,
    TaskStatus,
)
from wms.stockcontrol.queries import get_task
from wms.stockcontrol.services import settlement

MAX_TASKS = 1000


@dataclass(frozen=True)
class TaskRequest:
    source: str
    zone: str = ""
    days: int = 30
    codes: str = ""
    tolerance_units: int = 0
    tolerance_pct: int = 0
    note: str = ""


@dataclass
class Created:
    codes: list[str] = field(default_factory=list)
    skipped: list[tuple[str, Text]] = field(default_factory=list)  # (code, why)


def create_tasks(req: TaskRequest, user_id: int | None) -> Created:
    """One task per bin the source names, skipping bins that already have one open."""
    result = Created()
    candidates = _candidates(req, result)
    if not candidates:
        return result
    busy = set(
        db.session.scalars(
            select(CountTask.location_id).where(
                CountTask.status.in_([s.value for s in ACTIVE_STATUSES]),
                CountTask.location_id.in_([loc.id for loc in candidates]),
            )
        )
    )
    fresh = [loc for loc in candidates if loc.id not in busy]
    result.skipped += [
        (loc.code, _("already has a count open")) for loc in candidates if loc.id in busy
    ]
    if len(fresh) > MAX_TASKS:
        result.skipped += [
            (loc.code, _("more than %(max)s at once", max=Number(MAX_TASKS)))
            for loc in fresh[MAX_TASKS:]
        ]
        fresh = fresh[:MAX_TASKS]
    if fresh:
        made = _insert_once(fresh, req, user_id)
        taken = [loc for loc in fresh if loc.id in made]
        result.skipped += [
            (loc.code, _("already has a count open")) for loc in fresh if loc.id not in made
        ]
        audit.record_many(
            user_id,
            "count.create",
            "count_task",
            [(made[loc.id], {"location": loc.code, "source": req.source}) for loc in taken],
        )
        result.codes = [loc.code for loc in taken]
    return result


def _insert_once(bins: list[Location], req: TaskRequest, user_id: int | None) -> dict[int, int]:
    """A task for each bin that has no open one: the bin's open-task index decides, so a
    request at the same moment for the same bins makes none twice. Returns bin -> task."""
    now = utcnow()
    table = CountTask.__table__
    stmt = (
        stock.upsert(table)
        .values(
            [
                {
                    "location_id": loc.id,
                    "status": TaskStatus.OPEN,
                    "source": req.source,
                    "note": req.note[:200],
                    "tolerance_units": req.tolerance_units,
                    "tolerance_pct": req.tolerance_pct,
                    "created_by_id": user_id,
                    "created_at": now,
                }
                for loc in bins
            ]
        )
        .on_conflict_do_nothing(
            index_elements=[table.c.location_id],
            index_where=table.c.status.in_([s.value for s in ACTIVE_STATUSES]),
        )
        .returning(table.c.location_id, table.c.id)
    )
    return {location_id: task_id for location_id, task_id in db.session.execute(stmt)}


def _candidates(req: TaskRequest, result: Created) -> list[Location]:
    active_bins = select(Location).where(Location.active.is_(True))
    if req.source == TaskSource.FLAGGED:
        stmt = active_bins.where(Location.count_requested_at.is_not(None))
    elif req.source == TaskSource.ZONE:
        if not req.zone.strip():
            raise InvalidInput(_("Choose the zone to count."))
        stmt = active_bins.where(
            Location.kind == LocationKind.BIN, Location.zone == req.zone.strip()
        )
    elif req.source == TaskSource.STALE:
        stmt = active_bins.where(Location.id.in_(_stale_bins(req.days)))
    elif req.source == TaskSource.MANUAL:
        return _by_hand(req.codes, result)
    else:
        raise InvalidInput(_("Choose where the tasks come from."))
    return list(db.session.scalars(stmt.order_by(Location.walk_seq, Location.code)))


def _stale_bins(days: int) -> Any:
    """Bins holding a product whose last finished count is older than ``days`` (or never)."""
    if days < 1:
        raise InvalidInput(_("The number of days must be at least 1."))
    cutoff = utcnow() - timedelta(days=days)
    last = (
        select(CountLine.product_id, func.max(CountTask.counted_at).label("at"))
        .join(CountTask, CountTask.id == CountLine.task_id)
        .where(CountTask.counted_at.is_not(None))
        .group_by(CountLine.product_id)
        .subquery()
    )
    return (
        select(Stock.location_id)
        .join(Location, Location.id == Stock.location_id)
        .outerjoin(last, last.c.product_id == Stock.product_id)
        .where(
            Stock.qty_on_hand > 0,
            Location.kind == LocationKind.BIN,
            (last.c.at.is_(None)) | (last.c.at < cutoff),
        )
        .distinct()
    )


def _by_hand(codes: str, result: Created) -> list[Location]:
    wanted = [c.upper() for c in re.split(r"[\s,;]+", codes) if c]
    if not wanted:
        raise InvalidInput(_("Type or scan the codes of the bins to count."))
    found = {
        loc.code: loc
        for loc in db.session.scalars(select(Location).where(Location.code.in_(wanted[:MAX_TASKS])))
    }
    out: list[Location] = []
    for code in dict.fromkeys(wanted):
        loc = found.get(code)
        if loc is None:
            result.skipped.append((code, _("no such location")))
        elif not loc.active:
            result.skipped.append((code, _("inactive")))
        else:
            out.append(loc)
    return out


def approve_count(task_id: int, user_id: int) -> int:
    """Adjust the differences that waited for a supervisor; returns how many lines."""
    task = get_task(task_id, lock=True)
    if not task.awaits_review:
        raise Conflict(_("%(task)s is not waiting for approval.", task=task.number))
    waiting = sorted(
        (ln for ln in task.lines if ln.status == LineStatus.REVIEW), key=lambda ln: ln.product_id
    )
    now = utcnow()
    for line in waiting:
        settlement.apply_difference(task, line, user_id)
        line.status, line.decided_by_id, line.decided_at = LineStatus.APPROVED, user_id, now
    settlement.close_task(task, TaskStatus.DONE, user_id)
    return len(waiting)


def recount(task_id: int, user_id: int) -> CountTask:
    """Nothing is adjusted; the bin gets a new task, counted blind again."""
    task = get_task(task_id, lock=True)
    if not task.awaits_review:
        raise Conflict(_("%(task)s is not waiting for approval.", task=task.number))
    now = utcnow()
    for line in task.lines:
        if line.status == LineStatus.REVIEW:
            line.status, line.decided_by_id, line.decided_at = LineStatus.RECOUNT, user_id, now
    settlement.close_task(task, TaskStatus.RECOUNTED, user_id)
    db.session.flush()  # the bin's open-task slot is free before the new task takes it
    again = CountTask(
        location_id=task.location_id,
        source=TaskSource.RECOUNT,
        note=f"Recount of {task.number}",
        tolerance_units=task.tolerance_units,
        tolerance_pct=task.tolerance_pct,
        recount_of_id=task.id,
        created_by_id=user_id,
    )
    db.session.add(again)
    db.session.flush()
    audit.record(
        user_id,
        "count.create",
        "count_task",
        again.id,
        location=task.location.code,
        source="recount",
    )
    return again


def cancel_task(task_id: int, user_id: int) -> None:
    task = get_task(task_id, lock=True)
    if not task.is_active:
        raise Conflict(_("%(task)s is finished already.", task=task.number))
    for line in task.lines:
        if line.status in (LineStatus.REVIEW, LineStatus.COUNTING):
            line.status = LineStatus.CANCELLED
    settlement.close_task(task, TaskStatus.CANCELLED, user_id)
