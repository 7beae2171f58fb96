"""Events for the channels, written in the transaction that caused them.

``emit`` only collects; the rows are inserted in one statement just before
the transaction commits, so an event exists exactly when its cause does.
Delivery happens later, in the worker (``wms.channels.delivery``).

Availability is coalesced as it is written: a product and channel have at
most one waiting ``availability.changed`` row, and a new change updates it
in place (``INSERT ... ON CONFLICT DO UPDATE`` on a partial unique index),
so a flash sale of thousands of orders leaves one row per product, not one
per order. The figures themselves are read when the event is sent.

Two kinds of channel listen: a channel with a webhook URL gets every event;
a shop channel (Shopify, WooCommerce, PrestaShop) gets only the events the
worker turns into calls to its platform (``SHOP_EVENTS``: figures, shipments,
delays, payment capture), delivered by ``wms.channels.pushes``.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import bindparam, delete, event, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from wms.base.clock import iso, utcnow
from wms.channels.models import WAITING_AVAILABILITY, Channel, OutboxEvent, OutboxStatus
from wms.database import prebuilt
from wms.extensions import db

_BUFFER = "wms.outbox"
_AVAILABILITY = "wms.outbox.availability"
_channel_cache: dict[str, tuple[float, dict[int, str]]] = {}
CHANNEL_CACHE_SECONDS = 5.0
WEBHOOK = "webhook"
SHOP = "shop"
# What a shop channel is told, and how (see wms.channels.pushes).
SHOP_EVENTS = frozenset(
    {
        "availability.changed",  # the figure, to the platform's stock
        "order.ready_to_ship",  # packed: capture an authorised payment
        "order.shipped",  # the fulfilment, with its tracking
        "order.backordered",  # a line waits: the customer is told
        "order.projection_changed",  # its date moved: the customer is told
    }
)


def emit(event_type: str, channel_id: int, aggregate: str, payload: dict[str, Any]) -> None:
    """Queue an event for one channel (if it listens) in the current transaction."""
    kind = _listening_channels().get(channel_id)
    if not kind or (kind == SHOP and event_type not in SHOP_EVENTS):
        return
    _buffer().append(
        {
            "channel_id": channel_id,
            "event_type": event_type,
            "aggregate": aggregate,
            "payload": payload,
        }
    )


def emit_to_all(event_type: str, aggregate: str, payload: dict[str, Any]) -> None:
    """Queue an event for every channel with a webhook."""
    for channel_id, kind in _listening_channels().items():
        if kind == WEBHOOK:
            _buffer().append(
                {
                    "channel_id": channel_id,
                    "event_type": event_type,
                    "aggregate": aggregate,
                    "payload": payload,
                }
            )


def emit_availability(product_ids: list[int]) -> None:
    """Say that products' availability changed.

    At commit, each product gets one waiting event per listening channel, or
    the one already waiting is updated. The figures are read when the event
    is delivered, so the channel always gets the latest.
    """
    pending = db.session.info.setdefault(_AVAILABILITY, set())
    pending.update(product_ids)


def forget_channels() -> None:
    """Call after channels change so the next event sees them at once."""
    _channel_cache.clear()


def _listening_channels() -> dict[int, str]:
    """Active channels by id: ``webhook``, ``shop``, or "" (it listens to nothing)."""
    key = str(db.engine.url)
    now = time.monotonic()
    cached = _channel_cache.get(key)
    if cached and now - cached[0] < CHANNEL_CACHE_SECONDS:
        return cached[1]
    rows = db.session.execute(
        select(Channel.id, Channel.webhook_url, Channel.platform).where(Channel.active.is_(True))
    ).all()
    channels = {
        cid: WEBHOOK if url else SHOP if platform and platform != "generic" else ""
        for cid, url, platform in rows
    }
    _channel_cache[key] = (now, channels)
    return channels


def _buffer() -> list[dict[str, Any]]:
    return db.session.info.setdefault(_BUFFER, [])


def _flush(session: Session) -> None:
    # before_commit. Availability comes last: by then the transaction holds the
    # product rows it changed, and takes the waiting event rows in one order
    # (channel, product) after them, as every other writer does.
    flush_now(session)
    _write_availability(session)


def _write_availability(session: Session) -> None:
    product_ids = session.info.pop(_AVAILABILITY, None)
    if not product_ids:
        return
    channels = sorted(cid for cid, kind in _listening_channels().items() if kind)
    if not channels:
        return
    _upsert_figures(session, channels, product_ids)


def emit_availability_to(channel_id: int, product_ids: list[int]) -> None:
    """Queue one figure per product for one channel, now (a shop's "push every figure").

    Coalesced like any other figure: a product that already has one waiting
    keeps that one. The worker reads the figures when it sends them.
    """
    if product_ids:
        _upsert_figures(db.session(), [channel_id], set(product_ids))


def _upsert_figures(session: Session, channels: list[int], product_ids: set[int]) -> None:
    now = utcnow()
    rows = [
        {
            "channel_id": channel_id,
            "aggregate": f"product:{product_id}",
            "payload": {"product_id": product_id, "occurred_at": iso(now)},
            "now": now,
        }
        for channel_id in channels
        for product_id in sorted(product_ids)
    ]
    session.execute(_upsert_availability(), rows)


@prebuilt
def _upsert_availability() -> object:
    table = OutboxEvent.__table__
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(
        channel_id=bindparam("channel_id"),
        event_type="availability.changed",
        aggregate=bindparam("aggregate"),
        payload=bindparam("payload", type_=table.c.payload.type),
        status=OutboxStatus.PENDING.value,
        attempts=0,
        next_attempt_at=bindparam("now"),
        last_error="",
        created_at=bindparam("now"),
    )
    # The waiting row keeps its place in the queue; only the moment moves.
    return stmt.on_conflict_do_update(
        index_elements=["channel_id", "aggregate"],
        index_where=text(WAITING_AVAILABILITY),
        set_={"payload": stmt.excluded.payload},
    )


def flush_now(session: Session | None = None) -> list[int]:
    """Insert the events collected so far, now, in the current transaction; returns their ids.

    Availability figures wait for the commit (see ``_flush``).
    """
    session = session or db.session()
    rows = session.info.pop(_BUFFER, None)
    if not rows:
        return []
    now = utcnow()
    for row in rows:
        row["created_at"] = now
        row["next_attempt_at"] = now
        row["payload"] = {**row["payload"], "occurred_at": iso(now)}
    return list(session.scalars(_insert_events(), rows))


@prebuilt
def _insert_events() -> Any:
    table = OutboxEvent.__table__
    return insert(table).returning(table.c.id)


def discard(event_ids: list[int]) -> None:
    """Take back events written earlier in this transaction (their cause was undone)."""
    if event_ids:
        table = OutboxEvent.__table__
        db.session.execute(delete(table).where(table.c.id.in_(event_ids)))


def _clear(session: Session, *_: Any) -> None:
    session.info.pop(_BUFFER, None)
    session.info.pop(_AVAILABILITY, None)


def install(session_class: type[Session]) -> None:
    if event.contains(session_class, "before_commit", _flush):
        return
    event.listen(session_class, "before_commit", _flush)
    event.listen(session_class, "after_rollback", _clear)
    event.listen(session_class, "after_soft_rollback", _clear)
