"""The tables the core's rules work on: orders and their lines, inbounds and their
lines, units set aside for orders, and the lanes they wait in.

The areas act on these rows (an order is taken in by ``orders``, an inbound is
received by ``receiving``), but the rules that keep them true (reservations,
the waiting queue, projected dates, lanes) are the core's, so the core owns them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.base.clock import utcnow
from wms.base.i18n import N_, Np_
from wms.base.i18n import Text as Words
from wms.base.numbers import order_number
from wms.channels.models import Channel
from wms.extensions import db
from wms.inventory.models import Location, Product


class Priority(IntEnum):
    """Lower is served first."""

    EXPEDITED = 1
    STANDARD = 2
    ECONOMY = 3


class OrderStatus(StrEnum):
    WAITING = "waiting"  # some units wait for stock (backorder or preorder)
    HELD = "held"  # every unit reserved, waiting for a preorder's release day
    READY_TO_PICK = "ready_to_pick"  # every unit reserved, some still on the shelf
    CROSS_DOCKING = "cross_docking"  # every unit reserved, some on their way from receiving
    PICKING = "picking"
    READY_TO_PACK = "ready_to_pack"
    PACKED = "packed"
    AWAITING_PAYMENT = "awaiting_payment"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


# Status and priority words as people read them: marked here, shown with ``_()``.
ORDER_STATUS_LABELS = {
    OrderStatus.WAITING: Np_("order status", "waiting for stock"),
    OrderStatus.HELD: Np_("order status", "held for its release day"),
    OrderStatus.READY_TO_PICK: Np_("order status", "ready to pick"),
    OrderStatus.CROSS_DOCKING: Np_("order status", "cross-docking"),
    OrderStatus.PICKING: Np_("order status", "picking"),
    OrderStatus.READY_TO_PACK: Np_("order status", "ready to pack"),
    OrderStatus.PACKED: Np_("order status", "packed"),
    OrderStatus.AWAITING_PAYMENT: Np_("order status", "awaiting payment"),
    OrderStatus.SHIPPED: Np_("order status", "shipped"),
    OrderStatus.CANCELLED: Np_("order status", "cancelled"),
}
PRIORITY_LABELS = {
    Priority.EXPEDITED: N_("expedited"),
    Priority.STANDARD: N_("standard"),
    Priority.ECONOMY: N_("economy"),
}


class LineKind(StrEnum):
    STOCK = "stock"
    BACKORDER = "backorder"
    PREORDER = "preorder"


class Order(db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    body_hash: Mapped[str] = mapped_column(String(64), default="")
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    customer_email: Mapped[str] = mapped_column(String(200), default="")
    # The customer's language when the channel gives one ("fr"): their packing and
    # return slips, and what the shop tells them, speak it.
    language: Mapped[str | None] = mapped_column(String(8))
    ship_to: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    service_level: Mapped[str] = mapped_column(String(32), default="standard")
    priority: Mapped[int] = mapped_column(Integer, default=Priority.STANDARD)
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    promised_on: Mapped[date | None] = mapped_column(Date)
    partial_allowed: Mapped[bool] = mapped_column(default=False)
    capture_before_ship: Mapped[bool] = mapped_column(default=False)
    payment_captured_at: Mapped[datetime | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default=OrderStatus.WAITING)
    # How many lines the order came with, and how many of them were backordered:
    # the backorder rate without touching the lines.
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    backordered_lines: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column()
    shipped_at: Mapped[datetime | None] = mapped_column()

    channel: Mapped[Channel] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", order_by="OrderLine.line_no", cascade="all, delete-orphan"
    )

    __table_args__ = (
        db.UniqueConstraint("channel_id", "external_id", name="uq_orders_channel_external"),
        Index("ix_orders_status", "status"),
        Index("ix_orders_placed_at", "placed_at"),
        Index(
            "ix_orders_created_at",
            "created_at",
            postgresql_include=["line_count", "backordered_lines"],
        ),
        Index("ix_orders_shipped_at", "shipped_at"),
    )

    @property
    def number(self) -> str:
        return order_number(self.id)

    @property
    def priority_name(self) -> str:
        return Priority(self.priority).name.lower()

    @property
    def priority_label(self) -> str:
        """The priority's word, marked for the catalog: show it with ``_()``."""
        return PRIORITY_LABELS.get(Priority(self.priority), self.priority_name)

    @property
    def status_label(self) -> str | Words:
        """The status's words, marked for the catalog: show it with ``_()``."""
        return ORDER_STATUS_LABELS.get(OrderStatus(self.status), self.status)


class OrderLine(db.Model):
    """A line's units are reserved, waiting, shipped or cancelled; the four add up to qty.

    ``priority`` and ``placed_at`` are copied from the order so the waiting
    queue is one index scan, and a unit that goes back to the queue keeps
    its original place in line.
    """

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    kind: Mapped[str] = mapped_column(String(12), default=LineKind.STOCK)
    qty: Mapped[int] = mapped_column(Integer)
    qty_reserved: Mapped[int] = mapped_column(Integer, default=0)
    qty_waiting: Mapped[int] = mapped_column(Integer, default=0)
    qty_shipped: Mapped[int] = mapped_column(Integer, default=0)
    qty_cancelled: Mapped[int] = mapped_column(Integer, default=0)
    priority: Mapped[int] = mapped_column(Integer, default=Priority.STANDARD)
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    projected_fill_on: Mapped[date | None] = mapped_column(Date)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint(
            "qty_reserved >= 0 AND qty_waiting >= 0 AND qty_shipped >= 0 AND qty_cancelled >= 0",
            name="parts_not_negative",
        ),
        CheckConstraint(
            "qty_reserved + qty_waiting + qty_shipped + qty_cancelled = qty",
            name="parts_add_up",
        ),
        # The backlog by age: an index-only scan over the waiting backorders.
        Index(
            "ix_order_lines_backlog",
            "placed_at",
            postgresql_include=["qty_waiting"],
            postgresql_where=text("qty_waiting > 0 AND kind = 'backorder'"),
            sqlite_where=text("qty_waiting > 0 AND kind = 'backorder'"),
        ),
        # The waiting queue: one index scan gives the next line to serve.
        Index(
            "ix_order_lines_waiting",
            "product_id",
            "priority",
            "placed_at",
            "id",
            postgresql_where=text("qty_waiting > 0"),
            sqlite_where=text("qty_waiting > 0"),
        ),
    )


class InboundKind(StrEnum):
    ASN = "asn"
    PO = "po"
    BLIND = "blind"  # received without an announcement: nothing is over


class InboundStatus(StrEnum):
    OPEN = "open"
    RECEIVING = "receiving"
    CLOSED = "closed"
    CANCELLED = "cancelled"


OPEN_STATUSES = (InboundStatus.OPEN, InboundStatus.RECEIVING)

INBOUND_STATUS_LABELS = {
    InboundStatus.OPEN: Np_("inbound status", "expected"),
    InboundStatus.RECEIVING: Np_("inbound status", "receiving"),
    InboundStatus.CLOSED: Np_("inbound status", "closed"),
    InboundStatus.CANCELLED: Np_("inbound status", "cancelled"),
}
INBOUND_KIND_LABELS = {
    InboundKind.ASN: N_("ASN"),
    InboundKind.PO: N_("PO"),
    InboundKind.BLIND: N_("blind receipt"),
}


class Inbound(db.Model):
    __tablename__ = "inbounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The ASN or PO number. A channel's references are its own: two channels may
    # announce the same one, and neither learns of the other's.
    reference: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8), default=InboundKind.ASN)
    supplier: Mapped[str] = mapped_column(String(200), default="")
    # The channel that announced it through the API; none for the warehouse's own
    # (made at the desk, imported from CSV, or received blind). Channels see only theirs.
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"))
    expected_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default=InboundStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    lines: Mapped[list[InboundLine]] = relationship(
        back_populates="inbound", order_by="InboundLine.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_inbounds_status_expected", "status", "expected_at"),
        Index("uq_inbounds_reference_channel", "reference", "channel_id", unique=True),
        Index(
            "uq_inbounds_reference_warehouse",
            "reference",
            unique=True,
            postgresql_where=text("channel_id IS NULL"),
            sqlite_where=text("channel_id IS NULL"),
        ),
        Index("ix_inbounds_channel", "channel_id", "id"),
    )

    @property
    def is_open(self) -> bool:
        """Still expected or being received: it may be scanned, re-dated and closed."""
        return self.status in OPEN_STATUSES

    @property
    def status_label(self) -> str | Words:
        """The status's word, marked for the catalog: show it with ``_()``."""
        return INBOUND_STATUS_LABELS.get(InboundStatus(self.status), self.status)

    @property
    def kind_label(self) -> str:
        """ASN, PO or blind receipt, marked for the catalog: show it with ``_()``."""
        return INBOUND_KIND_LABELS.get(InboundKind(self.kind), self.kind)


class InboundLine(db.Model):
    __tablename__ = "inbound_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int] = mapped_column(ForeignKey("inbounds.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    qty_expected: Mapped[int] = mapped_column(Integer)
    qty_received: Mapped[int] = mapped_column(Integer, default=0)
    qty_damaged: Mapped[int] = mapped_column(Integer, default=0)

    inbound: Mapped[Inbound] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        UniqueConstraint("inbound_id", "product_id", name="uq_inbound_lines_product"),
        CheckConstraint("qty_expected >= 0", name="expected_not_negative"),
        CheckConstraint("qty_received >= 0 AND qty_damaged >= 0", name="counts_not_negative"),
    )

    @property
    def qty_outstanding(self) -> int:
        return max(0, self.qty_expected - self.qty_received)


class StagedUnits(db.Model):
    """Reserved units of one order line set aside at one place (lane, tote, packing)."""

    __tablename__ = "staged_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer, default=0)
    staged_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("order_line_id", "location_id", name="uq_staged_units_line_location"),
        CheckConstraint("qty >= 0", name="qty_not_negative"),
    )


class LaneOccupancy(db.Model):
    """How many orders a lane (or hold lane) holds; a guarded counter keeps it in capacity."""

    __tablename__ = "lane_occupancy"

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    orders_assigned: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("orders_assigned >= 0", name="not_negative"),)


class LaneAssignment(db.Model):
    """An order's place in a lane, from its first cross-docked unit until it leaves."""

    __tablename__ = "lane_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    lane_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    position: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_unit_at: Mapped[datetime | None] = mapped_column()
    released_at: Mapped[datetime | None] = mapped_column()

    lane: Mapped[Location] = relationship()

    __table_args__ = (
        Index(
            "ix_lane_assignments_open_order",
            "order_id",
            unique=True,
            postgresql_where=text("released_at IS NULL"),
            sqlite_where=text("released_at IS NULL"),
        ),
        Index("ix_lane_assignments_lane", "lane_id", "released_at"),
    )
