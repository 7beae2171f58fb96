"""Tables the core owns: the event outbox and the audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from wms.core.clock import utcnow
from wms.core.types import BigId
from wms.extensions import db


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry; an admin can retry it
    SUPERSEDED = "superseded"  # a newer event for the same thing was delivered instead


PENDING = "status = 'pending'"
WAITING_AVAILABILITY = (
    "status = 'pending' AND attempts = 0 AND claimed_until IS NULL"
    " AND event_type = 'availability.changed'"
)


class OutboxEvent(db.Model):
    """An event for one channel, written in the transaction that caused it."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    event_type: Mapped[str] = mapped_column(String(48))
    # Events that share an aggregate ("order:12", "product:7") reach the
    # channel in the order they were written.
    aggregate: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        # The worker's claim walks this in due order and stops after a batch.
        Index(
            "ix_outbox_pending",
            "next_attempt_at",
            "id",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
        # "Is an earlier event of this aggregate still pending?", asked per
        # claimed row: only pending rows, so history never lengthens the probe.
        Index(
            "ix_outbox_pending_aggregate",
            "channel_id",
            "aggregate",
            "id",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
        # One waiting availability figure per product and channel: a new change
        # updates it in place (see wms.core.outbox). Once the worker has taken
        # it (claimed, or tried), the next change waits in a new row behind it.
        Index(
            "uq_outbox_waiting_availability",
            "channel_id",
            "aggregate",
            unique=True,
            postgresql_where=text(WAITING_AVAILABILITY),
            sqlite_where=text(WAITING_AVAILABILITY),
        ),
        Index("ix_outbox_status_created", "status", "created_at"),
    )


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


class AuditEvent(db.Model):
    """Who changed what, when: every action that changes set-up data writes one."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
