"""Reads for the count screen, the desk's count tasks and the value of adjustments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from wms.base.clock import day_bounds
from wms.base.errors import InvalidInput
from wms.base.i18n import Text, _
from wms.database import Page, existing, for_update, paginate
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product
from wms.stockcontrol.models import Adjustment, AdjustmentKind, CountLine, CountTask, TaskStatus

NEXT_BINS_SHOWN = 8


@dataclass
class CountScreen:
    """What the handheld shows after a scan: a sentence, and the count so far."""

    message: Text | str
    tone: str = "ok"  # ok | info
    task: CountTask | None = None
    counted: list[Any] = field(default_factory=list)  # (sku, name, qty) this counter counted
    next_bins: list[str] = field(default_factory=list)
    open_tasks: int = 0
    finished: bool = False


def counting_hint(code: str) -> Text:
    return _(
        "Counting %(bin)s. Scan each item, or an item then how many. Scan DONE when finished.",
        bin=code,
    )


def current_task(user_id: int, lock: bool = False) -> CountTask | None:
    """The bin this counter is counting; ``lock`` takes its row first, so two scans of
    one counter (two handhelds, a double tap) apply one after the other."""
    stmt = select(CountTask).where(
        CountTask.status == TaskStatus.COUNTING, CountTask.counter_id == user_id
    )
    if lock:
        stmt = for_update(stmt).execution_options(populate_existing=True)
    return db.session.scalar(stmt)


def screen(user_id: int, message: Text | str = "", tone: str = "info") -> CountScreen:
    """The screen as it stands: the bin being counted, or the bins waiting for a count."""
    task = current_task(user_id)
    if task is not None:
        return CountScreen(
            message or counting_hint(task.location.code),
            tone,
            task,
            counted_so_far(task.id),
        )
    bins, total = waiting_bins()
    if not message:
        message = _("Scan a bin to count it.") if total else _("No bins are waiting for a count.")
    return CountScreen(message, tone, next_bins=bins, open_tasks=total)


def waiting_bins(limit: int = NEXT_BINS_SHOWN) -> tuple[list[str], int]:
    rows = db.session.execute(
        select(Location.code)
        .join(CountTask, CountTask.location_id == Location.id)
        .where(CountTask.status == TaskStatus.OPEN)
        .order_by(Location.walk_seq, Location.code)
    ).all()
    return [r.code for r in rows[:limit]], len(rows)


def counted_so_far(task_id: int) -> list[Any]:
    return db.session.execute(
        select(Product.sku, Product.name, CountLine.qty_counted)
        .join(Product, Product.id == CountLine.product_id)
        .where(CountLine.task_id == task_id)
        .order_by(Product.sku)
    ).all()


def get_task(task_id: int, lock: bool = False) -> CountTask:
    """A count task; with ``lock``, its row locked and its state read after the lock."""
    return existing(CountTask, task_id, _("There is no such count task."), lock=lock)


STATUS_TABS = {
    "review": (TaskStatus.REVIEW,),
    "open": (TaskStatus.OPEN, TaskStatus.COUNTING),
    "closed": (TaskStatus.DONE, TaskStatus.RECOUNTED, TaskStatus.CANCELLED),
}


def list_tasks(tab: str, number: int) -> Page:
    statuses = STATUS_TABS.get(tab, STATUS_TABS["review"])
    stmt = (
        select(CountTask)
        .options(
            selectinload(CountTask.lines),
            selectinload(CountTask.location),
            selectinload(CountTask.counter),
        )
        .join(Location, Location.id == CountTask.location_id)
        .where(CountTask.status.in_([s.value for s in statuses]))
    )
    if tab == "closed":
        stmt = stmt.order_by(CountTask.id.desc())
    else:
        stmt = stmt.order_by(Location.walk_seq, Location.code)
    return paginate(stmt, number)


def tab_counts() -> dict[str, int]:
    rows = dict(
        db.session.execute(select(CountTask.status, func.count()).group_by(CountTask.status)).all()
    )
    return {tab: sum(rows.get(s, 0) for s in statuses) for tab, statuses in STATUS_TABS.items()}


def zones() -> list[str]:
    return [
        z
        for z in db.session.scalars(
            select(Location.zone)
            .where(Location.kind == LocationKind.BIN)
            .distinct()
            .order_by(Location.zone)
        )
        if z
    ]


def flagged_count() -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(
                Location.count_requested_at.is_not(None), Location.active.is_(True)
            )
        )
        or 0
    )


def quarantine_locations() -> list[Location]:
    return list(
        db.session.scalars(
            select(Location)
            .where(Location.kind == LocationKind.QUARANTINE, Location.active.is_(True))
            .order_by(Location.walk_seq, Location.code)
        )
    )


def recent_adjustments(limit: int = 50) -> list[Any]:
    return list(db.session.scalars(select(Adjustment).order_by(Adjustment.id.desc()).limit(limit)))


@dataclass
class KindTotal:
    kind: str
    units_in: int = 0
    units_out: int = 0
    value_in_cents: int = 0
    value_out_cents: int = 0


@dataclass
class ValueReport:
    start: date
    end: date  # inclusive
    kinds: list[KindTotal] = field(default_factory=list)
    products: list[Any] = field(default_factory=list)

    @property
    def net_cents(self) -> int:
        return sum(
            k.value_in_cents - k.value_out_cents
            for k in self.kinds
            if k.kind != AdjustmentKind.DAMAGED
        )

    @property
    def damaged_cents(self) -> int:
        return sum(k.value_out_cents for k in self.kinds if k.kind == AdjustmentKind.DAMAGED)


def value_report(start: date, end: date, top: int = 100) -> ValueReport:
    """Units and value gained and lost by adjustment kind over [start, end], and by product.

    Damaged units move to quarantine and stay in the building: they are shown
    apart and not counted in the net change of inventory value.
    """
    if end < start:
        raise InvalidInput(_("The period ends before it starts."))
    lo, hi = day_bounds(start, end)
    a = Adjustment.__table__
    gain = a.c.qty_change > 0
    out = (a.c.qty_change < 0) | (a.c.kind == AdjustmentKind.DAMAGED)
    value = a.c.qty * a.c.unit_cost_cents
    rows = db.session.execute(
        select(
            a.c.kind,
            func.sum(case((gain, a.c.qty), else_=0)),
            func.sum(case((out, a.c.qty), else_=0)),
            func.sum(case((gain, value), else_=0)),
            func.sum(case((out, value), else_=0)),
        )
        .where(a.c.created_at >= lo, a.c.created_at < hi)
        .group_by(a.c.kind)
        .order_by(a.c.kind)
    ).all()
    report = ValueReport(start, end)
    report.kinds = [
        KindTotal(r[0], int(r[1] or 0), int(r[2] or 0), int(r[3] or 0), int(r[4] or 0))
        for r in rows
    ]
    signed = case(
        (a.c.kind == AdjustmentKind.DAMAGED, 0), else_=a.c.qty_change * a.c.unit_cost_cents
    )
    report.products = db.session.execute(
        select(
            Product.id,
            Product.sku,
            Product.name,
            func.sum(case((a.c.kind == AdjustmentKind.DAMAGED, 0), else_=a.c.qty_change)).label(
                "units"
            ),
            func.sum(signed).label("value_cents"),
            func.count().label("adjustments"),
        )
        .join(Product, Product.id == a.c.product_id)
        .where(a.c.created_at >= lo, a.c.created_at < hi)
        .group_by(Product.id, Product.sku, Product.name)
        .order_by(func.abs(func.sum(signed)).desc(), Product.sku)
        .limit(top)
    ).all()
    return report
