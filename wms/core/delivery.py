"""Delivering outbox events to channel webhooks: signed, retried, in order per aggregate.

Several workers may run at once: each claims a batch with a short lease
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so no event is sent by two
workers at the same time, and an event whose worker died is picked up again
when its lease runs out. Delivery is at least once; the receiver uses the
event id to drop a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import and_, select, update
from sqlalchemy.orm import aliased

from wms.core.clock import iso, utcnow
from wms.core.models import OutboxEvent, OutboxStatus
from wms.database import is_postgres
from wms.extensions import db
from wms.orders.models import Channel

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 12
TIMEOUT = (3.05, 10)
SIGNATURE_HEADER = "X-WMS-Signature"


@dataclass
class BatchResult:
    delivered: int = 0
    failed: int = 0  # gave up: the last retry failed
    retrying: int = 0  # failed this time, tried again later
    superseded: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.failed + self.retrying + self.superseded


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... seconds, capped at an hour."""
    return timedelta(seconds=min(3600, 2 ** max(1, attempts)))


def claim_batch(limit: int = 50) -> list[int]:
    """Take a lease on due events whose earlier events (same channel and aggregate) are done."""
    now = utcnow()
    o = OutboxEvent.__table__
    earlier = aliased(OutboxEvent)
    blocked = (
        select(earlier.id)
        .where(
            earlier.channel_id == o.c.channel_id,
            earlier.aggregate == o.c.aggregate,
            earlier.id < o.c.id,
            earlier.status == OutboxStatus.PENDING,
        )
        .exists()
    )
    stmt = (
        select(o.c.id)
        .where(
            o.c.status == OutboxStatus.PENDING,
            o.c.next_attempt_at <= now,
            (o.c.claimed_until.is_(None)) | (o.c.claimed_until < now),
            ~blocked,
        )
        .order_by(o.c.id)
        .limit(limit)
    )
    if is_postgres():
        stmt = stmt.with_for_update(skip_locked=True, of=o)
    ids = list(db.session.scalars(stmt))
    if ids:
        db.session.execute(update(o).where(o.c.id.in_(ids)).values(claimed_until=now + LEASE))
    db.session.commit()
    return ids


def deliver_batch(limit: int = 50, session: requests.Session | None = None) -> BatchResult:
    result = BatchResult()
    ids = claim_batch(limit)
    if not ids:
        return result
    http = session or requests.Session()
    events = db.session.scalars(
        select(OutboxEvent).where(OutboxEvent.id.in_(ids)).order_by(OutboxEvent.id)
    ).all()
    channels = {
        c.id: c
        for c in db.session.scalars(
            select(Channel).where(Channel.id.in_({e.channel_id for e in events}))
        )
    }
    for ev in events:
        if _superseded(ev):
            ev.status = OutboxStatus.SUPERSEDED
            ev.claimed_until = None
            result.superseded += 1
        else:
            ok = _send(http, ev, channels.get(ev.channel_id))
            if ok:
                result.delivered += 1
            elif ev.status == OutboxStatus.FAILED:
                result.failed += 1
            else:
                result.retrying += 1
        db.session.commit()
    return result


def _superseded(ev: OutboxEvent) -> bool:
    """A newer availability figure for the same product makes this one worthless."""
    if ev.event_type != "availability.changed":
        return False
    newer = db.session.scalar(
        select(OutboxEvent.id)
        .where(
            and_(
                OutboxEvent.channel_id == ev.channel_id,
                OutboxEvent.aggregate == ev.aggregate,
                OutboxEvent.id > ev.id,
                OutboxEvent.status == OutboxStatus.PENDING,
            )
        )
        .limit(1)
    )
    return newer is not None


def envelope(ev: OutboxEvent) -> dict[str, Any]:
    data = ev.payload
    if ev.event_type == "availability.changed":
        # The figures as they are now, not as they were: the latest truth wins.
        from wms.core.availability import availability_payload, for_products

        current = for_products([int(data["product_id"])]).get(int(data["product_id"]))
        if current is not None:
            data = {**availability_payload(current), "occurred_at": data.get("occurred_at")}
    return {
        "id": ev.id,
        "type": ev.event_type,
        "created_at": iso(ev.created_at),
        "data": data,
    }


def _send(http: requests.Session, ev: OutboxEvent, channel: Channel | None) -> bool:
    now = utcnow()
    ev.attempts += 1
    ev.claimed_until = None
    if channel is None or not channel.webhook_url:
        ev.status = OutboxStatus.FAILED
        ev.last_error = "The channel has no webhook URL."
        return False
    body = json.dumps(envelope(ev), separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "wms-webhooks/1",
        "X-WMS-Event": ev.event_type,
        "X-WMS-Delivery": str(ev.id),
        SIGNATURE_HEADER: sign(channel.webhook_secret or "", body),
    }
    try:
        response = http.post(channel.webhook_url, data=body, headers=headers, timeout=TIMEOUT)
        if 200 <= response.status_code < 300:
            ev.status = OutboxStatus.DELIVERED
            ev.delivered_at = now
            ev.last_error = ""
            return True
        error = f"HTTP {response.status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    ev.last_error = error
    if ev.attempts >= MAX_ATTEMPTS:
        ev.status = OutboxStatus.FAILED
    else:
        ev.next_attempt_at = now + backoff(ev.attempts)
    log.info("delivery of event %s failed: %s", ev.id, error)
    return False


def retry_event(event_id: int) -> OutboxEvent | None:
    """An admin sends a failed event again."""
    ev = db.session.get(OutboxEvent, event_id)
    if ev is None:
        return None
    ev.status = OutboxStatus.PENDING
    ev.next_attempt_at = utcnow()
    ev.claimed_until = None
    ev.attempts = 0
    return ev
