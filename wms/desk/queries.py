"""Reads for the desk: the outbox by status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from wms.channels.models import Channel, OutboxEvent
from wms.extensions import db

EVENTS_SHOWN = 100


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
