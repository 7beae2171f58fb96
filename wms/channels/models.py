"""The channels the warehouse sells through, and the events waiting for them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from wms.base.clock import utcnow
from wms.base.types import BigId
from wms.extensions import db


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
        # updates it in place (see wms.channels.outbox). Once the worker has taken
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
