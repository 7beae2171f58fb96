"""Cycle count tasks, what was counted, and stock adjustments with their value."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.auth.models import User
from wms.base.clock import utcnow
from wms.base.i18n import N_, Np_, _
from wms.base.i18n import Text as Words
from wms.base.types import BigId
from wms.extensions import db
from wms.inventory.models import Location, Product


class TaskStatus(StrEnum):
    OPEN = "open"  # waiting for a counter
    COUNTING = "counting"  # a counter scanned the bin and is counting it
    REVIEW = "review"  # counted; a difference above tolerance waits for a supervisor
    DONE = "done"  # counted and every difference settled
    RECOUNTED = "recounted"  # a supervisor asked for a recount (a new task)
    CANCELLED = "cancelled"


# At most one task in these states per bin: the partial unique index below.
ACTIVE_STATUSES = (TaskStatus.OPEN, TaskStatus.COUNTING, TaskStatus.REVIEW)


class TaskSource(StrEnum):
    FLAGGED = "flagged"  # the bin was flagged for a count (a short pick)
    ZONE = "zone"
    STALE = "stale"  # holds products not counted for some days
    MANUAL = "manual"
    RECOUNT = "recount"


class LineStatus(StrEnum):
    COUNTING = "counting"  # still being counted
    MATCHED = "matched"  # counted what the system holds
    ADJUSTED = "adjusted"  # within tolerance, adjusted at once
    REVIEW = "review"  # above tolerance, waits for a supervisor
    APPROVED = "approved"  # a supervisor approved the difference; adjusted
    RECOUNT = "recount"  # a supervisor sent the bin to be counted again
    CANCELLED = "cancelled"


TASK_STATUS_LABELS = {
    TaskStatus.OPEN: Np_("count status", "to count"),
    TaskStatus.COUNTING: Np_("count status", "counting"),
    TaskStatus.REVIEW: Np_("count status", "waiting for approval"),
    TaskStatus.DONE: Np_("count status", "done"),
    TaskStatus.RECOUNTED: Np_("count status", "recounted"),
    TaskStatus.CANCELLED: Np_("count status", "cancelled"),
}
TASK_SOURCE_LABELS = {
    TaskSource.FLAGGED: N_("flagged bin"),
    TaskSource.ZONE: N_("zone"),
    TaskSource.STALE: N_("not counted lately"),
    TaskSource.MANUAL: N_("by hand"),
    TaskSource.RECOUNT: N_("recount"),
}
LINE_STATUS_LABELS = {
    LineStatus.COUNTING: N_("counting"),
    LineStatus.MATCHED: N_("matched"),
    LineStatus.ADJUSTED: N_("adjusted"),
    LineStatus.REVIEW: N_("to check"),
    LineStatus.APPROVED: N_("approved"),
    LineStatus.RECOUNT: N_("recount"),
    LineStatus.CANCELLED: N_("cancelled"),
}


class CountTask(db.Model):
    """Count one bin, blind: the counter never sees what the system expects."""

    __tablename__ = "count_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    status: Mapped[str] = mapped_column(String(12), default=TaskStatus.OPEN)
    source: Mapped[str] = mapped_column(String(12), default=TaskSource.MANUAL)
    note: Mapped[str] = mapped_column(String(200), default="")
    # A difference of up to max(units, expected x pct / 100) is adjusted at once.
    tolerance_units: Mapped[int] = mapped_column(Integer, default=0)
    tolerance_pct: Mapped[int] = mapped_column(Integer, default=0)
    recount_of_id: Mapped[int | None] = mapped_column(ForeignKey("count_tasks.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None] = mapped_column()
    counted_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column()

    location: Mapped[Location] = relationship()
    counter: Mapped[User | None] = relationship(foreign_keys=[counter_id])
    lines: Mapped[list[CountLine]] = relationship(
        back_populates="task", order_by="CountLine.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index(
            "uq_count_tasks_active_location",
            "location_id",
            unique=True,
            postgresql_where=text("status IN ('open', 'counting', 'review')"),
            sqlite_where=text("status IN ('open', 'counting', 'review')"),
        ),
        Index("ix_count_tasks_status", "status", "id"),
        CheckConstraint(
            "tolerance_units >= 0 AND tolerance_pct >= 0", name="tolerance_not_negative"
        ),
    )

    @property
    def number(self) -> str:
        return count_number(self.id)

    @property
    def status_label(self) -> str | Words:
        """The status in words to show with ``_()``."""
        return TASK_STATUS_LABELS.get(TaskStatus(self.status), self.status)

    @property
    def source_label(self) -> str:
        """Why the bin is counted, in words to show with ``_()``."""
        return TASK_SOURCE_LABELS.get(TaskSource(self.source), self.source)

    @property
    def is_active(self) -> bool:
        """Waiting, being counted or waiting for a supervisor: it can still be cancelled."""
        return self.status in ACTIVE_STATUSES

    @property
    def awaits_review(self) -> bool:
        """Counted with a difference above tolerance: a supervisor approves it or asks a recount."""
        return self.status == TaskStatus.REVIEW


class CountLine(db.Model):
    """One product in a counted bin: what was counted and, once finished, the difference."""

    __tablename__ = "count_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("count_tasks.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    qty_counted: Mapped[int] = mapped_column(Integer, default=0)
    # Filled when the count is finished: the bin's on-hand then, and counted - expected.
    qty_expected: Mapped[int | None] = mapped_column(Integer)
    qty_diff: Mapped[int | None] = mapped_column(Integer)
    unit_cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default=LineStatus.COUNTING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()

    task: Mapped[CountTask] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        UniqueConstraint("task_id", "product_id", name="uq_count_lines_task_product"),
        CheckConstraint("qty_counted >= 0", name="counted_not_negative"),
    )

    @property
    def value_cents(self) -> int:
        return (self.qty_diff or 0) * self.unit_cost_cents

    @property
    def status_label(self) -> str:
        """The outcome in words to show with ``_()``."""
        return LINE_STATUS_LABELS.get(LineStatus(self.status), self.status)


class CountEntry(db.Model):
    """Each scan or typed quantity while counting, so the counter can undo the last one."""

    __tablename__ = "count_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("count_tasks.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    qty_before: Mapped[int] = mapped_column(Integer)
    qty_after: Mapped[int] = mapped_column(Integer)
    typed: Mapped[bool] = mapped_column(default=False)
    undone: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AdjustmentKind(StrEnum):
    FOUND = "found"  # units turned up: into a location
    LOST = "lost"  # units gone: out of the building
    DAMAGED = "damaged"  # moved to quarantine, no longer sellable
    SCRAPPED = "scrapped"  # destroyed: out of the building
    COUNT = "count"  # a cycle count's difference (gain or loss)


ADJUSTMENT_KIND_LABELS = {
    AdjustmentKind.FOUND: N_("found"),
    AdjustmentKind.LOST: N_("lost"),
    AdjustmentKind.DAMAGED: N_("damaged"),
    AdjustmentKind.SCRAPPED: N_("scrapped"),
    AdjustmentKind.COUNT: N_("count"),
}


def kind_label(kind: str) -> str:
    """An adjustment's kind in words to show with ``_()``."""
    return ADJUSTMENT_KIND_LABELS.get(AdjustmentKind(kind), kind)


def count_number(task_id: int) -> str:
    """A count task's number as people read and scan it."""
    return f"CC-{task_id}"


class Adjustment(db.Model):
    """A stock change that is not a flow of goods, with its reason and value."""

    __tablename__ = "adjustments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    # Units the building gained (+) or lost (-); damaged units stay in the building.
    qty_change: Mapped[int] = mapped_column(Integer)
    qty: Mapped[int] = mapped_column(Integer)
    unit_cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    count_task_id: Mapped[int | None] = mapped_column(ForeignKey("count_tasks.id"))
    # Reserved units sent back to the waiting queue because of this change.
    qty_requeued: Mapped[int] = mapped_column(Integer, default=0)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship(foreign_keys=[location_id])
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id])

    __table_args__ = (
        Index("ix_adjustments_created_at", "created_at"),
        Index("ix_adjustments_product", "product_id", "id"),
        CheckConstraint("qty > 0", name="qty_positive"),
    )

    @property
    def reference(self) -> str:
        return f"ADJ-{self.id}"

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def shown_reason(self) -> Words | str:
        """The reason in the reader's language: a count's is worded from its task (older
        rows kept an English sentence for it); a person's own words are shown as typed."""
        if self.kind == AdjustmentKind.COUNT and self.count_task_id is not None:
            return _("Cycle count %(number)s", number=count_number(self.count_task_id))
        return self.reason

    @property
    def value_cents(self) -> int:
        return self.qty * self.unit_cost_cents
