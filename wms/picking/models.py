"""Waves, the orders in them, pick tasks (one per order line and bin) and short picks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from wms.base.clock import utcnow
from wms.base.i18n import N_, Np_
from wms.base.i18n import Text as Words
from wms.base.numbers import wave_code
from wms.extensions import db


class WaveStatus(StrEnum):
    READY = "ready"  # built, waiting for a picker
    PICKING = "picking"  # claimed by a picker
    DONE = "done"  # every task picked or short
    CANCELLED = "cancelled"  # dropped before picking; its orders are free again


WAVE_STATUS_LABELS = {
    WaveStatus.READY: Np_("wave status", "ready"),
    WaveStatus.PICKING: Np_("wave status", "picking"),
    WaveStatus.DONE: Np_("wave status", "done"),
    WaveStatus.CANCELLED: Np_("wave status", "cancelled"),
}


class Step(StrEnum):
    """Where the picker is within the current task."""

    BIN = "bin"  # go to the bin and scan it
    ITEM = "item"  # scan the product
    QTY = "qty"  # count by scanning, or type the number
    SHORT = "short"  # say how many the bin really holds
    TOTE = "tote"  # scan the tote the units go into


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"  # picked, short, or both: nothing left to do
    CANCELLED = "cancelled"  # its order left the wave


TASK_STATUS_LABELS = {
    TaskStatus.OPEN: N_("to pick"),
    TaskStatus.DONE: N_("done"),
    TaskStatus.CANCELLED: N_("cancelled"),
}


class Wave(db.Model):
    """Orders picked together on one cart, one tote per order.

    The ``cursor_*`` columns are the picker's place in the wave: which task,
    which step of it, and how many units were counted so far. They live in the
    database so a reload, a retried scan or another handheld resumes there.
    """

    __tablename__ = "waves"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(12), default=WaveStatus.READY)
    # The most urgent order's priority: pickers get urgent waves first.
    priority: Mapped[int] = mapped_column(Integer)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    picker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    cursor_task_id: Mapped[int | None] = mapped_column(Integer)
    cursor_step: Mapped[str] = mapped_column(String(8), default=Step.BIN)
    cursor_qty: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        # "Get work": the next ready wave, one index scan.
        Index(
            "ix_waves_ready",
            "priority",
            "id",
            postgresql_where=text("status = 'ready'"),
            sqlite_where=text("status = 'ready'"),
        ),
        Index("ix_waves_status_created", "status", "created_at"),
    )

    @property
    def code(self) -> str:
        return wave_code(self.id)

    @property
    def status_label(self) -> str | Words:
        """The status's word, marked for the catalog: show it with ``_()``."""
        return WAVE_STATUS_LABELS.get(WaveStatus(self.status), self.status)

    @property
    def is_open(self) -> bool:
        """Waiting for a picker or being picked: it can still be cancelled."""
        return self.status in (WaveStatus.READY, WaveStatus.PICKING)

    @property
    def is_being_picked(self) -> bool:
        """A picker holds it: the desk can take it back for the next picker."""
        return self.status == WaveStatus.PICKING

    @property
    def can_record_on_paper(self) -> bool:
        """No handheld is picking it: what was ticked on its paper list can be recorded."""
        return self.status == WaveStatus.READY


class WaveOrder(db.Model):
    """An order in a wave, and the tote its units go into on the cart."""

    __tablename__ = "wave_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    slot: Mapped[int] = mapped_column(Integer)  # 1, 2, ... in the order first picked
    tote_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    # True until the wave is done or cancelled (or the order leaves it).
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        # An order is in one wave at a time; a tote holds one order of one wave.
        Index(
            "uq_wave_orders_active_order",
            "order_id",
            unique=True,
            postgresql_where=text("active"),
            sqlite_where=text("active"),
        ),
        Index(
            "uq_wave_orders_active_tote",
            "tote_location_id",
            unique=True,
            postgresql_where=text("active AND tote_location_id IS NOT NULL"),
            sqlite_where=text("active AND tote_location_id IS NOT NULL"),
        ),
    )


class PickTask(db.Model):
    """Take ``qty`` units of an order line from one bin.

    ``qty_picked + qty_short`` grows to ``qty``; both change only in guarded
    UPDATEs, so a confirmation sent twice moves stock once. Open tasks are
    what a bin's units are allocated to.
    """

    __tablename__ = "pick_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"))
    wave_order_id: Mapped[int] = mapped_column(ForeignKey("wave_orders.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    walk_seq: Mapped[int] = mapped_column(Integer)  # the bin's, when the wave was built
    qty: Mapped[int] = mapped_column(Integer)
    qty_picked: Mapped[int] = mapped_column(Integer, default=0)
    qty_short: Mapped[int] = mapped_column(Integer, default=0)
    # Skipped tasks go to the end of the walk: 0, then 1, 2, ... per skip.
    postponed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default=TaskStatus.OPEN)
    picked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("qty_picked >= 0 AND qty_short >= 0", name="parts_not_negative"),
        CheckConstraint("qty_picked + qty_short <= qty", name="parts_within_qty"),
        Index("ix_pick_tasks_walk", "wave_id", "status", "postponed", "walk_seq", "id"),
        # Units of a bin promised to open tasks, summed when a wave is built.
        Index(
            "ix_pick_tasks_open_bin",
            "product_id",
            "location_id",
            postgresql_where=text("status = 'open'"),
            sqlite_where=text("status = 'open'"),
        ),
    )

    @property
    def qty_left(self) -> int:
        return self.qty - self.qty_picked - self.qty_short


class PickShortage(db.Model):
    """A bin that held fewer units than a task needed, as the picker found it."""

    __tablename__ = "pick_shortages"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("pick_tasks.id"), index=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("waves.id"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    qty_short: Mapped[int] = mapped_column(Integer)  # sent back to the queue
    qty_found: Mapped[int] = mapped_column(Integer)  # what the picker could take
    qty_on_hand: Mapped[int] = mapped_column(Integer)  # what the ledger said the bin held
    # Units the ledger counted in the bin that are not there, moved out of
    # sellable stock until the bin is counted.
    qty_set_aside: Mapped[int] = mapped_column(Integer, default=0)
    set_aside_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    __table_args__ = (CheckConstraint("qty_short > 0", name="qty_short_positive"),)
