"""What the handheld shows during a wave: plain views read from the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from wms.base.i18n import Text, _
from wms.base.numbers import order_number
from wms.extensions import db
from wms.inventory.models import Location, Product
from wms.picking.models import PickTask, Step, TaskStatus, WaveOrder

tasks_t = PickTask.__table__
wave_orders_t = WaveOrder.__table__


@dataclass(frozen=True)
class TaskView:
    id: int
    location_id: int
    bin_code: str
    product_id: int
    sku: str
    name: str
    qty_left: int
    qty_picked: int
    order_id: int
    order_number: str
    wave_order_id: int
    tote_id: int | None
    tote_code: str | None
    slot: int


@dataclass
class Screen:
    """What the handheld shows: the next step, and what the last scan did."""

    step: str  # "idle", "finished", or a Step
    wave_code: str | None = None
    task: TaskView | None = None
    qty: int = 0  # units counted (qty step), or to put in the tote (tote step)
    notice: Text | str = ""
    lines_done: int = 0
    lines_total: int = 0
    totes: list[tuple[str, str]] = field(default_factory=list)  # (order, tote) at the start
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def prefill(self) -> str | None:
        """What the scan field offers: Enter takes it, a scan or a digit replaces it."""
        if self.step == Step.QTY and self.task:
            return str(self.task.qty_left)
        if self.step == Step.SHORT:
            return str(self.qty)
        return None


def task_views(wave_id: int, task_id: int | None = None, limit: int = 1) -> list[TaskView]:
    tote = Location.__table__.alias("tote")
    bin_ = Location.__table__.alias("bin")
    stmt = (
        select(
            tasks_t.c.id,
            tasks_t.c.location_id,
            bin_.c.code.label("bin_code"),
            tasks_t.c.product_id,
            Product.sku,
            Product.name,
            (tasks_t.c.qty - tasks_t.c.qty_picked - tasks_t.c.qty_short).label("qty_left"),
            tasks_t.c.qty_picked,
            tasks_t.c.order_id,
            tasks_t.c.wave_order_id,
            wave_orders_t.c.tote_location_id,
            tote.c.code.label("tote_code"),
            wave_orders_t.c.slot,
        )
        .join(bin_, bin_.c.id == tasks_t.c.location_id)
        .join(Product, Product.id == tasks_t.c.product_id)
        .join(wave_orders_t, wave_orders_t.c.id == tasks_t.c.wave_order_id)
        .outerjoin(tote, tote.c.id == wave_orders_t.c.tote_location_id)
        .where(tasks_t.c.wave_id == wave_id, tasks_t.c.status == TaskStatus.OPEN)
        .order_by(
            tasks_t.c.postponed,
            tasks_t.c.walk_seq,
            bin_.c.code,
            Product.sku,
            tasks_t.c.id,
        )
        .limit(limit)
    )
    if task_id is not None:
        stmt = stmt.where(tasks_t.c.id == task_id)
    return [
        TaskView(
            r.id,
            r.location_id,
            r.bin_code,
            r.product_id,
            r.sku,
            r.name,
            r.qty_left,
            r.qty_picked,
            r.order_id,
            order_number(r.order_id),
            r.wave_order_id,
            r.tote_location_id,
            r.tote_code,
            r.slot,
        )
        for r in db.session.execute(stmt)
    ]


def first_task(wave_id: int) -> TaskView | None:
    found = task_views(wave_id)
    return found[0] if found else None


def progress(wave_id: int) -> tuple[int, int]:
    rows = dict(
        db.session.execute(
            select(tasks_t.c.status, func.count())
            .where(tasks_t.c.wave_id == wave_id)
            .group_by(tasks_t.c.status)
        ).all()
    )
    done = rows.get(TaskStatus.DONE, 0)
    return done, done + rows.get(TaskStatus.OPEN, 0)


def wave_summary(wave_id: int) -> dict[str, int]:
    row = db.session.execute(
        select(
            func.count(func.distinct(tasks_t.c.order_id)).label("orders"),
            func.count().label("lines"),
            func.coalesce(func.sum(tasks_t.c.qty_picked), 0).label("units"),
            func.coalesce(func.sum(tasks_t.c.qty_short), 0).label("short"),
        ).where(tasks_t.c.wave_id == wave_id, tasks_t.c.status != TaskStatus.CANCELLED)
    ).one()
    return {"orders": row.orders, "lines": row.lines, "units": row.units, "short": row.short}


def totes_of(wave_id: int) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(wave_orders_t.c.order_id, Location.code)
        .outerjoin(Location, Location.id == wave_orders_t.c.tote_location_id)
        .where(wave_orders_t.c.wave_id == wave_id, wave_orders_t.c.active.is_(True))
        .order_by(wave_orders_t.c.slot)
    ).all()
    return [(order_number(r.order_id), r.code or _("any empty tote")) for r in rows]
