"""Reads for the desk: the outbox by status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from wms.base.i18n import N_
from wms.channels.models import Channel, OutboxEvent, OutboxStatus
from wms.extensions import db

EVENTS_SHOWN = 100

# The statuses the page lists, each with its word and what the page says when none is there.
SHOWN_STATUSES = (
    OutboxStatus.PENDING,
    OutboxStatus.FAILED,
    OutboxStatus.DELIVERED,
    OutboxStatus.SUPERSEDED,
)
STATUS_LABELS = {
    OutboxStatus.PENDING: N_("pending"),
    OutboxStatus.FAILED: N_("failed"),
    OutboxStatus.DELIVERED: N_("delivered"),
    OutboxStatus.SUPERSEDED: N_("superseded"),
    OutboxStatus.SKIPPED: N_("skipped"),
}
NONE_IN_STATUS = {
    OutboxStatus.PENDING: N_("No delivery is waiting."),
    OutboxStatus.FAILED: N_("No delivery has failed."),
    OutboxStatus.DELIVERED: N_("No delivery has been made yet."),
    OutboxStatus.SUPERSEDED: N_("No delivery has been replaced by a newer one."),
    OutboxStatus.SKIPPED: N_("No delivery was skipped."),
}


def outbox_counts() -> dict[str, int]:
    """How many events the outbox holds in each status."""
    return dict(
        db.session.execute(
            select(OutboxEvent.status, func.count()).group_by(OutboxEvent.status)
        ).all()
    )


def outbox_events(status: str) -> list[Any]:
    """The newest events in this status, each with its channel's name."""
    return list(
        db.session.execute(
            select(OutboxEvent, Channel.name)
            .join(Channel, Channel.id == OutboxEvent.channel_id)
            .where(OutboxEvent.status == status)
            .order_by(OutboxEvent.id.desc())
            .limit(EVENTS_SHOWN)
        ).all()
    )
