"""Orders from the shops: taken in once, through the same intake as the API.

A shop's order is stored once per (channel, platform order id) in
``shop_orders``, in the same transaction as the warehouse order it becomes, so
a webhook delivered twice, two deliveries at once, or a poll that sees an order
again change nothing: the second finds the row (the first holds its lock until
it commits) and answers as a repeat.

* An order whose every line maps to a product goes through
  ``wms.orders.services.accept_order`` (reservation, backorder, preorder) and is
  ``accepted``. One the intake refuses (short, on a product that takes no
  backorders) is ``refused``, with the intake's sentence; nothing of it stays.
* A line that maps to no product keeps the order ``needs_attention`` with the
  reason; a supervisor maps the line (``map_line``) and releases it
  (``release``), which runs the intake once.
* A later version of an order already taken in changes nothing, except: a
  cancelled one cancels the warehouse order (while it can still be cancelled;
  after picking began it waits, ``cancelled_after_pick``, for a supervisor to
  cancel it in the warehouse or ship it anyway), and a paid one records the
  payment of an order that waited for it. A later
  version of an order still waiting replaces the one kept, and is tried again.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Integer,
    bindparam,
    cast,
    exists,
    func,
    literal,
    literal_column,
    null,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import Conflict, DomainError, InsufficientStock, InvalidInput, NotFound
from wms.base.i18n import Joined, Text, _, as_written, from_record, to_record
from wms.base.numbers import order_number
from wms.channels.connectors import PlatformOrder, UnreadableOrder
from wms.channels.models import (
    WAITING_STATES,
    Channel,
    ChannelProduct,
    ShippingMethod,
    ShopOrder,
    ShopOrderState,
    WebhookReceipt,
)
from wms.core.ledger import Reason, move_stock
from wms.core.models import Order, OrderStatus, StagedUnits
from wms.core.staging import take_staged
from wms.core.stock import upsert
from wms.database import for_update, is_postgres, prebuilt
from wms.extensions import db
from wms.i18n import normal_language
from wms.inventory.models import Location, Product, ProductStock
from wms.orders import services as orders
from wms.picking.services import picks
from wms.receiving.services.routing import suggest_bin
from wms.shipping.services import parcels as shipping_parcels
from wms.shops import rules

shop_orders_t = ShopOrder.__table__
receipts_t = WebhookReceipt.__table__
mapping_t = ChannelProduct.__table__
channels_t = Channel.__table__
products_t = Product.__table__
methods_t = ShippingMethod.__table__
staged_t = StagedUnits.__table__

TAKEN = "taken"
UNREADABLE = "unreadable"
# A warehouse order on its way: a payment is recorded; a cancel stops it (accepted only).
SHIPPING_STATES = (ShopOrderState.ACCEPTED, ShopOrderState.SHIPS_ANYWAY)


@dataclass(frozen=True)
class Outcome:
    """What became of a shop's order: its state, the warehouse order, the reason."""

    shop_order_id: int
    state: str
    order_id: int | None
    reason: Text | str = ""  # in the reader's language when shown (the API says it in English)
    repeat: bool = False  # seen before, and nothing changed


def reason_values(reason: Text | str) -> dict[str, Any]:
    """A shop order's reason as its row keeps it: the English as written and the facts
    (worded for each reader where it is shown)."""
    return {"reason": as_written(reason), "reason_facts": to_record(reason) if reason else None}


# ------------------------------------------------------------------ intake


def take_order(channel_id: int, order: PlatformOrder, raw: bytes) -> Outcome:
    """Take a shop's order in, once. See the module docstring."""
    new_id = db.session.execute(_insert_shop_order(), _shop_order_row(channel_id, order, raw))
    return _taken(channel_id, new_id.scalar(), order, raw)


def take_delivery(
    channel_id: int, webhook_id: str, topic: str, order: PlatformOrder, raw: bytes
) -> Outcome | None:
    """A verified webhook delivery's order, taken in once; None when the same delivery
    (``webhook_id``) was taken before, and nothing changed.

    On PostgreSQL the delivery's receipt, the shop order's row and everything the
    intake needs to know of its lines are one statement (the row is written only
    when the receipt is new); elsewhere, one after the other. The row is written
    as the common case leaves it: accepted, with the id the warehouse order will
    have, taken from the orders' sequence (the link is checked at commit). The
    intake writes the order with that id, and the row is written again only when
    the order went another way (refused, waiting, cancelled, another id). Its
    unique platform order id still decides a concurrent delivery of the same
    order: the second waits for the first's commit, then finds the row.
    """
    if not is_postgres():
        if not receive_delivery(channel_id, webhook_id, topic):
            return None
        return take_order(channel_id, order, raw)
    rows = db.session.execute(
        _take_delivery(),
        {
            **{f"r_{k}": v for k, v in _receipt_row(channel_id, webhook_id, topic).items()},
            **_shop_order_row(channel_id, order, raw),
            "state": ShopOrderState.ACCEPTED,
            **_lookup_params(channel_id, order),
        },
    ).all()
    ids = {row[0]: (row[4], row[5]) for row in rows if row[0] in ("r", "o")}
    if "r" not in ids:
        # Taken before; or kept unreadable, and taken now that it is sent again.
        if not _retake_delivery(channel_id, webhook_id):
            return None
        return take_order(channel_id, order, raw)
    new_id, order_id = ids.get("o", (None, None))
    return _taken(channel_id, new_id, order, raw, _known_of(rows), order_id)


def _taken(
    channel_id: int,
    new_id: int | None,
    order: PlatformOrder,
    raw: bytes,
    known: _Known | None = None,
    order_id: int | None = None,
) -> Outcome:
    """The intake of an order whose row was just written (``new_id``), or seen before.
    ``order_id``: the warehouse order's id the new row was written with (accepted)."""
    if new_id is not None:
        if order.cancelled:
            return _settle(
                new_id,
                ShopOrderState.CANCELLED,
                reason=_("Cancelled on the shop before the warehouse took it in."),
                unlink=order_id is not None,
            )
        return _intake(channel_id, new_id, order, known, order_id)
    row = _locked(channel_id, order.order_id)
    return _again(row, order, raw)


def _shop_order_row(channel_id: int, order: PlatformOrder, raw: bytes) -> dict[str, Any]:
    now = utcnow()
    return {
        "channel_id": channel_id,
        "platform_order_id": order.order_id,
        "name": order.name[:64],
        "state": ShopOrderState.NEEDS_ATTENTION,
        "reason": "",
        "raw": raw,
        "order_data": rules.to_data(order),
        "platform_updated_at": order.raw_updated_at[:40],
        "created_at": now,
        "updated_at": now,
    }


@prebuilt
def _take_delivery() -> Any:
    """The receipt (if new), then the shop order's row (if the receipt was new and the
    order is; written accepted, with the next id of the orders' sequence), then the
    lookups of ``_known``; the ids come back as rows of kind "r" (the receipt) and "o"
    (the shop order, with the warehouse order's id in the facts' first column)."""
    receipt = (
        postgresql.insert(receipts_t)
        .values({c: bindparam(f"r_{c}", type_=receipts_t.c[c].type) for c in _RECEIPT_COLUMNS})
        .on_conflict_do_nothing(index_elements=["channel_id", "webhook_id"])
        .returning(receipts_t.c.id)
        .cte("receipt")
    )
    # The warehouse order's id, taken before the order is written (see take_delivery).
    next_order_id = func.nextval(literal_column("'orders_id_seq'"))
    shop_order = (
        postgresql.insert(shop_orders_t)
        .from_select(
            [*_SHOP_ORDER_COLUMNS, "order_id"],
            select(
                *(bindparam(c, type_=shop_orders_t.c[c].type) for c in _SHOP_ORDER_COLUMNS),
                cast(next_order_id, shop_orders_t.c.order_id.type),
            ).where(exists(select(receipt.c.id))),
        )
        .on_conflict_do_nothing(index_elements=["channel_id", "platform_order_id"])
        .returning(shop_orders_t.c.id, shop_orders_t.c.order_id)
        .cte("shop_order")
    )
    return union_all(
        select(literal("r"), literal(""), literal(""), literal(""), receipt.c.id, *_NO_FACTS),
        select(
            literal("o"),
            literal(""),
            literal(""),
            literal(""),
            shop_order.c.id,
            shop_order.c.order_id,
            *_NO_FACTS[1:],
        ),
        *_lookup_parts(bindparam("channel_id")),
    )


_RECEIPT_COLUMNS = (
    "channel_id",
    "webhook_id",
    "topic",
    "state",
    "reason",
    "raw",
    "attempts",
    "received_at",
)
_SHOP_ORDER_COLUMNS = (
    "channel_id",
    "platform_order_id",
    "name",
    "state",
    "reason",
    "raw",
    "order_data",
    "platform_updated_at",
    "created_at",
    "updated_at",
)


@prebuilt
def _insert_shop_order() -> Any:
    return (
        upsert(shop_orders_t)
        .on_conflict_do_nothing(index_elements=["channel_id", "platform_order_id"])
        .returning(shop_orders_t.c.id)
    )


def _locked(channel_id: int, platform_order_id: str) -> ShopOrder:
    row = db.session.scalars(
        for_update(
            select(ShopOrder).where(
                ShopOrder.channel_id == channel_id,
                ShopOrder.platform_order_id == platform_order_id,
            )
        ).execution_options(populate_existing=True)
    ).one()
    return row


def _again(row: ShopOrder, order: PlatformOrder, raw: bytes) -> Outcome:
    """An order seen before: a repeat, a cancellation, a payment, or a new version."""
    stale = bool(
        order.raw_updated_at
        and row.platform_updated_at
        and order.raw_updated_at < row.platform_updated_at
    )
    if row.state in SHIPPING_STATES and row.order_id is not None:
        if order.cancelled and not stale and row.state == ShopOrderState.ACCEPTED:
            return _cancel(row, order)
        if order.payment == "paid":
            _record_payment(row.order_id)
        return _outcome(row, repeat=True)
    if row.state not in WAITING_STATES or stale:
        return _outcome(row, repeat=True)
    if row.platform_updated_at == order.raw_updated_at and row.raw == raw:
        return _outcome(row, repeat=True)
    row.raw = raw
    row.order_data = rules.to_data(order)
    row.platform_updated_at = order.raw_updated_at[:40]
    row.updated_at = utcnow()
    db.session.flush()
    if order.cancelled:
        return _settle(row.id, ShopOrderState.CANCELLED, reason=_("Cancelled on the shop."))
    return _intake(row.channel_id, row.id, order)


def _cancel(row: ShopOrder, order: PlatformOrder) -> Outcome:
    assert row.order_id is not None
    try:
        orders.cancel_order(row.order_id, reason=f"cancelled on {order.platform}")
    except Conflict as exc:
        # Its units have started moving: the pack station stops it and the desk lists it,
        # until a supervisor cancels it in the warehouse or lets it ship. Shipped already:
        # nothing to stop, the reason is only kept.
        shipped = exc.details.get("status") == OrderStatus.SHIPPED
        state = ShopOrderState.ACCEPTED if shipped else ShopOrderState.CANCELLED_AFTER_PICK
        reason = _(
            "Cancelled on the shop, but the warehouse could not stop it: %(why)s", why=exc.sentence
        )
        db.session.execute(
            update(shop_orders_t)
            .where(shop_orders_t.c.id == row.id, shop_orders_t.c.state == ShopOrderState.ACCEPTED)
            .values(state=state, **reason_values(reason), updated_at=utcnow())
        )
        return Outcome(row.id, state, row.order_id, reason)
    return _settle(
        row.id, ShopOrderState.CANCELLED, order_id=row.order_id, reason=_("Cancelled on the shop.")
    )


def payment_captured(order_id: int) -> None:
    """The shop captured the payment of an order that waited for it (the worker
    asked it to, once the parcel was packed)."""
    _record_payment(order_id)


def _record_payment(order_id: int) -> None:
    waits = db.session.execute(
        select(Order.capture_before_ship, Order.payment_captured_at).where(Order.id == order_id)
    ).one()
    if waits.capture_before_ship and waits.payment_captured_at is None:
        # Cancelled meanwhile: nothing to ship, nothing to record.
        with contextlib.suppress(Conflict):
            orders.record_payment_captured(order_id)


def _intake(
    channel_id: int,
    shop_order_id: int,
    order: PlatformOrder,
    known: _Known | None = None,
    order_id: int | None = None,
) -> Outcome:
    """Map the lines and run the API's intake; the row says what came of it.
    ``order_id``: the row was written accepted with this warehouse order's id, which the
    in-stock intake gives the order; any other outcome writes the row again."""
    known = known or _known(channel_id, order)
    unlink = order_id is not None
    mapped = rules.map_lines(
        order.lines,
        lambda pid, vid: known.by_ids.get((pid, vid)),
        lambda sku: known.by_sku.get(sku),
    )
    if mapped.unmapped:
        return _settle(
            shop_order_id,
            ShopOrderState.NEEDS_ATTENTION,
            reason=Joined(list(mapped.unmapped)),
            unlink=unlink,
        )
    if not mapped.lines:
        return _settle(
            shop_order_id,
            ShopOrderState.CANCELLED,
            reason=_("Nothing on this order ships from the warehouse."),
            unlink=unlink,
        )
    level = rules.service_level(order.shipping_code, order.shipping_title, known.methods)
    new = orders.NewOrder(
        external_id=order.order_id,
        lines=tuple(orders.NewLine(sku, qty) for sku, qty in mapped.lines),
        customer_name=order.customer_name[:200],
        customer_email=order.customer_email[:200],
        ship_to=dict(order.ship_to),
        service_level=level,
        priority=rules.PRIORITY_OF[level],
        placed_at=rules.naive_utc(order.placed_at),
        capture_before_ship=rules.needs_payment_first(order),
        language=normal_language(order.language),
    )
    product = known.products.get(new.lines[0].sku)
    # A product sold out that takes no backorders: refused as the intake would refuse
    # it, without writing an order to take it back.
    refused = orders.refusal_in_stock(new, product)
    if refused is not None:
        return _settle(
            shop_order_id, ShopOrderState.REFUSED, reason=refused.sentence, unlink=unlink
        )
    # The common case first: it refuses nothing and takes back what it wrote when it
    # does not apply, so only the general path needs a savepoint to survive a refusal.
    accepted = orders.accept_in_stock(channel_id, new, product, order_id=order_id)
    if accepted is not None and accepted.order_id == order_id:
        return Outcome(shop_order_id, ShopOrderState.ACCEPTED, order_id)  # as the row says
    if accepted is not None:
        return _settle(shop_order_id, ShopOrderState.ACCEPTED, order_id=accepted.order_id)
    try:
        with db.session.begin_nested():
            accepted = orders.accept_order(channel_id, new, in_stock_tried=True)
    except InsufficientStock as exc:
        return _settle(shop_order_id, ShopOrderState.REFUSED, reason=exc.sentence, unlink=unlink)
    except (InvalidInput, Conflict) as exc:
        return _settle(
            shop_order_id, ShopOrderState.NEEDS_ATTENTION, reason=exc.sentence, unlink=unlink
        )
    return _settle(shop_order_id, ShopOrderState.ACCEPTED, order_id=accepted.order_id)


def _settle(
    shop_order_id: int,
    state: str,
    *,
    order_id: int | None = None,
    reason: Text | str = "",
    unlink: bool = False,
) -> Outcome:
    """Write what came of the intake on the row. ``unlink``: the row was written with a
    warehouse order's id that was not used, which goes."""
    # The row is ours (inserted or locked by this transaction): the guard is that it
    # has not been taken in meanwhile, which no path here allows.
    values = {"sid": shop_order_id, "state": state, **reason_values(reason), "updated_at": utcnow()}
    if order_id is None and not unlink:
        db.session.execute(_settle_row(), values)
    else:
        db.session.execute(_settle_row_with_order(), {**values, "order_id": order_id})
    return Outcome(shop_order_id, state, order_id, reason)


def _settle_of(*columns: str) -> Any:
    return (
        update(shop_orders_t)
        .where(
            shop_orders_t.c.id == bindparam("sid"),
            shop_orders_t.c.state.in_([*WAITING_STATES, ShopOrderState.ACCEPTED]),
        )
        .values({c: bindparam(c, type_=shop_orders_t.c[c].type) for c in columns})
    )


@prebuilt
def _settle_row() -> Any:
    return _settle_of("state", "reason", "reason_facts", "updated_at")


@prebuilt
def _settle_row_with_order() -> Any:
    return _settle_of("state", "reason", "reason_facts", "updated_at", "order_id")


def _outcome(row: ShopOrder, repeat: bool = False) -> Outcome:
    return Outcome(row.id, row.state, row.order_id, reason_words(row), repeat=repeat)


def reason_words(row: ShopOrder) -> Text | str:
    """A shop order's reason in the reader's language; a row kept before its facts were
    kept reads as it was written."""
    return from_record(row.reason_facts, row.reason)


@dataclass(frozen=True)
class _Known:
    """What the channel's mapping and shipping table say of one order's lines and method."""

    by_ids: dict[tuple[str, str], str]  # warehouse SKU by the line's (product, variant) ids
    by_sku: dict[str, str]  # warehouse SKU by the line's SKU: mapped, else the same SKU
    methods: dict[str, str]  # service level by shipping method (code or title)
    products: dict[str, orders.ProductFacts]  # the products named, by warehouse SKU


def _known(channel_id: int, order: PlatformOrder) -> _Known:
    """Everything the intake needs to know of the order's lines and shipping method, in
    one statement: the mapping of each line's ids, of its SKU, the products of those
    SKUs, and the shipping methods the order names."""
    return _known_of(db.session.execute(_lookups(), _lookup_params(channel_id, order)).all())


def _lookup_params(channel_id: int, order: PlatformOrder) -> dict[str, Any]:
    ids = sorted(
        {(ln.product_id, ln.variant_id) for ln in order.lines if ln.product_id or ln.variant_id}
    )
    skus = sorted({ln.sku for ln in order.lines if ln.sku})
    methods = sorted({m for m in (order.shipping_code, order.shipping_title) if m})
    return {
        "channel_id": channel_id,
        "ids": ids or [("", "")],
        "skus": skus or [""],
        "methods": methods or [""],
    }


def _known_of(rows: Any) -> _Known:
    by_ids: dict[tuple[str, str], str] = {}
    mapped_sku: dict[str, tuple[int, str]] = {}
    own_sku: dict[str, str] = {}
    levels: dict[str, str] = {}
    products: dict[str, orders.ProductFacts] = {}
    for kind, key, variant, value, rank, *facts in rows:
        if kind in ("i", "s", "p"):
            products[value] = orders.ProductFacts(*facts)
        if kind == "i":
            by_ids[(key, variant)] = value
        elif kind == "s":
            if key not in mapped_sku or rank > mapped_sku[key][0]:
                mapped_sku[key] = (rank, value)  # the newest mapping of the SKU
        elif kind == "p":
            own_sku[key] = value
        elif kind == "m":
            levels[key] = value
    by_sku = {**own_sku, **{sku: value for sku, (_rank, value) in mapped_sku.items()}}
    return _Known(by_ids, by_sku, levels, products)


@prebuilt
def _lookups() -> Any:
    return union_all(*_lookup_parts(bindparam("channel_id")))


def _lookup_parts(cid: Any) -> list[Any]:
    """Rows of (kind, key, variant, value, rank) and the facts of the product they name
    (id, active, release_on, free units, allow_backorder), as ``_known_of`` reads them."""
    stock_t = ProductStock.__table__
    with_stock = products_t.outerjoin(stock_t, stock_t.c.product_id == products_t.c.id)
    joined = mapping_t.join(with_stock, products_t.c.id == mapping_t.c.product_id)
    facts = (
        products_t.c.id,
        products_t.c.active,
        products_t.c.release_on,
        (stock_t.c.qty_sellable - stock_t.c.qty_reserved).label("free"),
        products_t.c.allow_backorder,
    )
    by_ids = (
        select(
            literal("i").label("kind"),
            mapping_t.c.platform_product_id,
            mapping_t.c.platform_variant_id,
            products_t.c.sku,
            mapping_t.c.id,
            *facts,
        )
        .select_from(joined)
        .where(
            mapping_t.c.channel_id == cid,
            tuple_(mapping_t.c.platform_product_id, mapping_t.c.platform_variant_id).in_(
                bindparam("ids", expanding=True)
            ),
        )
    )
    by_sku = (
        select(
            literal("s"),
            mapping_t.c.platform_sku,
            literal(""),
            products_t.c.sku,
            mapping_t.c.id,
            *facts,
        )
        .select_from(joined)
        .where(
            mapping_t.c.channel_id == cid,
            mapping_t.c.platform_sku.in_(bindparam("skus", expanding=True)),
        )
    )
    own = (
        select(literal("p"), products_t.c.sku, literal(""), products_t.c.sku, literal(0), *facts)
        .select_from(with_stock)
        .where(products_t.c.sku.in_(bindparam("skus", expanding=True)))
    )
    levels = select(
        literal("m"),
        methods_t.c.platform_method,
        literal(""),
        methods_t.c.service_level,
        literal(0),
        *_NO_FACTS,
    ).where(
        methods_t.c.channel_id == cid,
        methods_t.c.platform_method.in_(bindparam("methods", expanding=True)),
    )
    return [by_ids, by_sku, own, levels]


_NO_FACTS = (
    cast(null(), Product.__table__.c.id.type),
    cast(null(), Boolean),
    cast(null(), Date),
    cast(null(), Integer),
    cast(null(), Boolean),
)


# ------------------------------------------------------- orders unreadable


def keep_unreadable_order(channel_id: int, unreadable: UnreadableOrder) -> Outcome:
    """A polled order that could not be read: kept for the desk, once per order id.
    One already taken in is left as it is."""
    now = utcnow()
    new_id = db.session.execute(
        _insert_shop_order(),
        {
            "channel_id": channel_id,
            "platform_order_id": unreadable.order_id,
            "name": "",
            "state": ShopOrderState.UNREADABLE,
            **reason_values(unreadable.reason),
            "raw": unreadable.raw,
            "order_data": None,
            "platform_updated_at": "",
            "created_at": now,
            "updated_at": now,
        },
    ).scalar()
    if new_id is not None:
        return Outcome(new_id, ShopOrderState.UNREADABLE, None, unreadable.reason)
    row = _locked(channel_id, unreadable.order_id)
    if row.state in WAITING_STATES:
        row.state = ShopOrderState.UNREADABLE
        kept = reason_values(unreadable.reason)
        row.reason, row.reason_facts = kept["reason"], kept["reason_facts"]
        row.raw = unreadable.raw
        row.order_data = None
        row.updated_at = now
        db.session.flush()
    return _outcome(row, repeat=row.state != ShopOrderState.UNREADABLE)


# ------------------------------------------------------- webhook deliveries


def receive_delivery(channel_id: int, webhook_id: str, topic: str) -> bool:
    """Note a verified delivery; False when the same delivery was already taken.

    A delivery kept as unreadable is taken again (the platform sent it again).
    """
    inserted = db.session.execute(
        _insert_receipt(), _receipt_row(channel_id, webhook_id, topic)
    ).scalar()
    return inserted is not None or _retake_delivery(channel_id, webhook_id)


def _receipt_row(
    channel_id: int, webhook_id: str, topic: str, state: str = TAKEN, reason: str = ""
) -> dict[str, Any]:
    return {
        "channel_id": channel_id,
        "webhook_id": webhook_id[:128],
        "topic": topic[:64],
        "state": state,
        "reason": reason,
        "raw": None,
        "attempts": 1,
        "received_at": utcnow(),
    }


def _retake_delivery(channel_id: int, webhook_id: str) -> bool:
    """A delivery kept as unreadable, sent again: taken now (one guarded statement)."""
    retried = db.session.execute(
        update(receipts_t)
        .where(
            receipts_t.c.channel_id == channel_id,
            receipts_t.c.webhook_id == webhook_id[:128],
            receipts_t.c.state == UNREADABLE,
        )
        .values(state=TAKEN, attempts=receipts_t.c.attempts + 1, received_at=utcnow())
        .returning(receipts_t.c.id)
    ).first()
    return retried is not None


@prebuilt
def _insert_receipt() -> Any:
    return (
        upsert(receipts_t)
        .on_conflict_do_nothing(index_elements=["channel_id", "webhook_id"])
        .returning(receipts_t.c.id)
    )


def keep_unreadable_delivery(
    channel_id: int, webhook_id: str, topic: str, reason: str, raw: bytes
) -> bool:
    """A delivery that verified but could not be read: kept, with the reason, for the desk.
    False when the same delivery was taken before (nothing changes)."""
    row = {**_receipt_row(channel_id, webhook_id, topic, UNREADABLE, reason), "raw": raw}
    if db.session.execute(_insert_receipt(), row).scalar() is not None:
        return True
    again = db.session.execute(
        update(receipts_t)
        .where(
            receipts_t.c.channel_id == channel_id,
            receipts_t.c.webhook_id == webhook_id[:128],
            receipts_t.c.state == UNREADABLE,
        )
        .values(reason=reason, raw=raw, attempts=receipts_t.c.attempts + 1, received_at=utcnow())
        .returning(receipts_t.c.id)
    ).first()
    return again is not None


def count_bad_signature(channel_id: int) -> None:
    """A delivery refused for its signature: counted on the channel, never stored."""
    db.session.execute(
        update(channels_t)
        .where(channels_t.c.id == channel_id)
        .values(bad_signatures=channels_t.c.bad_signatures + 1, bad_signature_at=utcnow())
    )


# ------------------------------------------------------------------ polling


@dataclass(frozen=True)
class PollTaken:
    seen: int
    taken: int  # became warehouse orders now
    waiting: int  # need attention (unmapped, unreadable, refused)
    cursor_moved: bool


def take_polled(
    channel_id: int,
    found: list[PlatformOrder | UnreadableOrder],
    cursor_before: str | None,
    cursor_after: str,
) -> PollTaken:
    """Store what a poll found, then move the cursor past it, in the same
    transaction; the cursor moves only from where this poll started (a second
    worker that polled the same orders changed nothing and moves nothing)."""
    taken = waiting = 0
    for item in found:
        if isinstance(item, UnreadableOrder):
            outcome = keep_unreadable_order(channel_id, item)
        else:
            raw = json.dumps(rules.to_data(item), sort_keys=True).encode()
            outcome = take_order(channel_id, item, raw)
        if not outcome.repeat and outcome.state == ShopOrderState.ACCEPTED:
            taken += 1
        elif outcome.state in WAITING_STATES:
            waiting += 1
    moved = db.session.execute(
        update(channels_t)
        .where(
            channels_t.c.id == channel_id,
            channels_t.c.poll_cursor.is_not_distinct_from(cursor_before),
        )
        .values(poll_cursor=cursor_after, polled_at=utcnow())
        .returning(channels_t.c.id)
    ).first()
    return PollTaken(len(found), taken, waiting, moved is not None)


# ---------------------------------------------------------------- the desk


class NotWaiting(DomainError):
    code = "not_waiting"
    status = 409


def map_line(shop_order_id: int, line_no: int, sku: str, user_id: int | None) -> ChannelProduct:
    """Say which product a shop order's line is: the channel's mapping, kept for
    every later order of that item."""
    row = db.session.get(ShopOrder, shop_order_id)
    if row is None:
        raise NotFound(_("There is no such shop order."))
    if row.order_data is None:
        raise InvalidInput(_("This order could not be read, so its lines cannot be mapped."))
    order = rules.from_data(row.order_data)
    if not 1 <= line_no <= len(order.lines):
        raise InvalidInput(_("The order has no line %(line)s.", line=line_no))
    line = order.lines[line_no - 1]
    product_id = db.session.scalar(
        select(Product.id).where(Product.sku == sku.strip(), Product.active.is_(True))
    )
    if product_id is None:
        if not sku.strip():
            raise InvalidInput(_("Give the SKU of an active product."))
        raise InvalidInput(_("No active product has the SKU %(sku)s.", sku=sku.strip()))
    if not (line.product_id or line.variant_id):
        raise InvalidInput(
            _(
                "Line %(line)s has no product id on the shop: give it the SKU %(sku)s "
                "on the shop instead.",
                line=line_no,
                sku=sku.strip(),
            )
        )
    values = {
        "channel_id": row.channel_id,
        "platform_product_id": line.product_id,
        "platform_variant_id": line.variant_id,
        "platform_sku": line.sku[:100],
        "product_id": product_id,
        "created_at": utcnow(),
    }
    db.session.execute(
        upsert(mapping_t)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["channel_id", "platform_product_id", "platform_variant_id"],
            set_={"product_id": product_id, "platform_sku": values["platform_sku"]},
        )
    )
    mapping = db.session.scalars(
        select(ChannelProduct).where(
            ChannelProduct.channel_id == row.channel_id,
            ChannelProduct.platform_product_id == line.product_id,
            ChannelProduct.platform_variant_id == line.variant_id,
        )
    ).one()
    audit.record(user_id, "shop_order.map_line", "channel_product", mapping.id)
    return mapping


def release(shop_order_id: int, user_id: int | None) -> Outcome:
    """Run the intake once more for an order that waits (after its lines are mapped)."""
    row = db.session.scalars(
        for_update(select(ShopOrder).where(ShopOrder.id == shop_order_id)).execution_options(
            populate_existing=True
        )
    ).one_or_none()
    if row is None:
        raise NotFound(_("There is no such shop order."))
    if not row.can_release:
        raise NotWaiting(
            _(
                "Shop order %(order)s is %(state)s: there is nothing to release.",
                order=row.name or row.platform_order_id,
                state=_(rules.SHOP_ORDER_STATE_LABELS.get(row.state, row.state)),
            )
        )
    assert row.order_data is not None
    outcome = _intake(row.channel_id, row.id, rules.from_data(row.order_data))
    audit.record(user_id, "shop_order.release", "shop_order", shop_order_id)
    return outcome


# ------------------------------------------------ a cancel after picking began


@dataclass(frozen=True)
class PutBack:
    """Units of a cancelled order put back on the shelf: carry them there."""

    sku: str
    qty: int
    from_code: str
    to_code: str


@dataclass(frozen=True)
class Decided:
    """What a supervisor's decision on a shop's late cancel did."""

    name: str  # the shop's order name, "#1001"
    order_number: str
    repeat: bool  # the same decision was already taken: nothing changed now
    put_back: tuple[PutBack, ...] = ()
    label_to_void: str = ""  # the tracking number of a label bought for the parcel


def cancel_in_warehouse(shop_order_id: int, user_id: int | None) -> Decided:
    """The shop cancelled this order after picking began: cancel it here too.

    One guarded statement takes the decision (``cancelled_after_pick`` to
    ``cancelled``), first, so of two presses at once one cancels and the other
    answers as a repeat. Then, in the order every path locks them: the order's
    unshipped parcel (a parcel shipping now ships first, and the cancel is
    refused), its open pick tasks, its staged units, which go back to the shelf
    as put-away movements to the bin put-away would choose, and the order
    itself, whose reservations the existing cancel releases.
    """
    row, taken = _decide(shop_order_id, ShopOrderState.CANCELLED, _("Cancelled in the warehouse."))
    name = row.name or row.platform_order_id
    if not taken:
        return _repeat_or_refuse(row, ShopOrderState.CANCELLED, name)
    assert row.order_id is not None
    withdrawn = shipping_parcels.withdraw_parcel(row.order_id)
    order = db.session.scalars(
        select(Order).where(Order.id == row.order_id).execution_options(populate_existing=True)
    ).one()
    if order.status == OrderStatus.SHIPPED:
        raise Conflict(
            _(
                "Order %(order)s has already shipped: it can no longer be cancelled in the "
                "warehouse. Press “Ship anyway” to take it off the list.",
                order=name,
            )
        ).with_code("already_shipped")
    picks.drop_open_tasks(order.id)
    put_back = _put_back(order.id, order.number, user_id)
    orders.cancel_order(order.id, reason=f"cancelled on the shop ({name})", started=True)
    audit.record(
        user_id,
        "shop_order.cancel_in_warehouse",
        "shop_order",
        shop_order_id,
        order_id=order.id,
        put_back=[[p.sku, p.qty, p.from_code, p.to_code] for p in put_back],
        label_to_void=withdrawn.tracking_number if withdrawn else "",
    )
    return Decided(
        name,
        order.number,
        repeat=False,
        put_back=tuple(put_back),
        label_to_void=withdrawn.tracking_number if withdrawn else "",
    )


def ship_anyway(shop_order_id: int, user_id: int | None) -> Decided:
    """The shop cancelled this order after picking began, but it ships: the desk's
    entry goes, the pack station lets the parcel through."""
    row, taken = _decide(
        shop_order_id, ShopOrderState.SHIPS_ANYWAY, _("Cancelled on the shop; shipped anyway.")
    )
    name = row.name or row.platform_order_id
    if not taken:
        return _repeat_or_refuse(row, ShopOrderState.SHIPS_ANYWAY, name)
    audit.record(user_id, "shop_order.ship_anyway", "shop_order", shop_order_id)
    return Decided(name, order_number(row.order_id) if row.order_id else "", repeat=False)


def _decide(shop_order_id: int, state: str, reason: Text) -> tuple[ShopOrder, bool]:
    """The one guarded statement of a decision: the row after it, and whether this
    request took the decision."""
    taken = db.session.execute(
        update(shop_orders_t)
        .where(
            shop_orders_t.c.id == shop_order_id,
            shop_orders_t.c.state == ShopOrderState.CANCELLED_AFTER_PICK,
        )
        .values(state=state, **reason_values(reason), updated_at=utcnow())
        .returning(shop_orders_t.c.id)
    ).first()
    row = db.session.scalars(
        select(ShopOrder)
        .where(ShopOrder.id == shop_order_id)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None:
        raise NotFound(_("There is no such shop order."))
    return row, taken is not None


def _repeat_or_refuse(row: ShopOrder, wanted: str, name: str) -> Decided:
    if row.state == wanted:
        return Decided(name, order_number(row.order_id) if row.order_id else "", repeat=True)
    raise NotWaiting(
        _(
            "The shop's cancel of order %(order)s is no longer waiting for a decision.",
            order=name,
        )
    )


def _put_back(order_id: int, number: str, user_id: int | None) -> list[PutBack]:
    """Every unit the order has set aside (tote, lane, pack station) goes back on the
    shelf, to the bin put-away would choose (one holding the product, with room), as a
    put-away movement; the staged rows are emptied with it."""
    staged = db.session.execute(
        for_update(
            select(
                staged_t.c.order_line_id,
                staged_t.c.product_id,
                staged_t.c.location_id,
                staged_t.c.qty,
            )
            .where(staged_t.c.order_id == order_id, staged_t.c.qty > 0)
            .order_by(staged_t.c.product_id, staged_t.c.location_id, staged_t.c.order_line_id)
        )
    ).all()
    put_back: list[PutBack] = []
    for line_id, product_id, location_id, qty in staged:
        source = db.session.get(Location, location_id)
        assert source is not None
        bin_, _holds = suggest_bin(product_id, qty)
        move_stock(product_id, qty, source, bin_, Reason.PUTAWAY, f"{number} cancelled", user_id)
        take_staged(line_id, location_id, qty)
        sku = db.session.scalar(select(Product.sku).where(Product.id == product_id)) or ""
        put_back.append(PutBack(sku, qty, source.code, bin_.code))
    return put_back
