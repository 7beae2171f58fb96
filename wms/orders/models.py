"""Channels, orders and order lines."""

from __future__ import annotations

from datetime import date, datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.core.clock import utcnow
from wms.extensions import db
from wms.inventory.models import Product

ORDER_NUMBER_PREFIX = "W-"
ORDER_NUMBER_OFFSET = 10000


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


class LineKind(StrEnum):
    STOCK = "stock"
    BACKORDER = "backorder"
    PREORDER = "preorder"


class Channel(db.Model):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Order(db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    body_hash: Mapped[str] = mapped_column(String(64), default="")
    customer_name: Mapped[str] = mapped_column(String(200), default="")
    customer_email: Mapped[str] = mapped_column(String(200), default="")
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


def order_number(order_id: int) -> str:
    return f"{ORDER_NUMBER_PREFIX}{ORDER_NUMBER_OFFSET + order_id}"


def order_id_from_number(code: str) -> int | None:
    """``W-10422`` -> 422; anything else -> None."""
    code = code.strip().upper()
    if not code.startswith(ORDER_NUMBER_PREFIX):
        return None
    digits = code[len(ORDER_NUMBER_PREFIX) :]
    if not (digits.isascii() and digits.isdigit()):
        return None
    order_id = int(digits) - ORDER_NUMBER_OFFSET
    return order_id if order_id > 0 else None


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
