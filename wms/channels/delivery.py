"""Delivering outbox events to channel webhooks: signed, retried, in order per aggregate.

The worker (``wms.worker``) claims, sends and records a batch; this module
holds each step and commits nothing. Several workers may run at once: each
claims a batch with a short lease
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so no event is sent by two
workers at the same time, and an event whose worker died is picked up again
when its lease runs out. Delivery is at least once; the receiver uses the
event id to drop a repeat. A shop channel's events are not webhooks but calls
to its platform: ``wms.channels.pushes`` sends them, one job per shop.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass_environment

import urllib3
from sqlalchemy import bindparam, literal_column, select, update

from wms.base.clock import iso, utcnow
from wms.base.i18n import Joined, Text, _, as_written, to_record
from wms.channels import pushes
from wms.channels.models import Channel, OutboxEvent, OutboxStatus
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.availability import availability_out, for_products

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 12
TIMEOUT = (3.05, 10)
SIGNATURE_HEADER = "X-WMS-Signature"
AVAILABILITY = "availability.changed"
# Stock figures a round claims at most: one waits per product and channel, and a shop
# takes many to a call (Shopify 250, WooCommerce 100), so a burst of sales over a few
# hundred products leaves one round's worth, sent together, not a queue of rounds.
FIGURES_PER_ROUND = 500


@dataclass
class BatchResult:
    delivered: int = 0
    failed: int = 0  # gave up: the last retry failed
    retrying: int = 0  # failed this time, tried again later
    superseded: int = 0
    skipped: int = 0  # nothing to send (a figure for a product the shop does not sell)

    @property
    def handled(self) -> int:
        return self.delivered + self.failed + self.retrying + self.superseded + self.skipped


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... seconds, capped at an hour."""
    return timedelta(seconds=min(3600, 2 ** max(1, attempts)))


def claim(limit: int = 50, busy: Collection[int] = (), only: int | None = None) -> list[Claimed]:
    """Take a lease on due events whose earlier events (same channel and aggregate) are done:
    up to ``max(limit, FIGURES_PER_ROUND)`` stock figures first, then up to ``limit``
    events of any kind: of channel ``only`` when given, else of every channel but the
    ``busy`` ones (whose batch is in flight: a channel has one batch in flight at a time,
    see ``wms.worker.Lanes``).

    A figure is what keeps a shop from selling what the warehouse no longer has,
    so it has a claim of its own and never waits behind other events (a backlog
    of order webhooks to a slow endpoint, say). Figures are coalesced (one waiting
    per product and channel), so they cannot crowd the other events out for long;
    and they go out many to a call, so a round takes every one that waits rather
    than leaving some to wait a round or more for their turn. Each claim is one
    statement; the worker commits the lease before any event is sent
    (``wms.worker.claim_batch``).
    """
    now = utcnow()
    if only is not None:
        params = {"now": now, "channel": only}
        figures = _claim(_claimable_figures_of(), params, max(limit, FIGURES_PER_ROUND))
        rest = _claim(_claimable_of_channel(), params, limit)
    elif busy:
        params = {"now": now, "busy": sorted(busy)}
        figures = _claim(_claimable_figures_besides(), params, max(limit, FIGURES_PER_ROUND))
        rest = _claim(_claimable_besides(), params, limit)
    else:
        figures = _claim(_claimable_figures(), {"now": now}, max(limit, FIGURES_PER_ROUND))
        rest = _claim(_claimable(), {"now": now}, limit)
    return sorted(figures + rest, key=lambda c: c.id)


def _claim(claimable: Any, params: dict[str, Any], limit: int) -> list[Claimed]:
    o = OutboxEvent.__table__
    stmt = (
        update(o)
        .where(o.c.id.in_(claimable))
        .values(claimed_until=params["now"] + LEASE)
        .returning(
            o.c.id,
            o.c.channel_id,
            o.c.event_type,
            o.c.aggregate,
            o.c.payload,
            o.c.attempts,
            o.c.created_at,
        )
    )
    rows = db.session.execute(stmt, {**params, "limit": limit}).all()
    return [Claimed(*row) for row in rows]


@dataclass
class Claimed:
    """A claimed event, and what became of it."""

    id: int
    channel_id: int
    event_type: str
    aggregate: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    status: str = OutboxStatus.PENDING
    last_error: Text | Joined | str = ""  # a marked sentence, or a machine's own words
    delivered_at: datetime | None = None
    next_attempt_at: datetime | None = None
    handed_back: bool = False
    captured_order: int | None = None  # the shop captured this order's payment


@prebuilt
def _claimable() -> Any:
    return _claimable_of()


@prebuilt
def _claimable_figures() -> Any:
    return _claimable_of(_figure())


@prebuilt
def _claimable_besides() -> Any:
    return _claimable_of(_not_busy())


@prebuilt
def _claimable_figures_besides() -> Any:
    return _claimable_of(_figure(), _not_busy())


@prebuilt
def _claimable_of_channel() -> Any:
    return _claimable_of(_of_channel())


@prebuilt
def _claimable_figures_of() -> Any:
    return _claimable_of(_figure(), _of_channel())


def _of_channel() -> Any:
    return OutboxEvent.__table__.c.channel_id == bindparam("channel")


def _figure() -> Any:
    o = OutboxEvent.__table__
    # A literal, so the partial index of pending figures applies.
    return o.c.event_type == literal_column("'availability.changed'")


def _not_busy() -> Any:
    return OutboxEvent.__table__.c.channel_id.not_in(bindparam("busy", expanding=True))


def _claimable_of(*only: Any) -> Any:
    """Ids of due events in due order, each only if nothing earlier of its aggregate is pending.

    Both halves are walks of partial indexes over pending rows: the due ones in
    (next_attempt_at, id) order, stopping after ``limit``, and one probe per row
    for an earlier pending event of its aggregate. The cost follows the batch,
    not the number of pending rows. A failed event takes its followers' place in
    time with it (see ``_hold_followers``), so events waiting behind it are not
    walked over.
    """
    o = OutboxEvent.__table__
    earlier = o.alias("earlier")
    pending = literal_column("'pending'")  # a literal, so the partial indexes apply
    blocked = (
        select(earlier.c.id)
        .where(
            earlier.c.status == pending,
            earlier.c.channel_id == o.c.channel_id,
            earlier.c.aggregate == o.c.aggregate,
            earlier.c.id < o.c.id,
        )
        .exists()
    )
    now = bindparam("now", type_=o.c.next_attempt_at.type)
    stmt = (
        select(o.c.id)
        .where(
            o.c.status == pending,
            o.c.next_attempt_at <= now,
            o.c.claimed_until.is_(None) | (o.c.claimed_until < now),
            ~blocked,
            *only,
        )
        .order_by(o.c.next_attempt_at, o.c.id)
        .limit(bindparam("limit"))
    )
    if db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=o)
    return stmt


class Sender:
    """Sends a batch's events side by side over kept-alive connections.

    A batch holds at most one event per aggregate (the claim sees to it), so
    sending them at once keeps every order's events in order; a channel far
    away costs its latency once per batch, not once per event. urllib3 rather
    than requests: a webhook is one POST, and requests tripled its CPU cost.
    Redirects are not followed (a signed event goes where it was sent, or fails).
    """

    def __init__(self, threads: int = 1) -> None:
        self.threads = max(1, threads)
        self._pool = ThreadPoolExecutor(self.threads) if self.threads > 1 else None
        self._direct = urllib3.PoolManager(maxsize=self.threads, retries=False)
        self._proxied: dict[str, urllib3.ProxyManager] = {}
        self._proxies = getproxies()  # HTTP(S)_PROXY and NO_PROXY from the environment, once

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """The status the endpoint answered; raises urllib3's errors on network failure."""
        response = self._manager(url).request(
            "POST",
            url,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=TIMEOUT[0], read=TIMEOUT[1]),
            redirect=False,
        )
        return int(response.status)

    def _manager(self, url: str) -> urllib3.PoolManager:
        parts = urlsplit(url)
        proxy = self._proxies.get(parts.scheme)
        if not proxy or proxy_bypass_environment(parts.hostname or "", self._proxies):
            return self._direct
        manager = self._proxied.get(proxy)
        if manager is None:
            manager = self._proxied.setdefault(
                proxy, urllib3.ProxyManager(proxy, maxsize=self.threads, retries=False)
            )
        return manager

    def map(self, send: Callable[[Any], None], events: list[Any]) -> None:
        if self._pool is None:
            for ev in events:
                send(ev)
        else:
            list(self._pool.map(send, events))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        self._direct.clear()
        for manager in self._proxied.values():
            manager.clear()


@dataclass
class Outbound:
    """A claimed batch with what sending it needs, read before any is sent."""

    events: list[Claimed]
    channels: dict[int, Any]
    superseded: set[int]
    figures: dict[int, dict[str, Any]]
    started: float = field(default_factory=time.monotonic)
    shops: list[pushes.Job] = field(default_factory=list)


def prepare(events: list[Claimed]) -> Outbound:
    """The channels' addresses and secrets, the figures superseded, the figures as they are
    now; for shops, their connectors and what their events need."""
    started = time.monotonic()
    channels = {
        row.id: row
        for row in db.session.execute(
            select(Channel.id, Channel.webhook_url, Channel.webhook_secret, Channel.platform).where(
                Channel.id.in_({e.channel_id for e in events})
            )
        )
    }
    shop_events = [e for e in events if _is_shop(channels.get(e.channel_id))]
    hooks = [e for e in events if not _is_shop(channels.get(e.channel_id))]
    # A shop is sent its figures as they are now, read below, whatever changed since the
    # claim: a figure held back for a newer one that waits behind it would reach the shop
    # only a whole batch later (that one is claimed when this one is recorded). A webhook
    # event says it changed once; a newer one waiting says it again, so this one goes.
    superseded = _superseded(hooks)
    return Outbound(
        events,
        channels,
        superseded,
        _current_figures(hooks),
        started,
        pushes.prepare(shop_events),
    )


def by_channel(batch: Outbound) -> dict[int, Outbound]:
    """The batch as one batch per channel, each to be sent on its own (``wms.worker.Lanes``):
    a slow channel then holds back only its own next batch."""
    events: dict[int, list[Claimed]] = {}
    for ev in batch.events:
        events.setdefault(ev.channel_id, []).append(ev)
    jobs = {job.channel_id: job for job in batch.shops}
    return {
        channel_id: Outbound(
            its_events,
            batch.channels,
            batch.superseded,
            batch.figures,
            batch.started,
            [jobs[channel_id]] if channel_id in jobs else [],
        )
        for channel_id, its_events in events.items()
    }


def _is_shop(channel: Any) -> bool:
    return bool(channel and not channel.webhook_url and channel.platform != "generic")


def send(batch: Outbound, sender: Sender) -> None:
    """Send every event of the batch (no database needed); each records its own outcome.

    An event not yet sent when half the lease is spent (a slow endpoint) is
    handed back at once, so no event outlives its lease in our hands.
    """

    lease = LEASE.total_seconds()
    for_shops = {e.id for job in batch.shops for e in job.events}

    def send_one(ev: Claimed) -> None:
        if time.monotonic() - batch.started > lease / 2:
            ev.handed_back = True
        elif ev.id in batch.superseded:
            ev.status = OutboxStatus.SUPERSEDED
        else:
            try:
                _send(sender, ev, batch.channels.get(ev.channel_id), batch.figures)
            except Exception as error:  # one bad event must not hold back the others
                log.exception("event %s could not be sent", ev.id)
                _failed(ev, f"{type(error).__name__}: {error}"[:500], utcnow())

    def send_to_shop(job: pushes.Job) -> None:
        if time.monotonic() - batch.started > lease / 2:
            for ev in job.events:
                ev.handed_back = True
            return
        try:
            pushes.send(job, batch.started, lease, _failed)
        except Exception as error:  # one shop must not hold back the others
            log.exception("events for shop %s could not be sent", job.code)
            for ev in job.events:
                if ev.status == OutboxStatus.PENDING and ev.next_attempt_at is None:
                    ev.attempts += 1
                    _failed(ev, f"{type(error).__name__}: {error}"[:500], utcnow())

    def send_unit(unit: Claimed | pushes.Job) -> None:
        if isinstance(unit, pushes.Job):
            send_to_shop(unit)
        else:
            send_one(unit)

    units: list[Any] = [e for e in batch.events if e.id not in for_shops]
    units.extend(batch.shops)
    sender.map(send_unit, units)


def tally(events: list[Claimed]) -> BatchResult:
    result = BatchResult()
    for ev in events:
        if ev.status == OutboxStatus.DELIVERED:
            result.delivered += 1
        elif ev.status == OutboxStatus.SUPERSEDED:
            result.superseded += 1
        elif ev.status == OutboxStatus.SKIPPED:
            result.skipped += 1
        elif ev.status == OutboxStatus.FAILED:
            result.failed += 1
        elif not ev.handed_back:
            result.retrying += 1
    return result


def _superseded(events: list[Claimed]) -> set[int]:
    """Availability figures with a newer one pending for the same product and channel."""
    figures = [e for e in events if e.event_type == AVAILABILITY]
    if not figures:
        return set()
    o = OutboxEvent.__table__
    newer = o.alias("newer")
    rows = db.session.scalars(
        select(o.c.id).where(
            o.c.id.in_([e.id for e in figures]),
            select(newer.c.id)
            .where(
                newer.c.status == literal_column("'pending'"),
                newer.c.channel_id == o.c.channel_id,
                newer.c.aggregate == o.c.aggregate,
                newer.c.id > o.c.id,
            )
            .exists(),
        )
    )
    return set(rows)


def _current_figures(events: list[Claimed]) -> dict[int, dict[str, Any]]:
    """The figures as they are now, not as they were: the latest truth wins."""
    product_ids = [
        int(e.payload["product_id"])
        for e in events
        if e.event_type == AVAILABILITY and "product_id" in e.payload
    ]
    if not product_ids:
        return {}
    return {
        pid: availability_out(a).model_dump(mode="json")
        for pid, a in for_products(product_ids).items()
    }


def envelope(ev: Claimed, figures: dict[int, dict[str, Any]]) -> dict[str, Any]:
    data = ev.payload
    if ev.event_type == AVAILABILITY:
        current = figures.get(int(data["product_id"]))
        if current is not None:
            data = {**current, "occurred_at": data.get("occurred_at")}
    return {
        "id": ev.id,
        "type": ev.event_type,
        "created_at": iso(ev.created_at),
        "data": data,
    }


def _send(
    sender: Sender,
    ev: Claimed,
    channel: Any,
    figures: dict[int, dict[str, Any]],
) -> bool:
    now = utcnow()
    ev.attempts += 1
    if channel is None or not channel.webhook_url:
        ev.status = OutboxStatus.FAILED
        ev.last_error = _("The channel has no webhook URL.")
        return False
    body = json.dumps(envelope(ev, figures), separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "wms-webhooks/1",
        "X-WMS-Event": ev.event_type,
        "X-WMS-Delivery": str(ev.id),
        SIGNATURE_HEADER: sign(channel.webhook_secret or "", body),
    }
    try:
        status = sender.post(channel.webhook_url, body, headers)
        if 200 <= status < 300:
            ev.status = OutboxStatus.DELIVERED
            ev.delivered_at = now
            return True
        error = _("The receiver answered HTTP %(status)s.", status=status)
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
        error = _(
            "The receiver could not be reached: %(error)s",
            error=f"{type(exc).__name__}: {exc}"[:400],
        )
    _failed(ev, error, now)
    log.info("delivery of event %s failed: %s", ev.id, as_written(error))
    return False


def _failed(ev: Claimed, error: Text | Joined | str, now: datetime) -> None:
    ev.last_error = error
    if ev.attempts >= MAX_ATTEMPTS:
        ev.status = OutboxStatus.FAILED
    else:
        ev.next_attempt_at = now + backoff(ev.attempts)


def record(events: list[Claimed]) -> None:
    """Every outcome of the batch in one statement (executemany)."""
    now = utcnow()
    rows = []
    for ev in events:
        row = {
            "b_id": ev.id,
            "b_status": ev.status,
            "b_attempts": ev.attempts,
            # Kept in English for logs and rows read before, and as facts for the desk.
            "b_last_error": as_written(ev.last_error)[:500],
            "b_last_error_facts": (
                to_record(ev.last_error) if isinstance(ev.last_error, Text | Joined) else None
            ),
            "b_delivered_at": ev.delivered_at,
            # Handed back unsent: a lease already run out, due at once, yet not
            # taken for the waiting availability row (a newer one may wait).
            "b_claimed_until": now if ev.handed_back else None,
        }
        rows.append(row)
    db.session.execute(_record_outcome(), rows)
    retried = [e for e in events if e.next_attempt_at is not None]
    if retried:
        db.session.execute(
            _retry_later(),
            [{"b_id": e.id, "b_next": e.next_attempt_at} for e in retried],
        )
        for ev in retried:
            _hold_followers(ev)


@prebuilt
def _record_outcome() -> Any:
    o = OutboxEvent.__table__
    return (
        update(o)
        .where(o.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            attempts=bindparam("b_attempts"),
            last_error=bindparam("b_last_error"),
            last_error_facts=bindparam("b_last_error_facts", type_=o.c.last_error_facts.type),
            delivered_at=bindparam("b_delivered_at", type_=o.c.delivered_at.type),
            claimed_until=bindparam("b_claimed_until", type_=o.c.claimed_until.type),
        )
    )


@prebuilt
def _retry_later() -> Any:
    o = OutboxEvent.__table__
    return (
        update(o)
        .where(o.c.id == bindparam("b_id"))
        .values(next_attempt_at=bindparam("b_next", type_=o.c.next_attempt_at.type))
    )


def _hold_followers(ev: Claimed) -> None:
    """Events behind a failed one cannot go before it: they are due when it is."""
    o = OutboxEvent.__table__
    db.session.execute(
        update(o)
        .where(
            o.c.status == literal_column("'pending'"),
            o.c.channel_id == ev.channel_id,
            o.c.aggregate == ev.aggregate,
            o.c.id > ev.id,
            o.c.next_attempt_at < ev.next_attempt_at,
        )
        .values(next_attempt_at=ev.next_attempt_at)
    )


def retry_event(event_id: int) -> str | None:
    """An admin sends a failed event again: one statement, guarded on the event
    having failed, so a retry of a delivered or already queued event (or eight
    retries at once) sends nothing twice. Returns the status it was found in
    ("failed" when it is queued again), or None when there is no such event."""
    now = utcnow()
    # A lease already run out: due at once, yet not taken for the waiting
    # availability row (a newer figure may be waiting already).
    queued = db.session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == event_id, OutboxEvent.status == OutboxStatus.FAILED)
        .values(status=OutboxStatus.PENDING, next_attempt_at=now, claimed_until=now, attempts=0)
        .returning(OutboxEvent.id)
    ).first()
    if queued is not None:
        return OutboxStatus.FAILED
    return db.session.scalar(select(OutboxEvent.status).where(OutboxEvent.id == event_id))
