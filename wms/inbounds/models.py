"""Inbound purchase orders and advance shipping notices."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.core.clock import utcnow
from wms.extensions import db
from wms.inventory.models import Product


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
