"""Telling the shops: stock figures, shipments, delays and payment capture, through
their platforms' APIs.

The outbox holds, for a shop channel, only the events in ``outbox.SHOP_EVENTS``;
the worker claims them with every other event and hands a shop's share of the
batch here, one job per channel; a channel has one batch in flight at a time
(``wms.worker.Lanes``), so each platform is called from one job at a time
(PrestaShop's stock rows alone, one per call, are written a few products side
by side) and a batch's figures for one shop go out together:

* ``availability.changed``: the figure of every product of the batch, read as
  it is now (the latest truth, however many changes were coalesced), in one
  ``set_stock`` call per channel, which the connector splits by what the
  platform takes in one call (Shopify 250 items, WooCommerce 100 per batch
  endpoint, PrestaShop one row each, eight products at once). The figure is the
  published one (on hand less reserved less the safety stock); a preorder
  product before its release publishes what is left of its preorder cap (0 when
  it has no cap: the shop sells it only if it takes orders at 0). A product with
  no item mapped on the shop has nothing to send: the event is ``skipped``,
  saying so.
* ``order.ready_to_ship`` (packed, payment still to take): a platform that
  holds an authorisation (Shopify) captures it, and the warehouse records the
  capture, which lets the label be bought. The others take payment at
  checkout, or record it when the shop's order says paid: nothing to send.
* ``order.shipped``: the parcel's fulfilment with its tracking number and
  carrier (the order's last parcel marks the shop's order shipped).
* ``order.backordered`` / ``order.projection_changed``: a note to the customer
  where the platform has one (WooCommerce customer note, PrestaShop customer
  message), else on the order (Shopify).

Rate limits: a connector waits in-process only briefly (``WAIT``); a platform
asking for longer (HTTP 429 or 503 with ``Retry-After``, Shopify's cost bucket)
makes the event wait that long in the outbox, and the channel's other events in
the batch wait with it, untried. Every write is safe to repeat (absolute
figures; tracking looked for before a fulfilment is created; a note not said
twice), so a retry after a timeout does no harm.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import requests
from sqlalchemy import bindparam, select, update

from wms.base.clock import utcnow
from wms.base.errors import DomainError
from wms.base.i18n import Joined, Text, _, n_
from wms.channels.connectors import (
    Connector,
    ConnectorError,
    PlatformRefused,
    PlatformUnavailable,
    Shipment,
    ShippedLine,
    StockFigure,
)
from wms.channels.models import Channel, ChannelProduct, OutboxStatus, ShopOrder
from wms.channels.shops import connector_of
from wms.extensions import db
from wms.i18n import format_date, in_language
from wms.inventory.availability import Availability, for_products

log = logging.getLogger(__name__)

WAIT = 2.0  # seconds a connector may wait in-process for a rate limit; longer: the outbox
TIMEOUT = 10.0
FIGURES = "availability.changed"
READY_TO_SHIP = "order.ready_to_ship"
SHIPPED = "order.shipped"
BACKORDERED = "order.backordered"
PROJECTION = "order.projection_changed"
NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce", "prestashop": "PrestaShop"}


def shop_figure(a: Availability) -> int:
    """The figure a shop shows: published stock, or a preorder's remaining cap."""
    if a.preorder:
        return a.preorder_available or 0
    return a.published


@dataclass(frozen=True)
class Item:
    """A shop's item mapped to a product."""

    mapping_id: int
    product_id: str
    variant_id: str
    sku: str
    stock_key: str


@dataclass(frozen=True)
class ShopOrderFacts:
    platform_order_id: str
    name: str
    lines: tuple[dict[str, Any], ...]  # the platform's lines that became warehouse lines
    language: str | None = None  # the customer's, when the shop said it at intake


@dataclass
class Job:
    """One shop channel's events of a batch, with what sending them needs."""

    channel_id: int
    code: str
    platform: str
    connector: Connector | None
    problem: Text | str  # why there is no connector
    events: list[Any]  # delivery.Claimed, in id order
    figures: dict[int, int] = field(default_factory=dict)  # product id -> figure
    items: dict[int, list[Item]] = field(default_factory=dict)  # product id -> its items
    orders: dict[int, ShopOrderFacts] = field(default_factory=dict)  # warehouse order id
    learned: dict[int, str] = field(default_factory=dict)  # mapping id -> stock key
    # event id -> what the customer reads, written in their language while preparing
    # (the sender threads have no app to ask for a language)
    notes: dict[int, str] = field(default_factory=dict)
    calls: int = 0


# ---------------------------------------------------------------- connectors

_connectors: dict[tuple[str, int, str, str], Connector] = {}
_connectors_lock = threading.Lock()


def _connector(channel: Any) -> Connector:
    """The channel's connector, kept between batches (Shopify's bucket is remembered)."""
    key = (
        str(db.engine.url),
        channel.id,
        channel.credentials_sealed or "",
        channel.signing_secret_sealed or "",
    )
    with _connectors_lock:
        found = _connectors.get(key)
        if found is None:
            if len(_connectors) > 256:
                _connectors.clear()
            http = requests.Session()
            http.trust_env = False
            found = _connectors[key] = connector_of(channel, http, max_wait=WAIT, timeout=TIMEOUT)
        return found


# ------------------------------------------------------------------ prepare


def prepare(events: list[Any]) -> list[Job]:
    """Group a batch's shop events by channel and read what sending them needs."""
    if not events:
        return []
    by_channel: dict[int, list[Any]] = {}
    for ev in events:
        by_channel.setdefault(ev.channel_id, []).append(ev)
    channels = {
        c.id: c for c in db.session.scalars(select(Channel).where(Channel.id.in_(list(by_channel))))
    }
    product_ids = sorted({int(e.payload["product_id"]) for e in events if e.event_type == FIGURES})
    available = for_products(product_ids) if product_ids else {}
    items = _items(list(by_channel), product_ids)
    order_ids = sorted({int(e.payload["order_id"]) for e in events if e.event_type != FIGURES})
    orders = _orders(order_ids)
    jobs = []
    for channel_id, its_events in sorted(by_channel.items()):
        channel = channels.get(channel_id)
        connector, problem = None, ""
        if channel is None:
            problem = _("The channel is gone.")
        else:
            try:
                connector = _connector(channel)
            except (DomainError, ConnectorError, ValueError, TypeError) as error:
                problem = _("The shop cannot be reached: %(why)s", why=_sentence(error))
        its_orders = {oid: facts for (cid, oid), facts in orders.items() if cid == channel_id}
        jobs.append(
            Job(
                channel_id=channel_id,
                code=channel.code if channel else str(channel_id),
                platform=channel.platform if channel else "",
                connector=connector,
                problem=problem,
                events=sorted(its_events, key=lambda e: e.id),
                figures={pid: shop_figure(a) for pid, a in available.items()},
                items=items.get(channel_id, {}),
                orders=its_orders,
                notes=_notes(its_events, its_orders),
            )
        )
    return jobs


def _notes(events: list[Any], orders: dict[int, ShopOrderFacts]) -> dict[int, str]:
    """Each customer note of these events, in the language of the order it is about (the
    warehouse's default when the shop did not say)."""
    notes = {}
    for ev in events:
        if ev.event_type not in (BACKORDERED, PROJECTION, SHIPPED):
            continue
        facts = orders.get(int(ev.payload.get("order_id") or 0))
        if facts is None:
            continue
        lines = ev.payload.get("lines") or []
        with in_language(facts.language):
            if ev.event_type == BACKORDERED:
                notes[ev.id] = backorder_note(facts, lines)
            elif ev.event_type == PROJECTION:
                notes[ev.id] = projection_note(facts, lines)
            else:
                notes[ev.id] = tracking_note(ev.payload)
    return notes


def _items(channel_ids: list[int], product_ids: list[int]) -> dict[int, dict[int, list[Item]]]:
    if not product_ids:
        return {}
    cp = ChannelProduct.__table__
    rows = db.session.execute(
        select(
            cp.c.id,
            cp.c.channel_id,
            cp.c.product_id,
            cp.c.platform_product_id,
            cp.c.platform_variant_id,
            cp.c.platform_sku,
            cp.c.stock_key,
        )
        .where(cp.c.channel_id.in_(channel_ids), cp.c.product_id.in_(product_ids))
        .order_by(cp.c.id)
    )
    found: dict[int, dict[int, list[Item]]] = {}
    for r in rows:
        found.setdefault(r.channel_id, {}).setdefault(r.product_id, []).append(
            Item(r.id, r.platform_product_id, r.platform_variant_id, r.platform_sku, r.stock_key)
        )
    return found


def _orders(order_ids: list[int]) -> dict[tuple[int, int], ShopOrderFacts]:
    if not order_ids:
        return {}
    so = ShopOrder.__table__
    rows = db.session.execute(
        select(
            so.c.channel_id, so.c.order_id, so.c.platform_order_id, so.c.name, so.c.order_data
        ).where(so.c.order_id.in_(order_ids))
    )
    found = {}
    for r in rows:
        data = r.order_data or {}
        # The warehouse's line N is the shop's Nth line with something to ship.
        lines = tuple(ln for ln in data.get("lines") or [] if int(ln.get("qty") or 0) > 0)
        # The customer's language as the shop said it at intake (the order keeps the same).
        language = str(data.get("language") or "") or None
        found[(r.channel_id, r.order_id)] = ShopOrderFacts(
            r.platform_order_id, r.name, lines, language
        )
    return found


# --------------------------------------------------------------------- send


def send(job: Job, started: float, lease_seconds: float, failed: Callable[..., None]) -> None:
    """Send one channel's events: the figures in one call, then each order event in turn.

    Runs without the database (in a sender thread). Each event records its own outcome.
    """
    now = utcnow()
    if job.connector is None:
        for ev in job.events:
            ev.attempts += 1
            failed(ev, job.problem, now)
        return
    figures = [e for e in job.events if e.event_type == FIGURES and _open(e)]
    others = [e for e in job.events if e.event_type != FIGURES and _open(e)]
    waiting_until: datetime | None = None
    if figures:
        waiting_until = _push_figures(job, figures, failed)
    for ev in others:
        if waiting_until is not None:
            ev.next_attempt_at = waiting_until  # the platform asked us to wait: untried
            continue
        if time.monotonic() - started > lease_seconds / 2:
            ev.handed_back = True
            continue
        waiting_until = _send_order_event(job, ev, failed)


def _open(ev: Any) -> bool:
    return ev.status == OutboxStatus.PENDING and not ev.handed_back


def _push_figures(job: Job, events: list[Any], failed: Callable[..., None]) -> datetime | None:
    assert job.connector is not None
    now = utcnow()
    keys_of: dict[int, list[str]] = {}
    wanted: list[StockFigure] = []
    try:
        keys = _stock_keys(job, [int(e.payload["product_id"]) for e in events])
    except ConnectorError as error:
        return _all_failed(events, error, now, failed)
    for ev in events:
        product_id = int(ev.payload["product_id"])
        its_keys = keys.get(product_id, [])
        if not its_keys:
            ev.attempts += 1
            ev.status = OutboxStatus.SKIPPED
            ev.last_error = _not_sold(job)
            continue
        keys_of[ev.id] = its_keys
        qty = job.figures.get(product_id, 0)
        wanted.extend(StockFigure(key, qty) for key in its_keys)
    if not wanted:
        return None
    sending = [e for e in events if e.id in keys_of]
    for ev in sending:
        ev.attempts += 1
    try:
        result = job.connector.set_stock(_unique(wanted))
    except ConnectorError as error:
        for ev in sending:
            ev.attempts -= 1  # counted again by _all_failed
        return _all_failed(sending, error, now, failed)
    pushed = set(result.pushed)
    for ev in sending:
        refused = [result.refused[k] for k in keys_of[ev.id] if k in result.refused]
        missing = [k for k in keys_of[ev.id] if k not in pushed and k not in result.refused]
        if refused:
            ev.status = OutboxStatus.FAILED
            ev.last_error = Joined(refused, " ")
        elif missing:
            name = NAMES.get(job.platform, job.platform)
            failed(
                ev,
                n_(
                    "%(platform)s did not confirm item %(items)s.",
                    "%(platform)s did not confirm items %(items)s.",
                    len(missing),
                    platform=name,
                    items=", ".join(missing),
                ),
                now,
            )
        else:
            ev.status = OutboxStatus.DELIVERED
            ev.delivered_at = now
    return None


def _sentence(error: Exception) -> Text | str:
    """An error's sentence (marked when the code wrote it): the outbox keeps it in English
    for logs and as facts for the desk."""
    return getattr(error, "sentence", None) or str(error)


def _unique(figures: list[StockFigure]) -> list[StockFigure]:
    return list({f.key: f for f in figures}.values())


def _not_sold(job: Job) -> Text:
    return _(
        "Nothing to send: no item of the shop %(shop)s is mapped to this product "
        "(import the shop's products or map it on the desk).",
        shop=job.code,
    )


def _stock_keys(job: Job, product_ids: list[int]) -> dict[int, list[str]]:
    """Each product's stock keys on the shop; keys not stored yet are derived from the
    item's ids, or learned from the shop's product list (Shopify's inventory items)."""
    assert job.connector is not None
    keys: dict[int, list[str]] = {}
    unknown: list[tuple[int, Item]] = []
    for product_id in product_ids:
        for item in job.items.get(product_id, []):
            key = item.stock_key or job.connector.stock_key(item.product_id, item.variant_id)
            if key:
                keys.setdefault(product_id, []).append(key)
            else:
                unknown.append((product_id, item))
    if unknown:
        listed = job.connector.list_products()
        by_ids = {(p.product_id, p.variant_id): p.key for p in listed}
        by_variant = {p.variant_id: p.key for p in listed if p.variant_id}
        for product_id, item in unknown:
            key = by_ids.get((item.product_id, item.variant_id)) or by_variant.get(
                item.variant_id, ""
            )
            if key:
                job.learned[item.mapping_id] = key
                keys.setdefault(product_id, []).append(key)
    return keys


def _all_failed(
    events: list[Any], error: Exception, now: datetime, failed: Callable[..., None]
) -> datetime | None:
    """The call failed for all of them. Returns when to try the channel again, if the
    platform said to wait."""
    until = None
    for ev in events:
        ev.attempts += 1
        until = _after_error(ev, error, now, failed) or until
    return until


def _after_error(
    ev: Any, error: Exception, now: datetime, failed: Callable[..., None]
) -> datetime | None:
    if isinstance(error, PlatformRefused):
        ev.status = OutboxStatus.FAILED
        ev.last_error = _sentence(error)
        return None
    failed(ev, _sentence(error), now)
    retry_after = getattr(error, "retry_after", None)
    if isinstance(error, PlatformUnavailable) and retry_after is not None:
        ev.next_attempt_at = now + timedelta(seconds=max(1.0, retry_after))
        return ev.next_attempt_at
    return None


def _send_order_event(job: Job, ev: Any, failed: Callable[..., None]) -> datetime | None:
    assert job.connector is not None
    now = utcnow()
    order_id = int(ev.payload["order_id"])
    facts = job.orders.get(order_id)
    ev.attempts += 1
    if facts is None:
        ev.status = OutboxStatus.SKIPPED
        ev.last_error = _(
            "Nothing to send: order %(order)s did not come from the shop %(shop)s.",
            order=order_id,
            shop=job.code,
        )
        return None
    try:
        said = _tell(job.connector, ev, facts, job.notes.get(ev.id))
    except ConnectorError as error:
        return _after_error(ev, error, now, failed)
    if said:
        ev.status = OutboxStatus.SKIPPED
        ev.last_error = said
    else:
        ev.status = OutboxStatus.DELIVERED
        ev.delivered_at = now
    return None


def _tell(connector: Connector, ev: Any, facts: ShopOrderFacts, note: str | None) -> Text | str:
    """One order event to the platform; returns why nothing was sent, or ""."""
    data = ev.payload
    order = facts.platform_order_id
    if ev.event_type == READY_TO_SHIP:
        if data.get("payment_captured"):
            return _("Nothing to send: the payment is captured already.")
        if not connector.holds_authorisations:
            return _(
                "Nothing to capture: %(platform)s takes the payment at checkout; "
                "a pending payment is recorded when the shop's order says paid.",
                platform=NAMES.get(connector.platform, connector.platform),
            )
        connector.capture_payment(order)
        ev.captured_order = int(data["order_id"])
        return ""
    if ev.event_type == SHIPPED:
        connector.fulfil(order, _shipment(data, facts, note or ""))
        return ""
    if ev.event_type == BACKORDERED:
        text = note if note is not None else backorder_note(facts, data.get("lines") or [])
    elif ev.event_type == PROJECTION:
        text = note if note is not None else projection_note(facts, data.get("lines") or [])
    else:
        return _("Nothing to send: a shop is not told %(event)s.", event=ev.event_type)
    if not text:
        return _("Nothing to say: no line of the shop's order changed.")
    connector.add_note(order, text, customer_facing=True)
    return ""


def _shipment(data: dict[str, Any], facts: ShopOrderFacts, message: str = "") -> Shipment:
    lines = []
    for shipped in data.get("lines") or []:
        position = int(shipped.get("line") or 0)
        qty = int(shipped.get("qty_shipped") or 0)
        if qty <= 0:
            continue
        if 1 <= position <= len(facts.lines):
            line = facts.lines[position - 1]
            sku, line_id = str(line.get("sku") or ""), str(line.get("line_id") or "")
            lines.append(ShippedLine(qty=qty, sku=sku, line_id=line_id))
        else:
            lines.append(ShippedLine(qty=qty, sku=str(shipped.get("sku") or "")))
    return Shipment(
        tracking_number=str(data.get("tracking_number") or ""),
        carrier=str(data.get("carrier") or ""),
        tracking_url=str(data.get("tracking_url") or ""),
        lines=tuple(lines),
        message=message,
        final=not data.get("partial"),
    )


# -------------------------------------------------------------------- notes


def _qty_title(facts: ShopOrderFacts, line: dict[str, Any], qty: int) -> dict[str, Any]:
    """The line's quantity and the shop's own title of it (else its SKU) for a sentence."""
    position = int(line.get("line") or 0)
    sku = str(line.get("sku") or "")
    if 1 <= position <= len(facts.lines):
        ordered = facts.lines[position - 1]
        title = ordered.get("title") or ordered.get("sku") or sku
    else:
        title = sku or str(_("line %(num)s", num=position))
    return {"qty": qty, "title": title}


def _when(text: str | None) -> str:
    """``11 December 2026`` / ``11 décembre 2026``: in the language being written."""
    if not text:
        return ""
    return format_date(date.fromisoformat(str(text)[:10]), "d MMMM y")


def _about(facts: ShopOrderFacts, said: list[str]) -> str:
    if not said:
        return ""
    about = _("About your order %(order)s:", order=facts.name or facts.platform_order_id)
    return " ".join([str(about), *said])


def _line_by_line(
    facts: ShopOrderFacts, lines: list[dict[str, Any]], qty_key: str, sentence: Any
) -> list[str]:
    """One sentence per line that still has units under ``qty_key``: ``sentence(what,
    when)`` is given the line's quantity and title, and the day it is expected (or "")."""
    said = []
    for ln in lines:
        qty = int(ln.get(qty_key) or 0)
        if qty > 0:
            what = _qty_title(facts, ln, qty)
            said.append(str(sentence(what, _when(ln.get("projected_fill_on")))))
    return said


def backorder_note(facts: ShopOrderFacts, lines: list[dict[str, Any]]) -> str:
    """What the customer reads when lines of their order wait for stock (in the language
    in force: see :func:`_notes`)."""

    def sentence(what: dict[str, Any], when: str) -> Any:
        if when:
            return _(
                "%(qty)s of %(title)s is on backorder; we expect to send it by %(day)s.",
                day=when,
                **what,
            )
        return _(
            "%(qty)s of %(title)s is on backorder; we will send it as soon as it is back in stock.",
            **what,
        )

    return _about(facts, _line_by_line(facts, lines, "qty_backordered", sentence))


def projection_note(facts: ShopOrderFacts, lines: list[dict[str, Any]]) -> str:
    """What the customer reads when the date a waiting line is expected moves."""

    def sentence(what: dict[str, Any], when: str) -> Any:
        if when:
            return _(
                "%(qty)s of %(title)s is now expected to be sent by %(day)s.", day=when, **what
            )
        return _(
            "%(qty)s of %(title)s has no date yet; we will send it as soon as it is back in stock.",
            **what,
        )

    return _about(facts, _line_by_line(facts, lines, "qty_waiting", sentence))


def tracking_note(data: dict[str, Any]) -> str:
    """What the customer reads of their parcel where the shop shows a note (WooCommerce)."""
    carrier = str(data.get("carrier") or "")
    number = str(data.get("tracking_number") or "")
    url = str(data.get("tracking_url") or "")
    if url:
        return str(
            _(
                "Your order has shipped with %(carrier)s, tracking number %(number)s. "
                "Follow it at %(url)s",
                carrier=carrier,
                number=number,
                url=url,
            )
        )
    return str(
        _(
            "Your order has shipped with %(carrier)s, tracking number %(number)s.",
            carrier=carrier,
            number=number,
        )
    )


# ------------------------------------------------------------------- record


def remember(jobs: list[Job]) -> None:
    """Store the stock keys learned from the shops while sending (one statement)."""
    learned = [
        {"b_id": mapping_id, "b_key": key}
        for job in jobs
        for mapping_id, key in job.learned.items()
    ]
    if learned:
        cp = ChannelProduct.__table__
        db.session.execute(
            update(cp)
            .where(cp.c.id == bindparam("b_id"), cp.c.stock_key == "")
            .values(stock_key=bindparam("b_key")),
            learned,
        )
