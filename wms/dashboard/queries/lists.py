"""Drill-down lists behind the tiles: filters, paging and CSV export from one definition."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import aliased

from wms.auth.models import User
from wms.base.clock import utcnow
from wms.base.numbers import order_number
from wms.channels.models import Channel
from wms.core.models import Inbound, LineKind, Order, OrderLine, Priority
from wms.extensions import db
from wms.inventory.models import Location, Movement, Product
from wms.picking.models import PickShortage
from wms.receiving.models import Destination, DockUnit
from wms.shipping.models import LabelState, Parcel

PAGE = 50


CSV_MAX_ROWS = 200_000


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    choices: tuple[str, ...] = ()  # empty: free text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass(frozen=True)
class ListSpec:
    name: str
    title: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    query: Callable[[dict[str, str]], Any]  # filters -> select() in display order
    row: Callable[[Any], dict[str, Any]]


def page(spec: ListSpec, args: dict[str, str], number: int) -> tuple[list[dict[str, Any]], int]:
    stmt = spec.query(args)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.offset((number - 1) * PAGE).limit(PAGE)).all()
    return [spec.row(r) for r in rows], int(total or 0)


def csv_lines(spec: ListSpec, args: dict[str, str]) -> Iterator[str]:
    """The whole filtered list as CSV, streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.label for c in spec.columns])
    yield _drain(buffer)
    result = db.session.execute(
        spec.query(args).limit(CSV_MAX_ROWS).execution_options(yield_per=1000)
    )
    for r in result:
        values = spec.row(r)
        writer.writerow([_csv_value(values.get(c.key)) for c in spec.columns])
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else value


def _since(args: dict[str, str], key: str = "days") -> datetime | None:
    text = (args.get(key) or "").strip()
    if text.isdigit():
        return utcnow() - timedelta(days=int(text))
    return None


def _backorders(args: dict[str, str]) -> Any:
    ol = OrderLine.__table__
    position = func.row_number().over(
        partition_by=ol.c.product_id, order_by=(ol.c.priority, ol.c.placed_at, ol.c.id)
    )
    queue = (
        select(
            ol.c.id,
            ol.c.order_id,
            ol.c.product_id,
            ol.c.priority,
            ol.c.placed_at,
            ol.c.qty_waiting,
            ol.c.projected_fill_on,
            ol.c.kind,
            position.label("position"),
        )
        .where(ol.c.qty_waiting > 0)
        .subquery()
    )
    stmt = select(queue, Product.sku, Product.name).join(Product, Product.id == queue.c.product_id)
    if args.get("sku"):
        stmt = stmt.where(Product.sku == args["sku"].strip())
    if args.get("kind") in (LineKind.BACKORDER, LineKind.PREORDER):
        stmt = stmt.where(queue.c.kind == args["kind"])
    if args.get("priority") in ("expedited", "standard", "economy"):
        stmt = stmt.where(queue.c.priority == Priority[args["priority"].upper()])
    older = _since(args, "older_than_days")
    if older is not None:
        stmt = stmt.where(queue.c.placed_at < older)
    return stmt.order_by(queue.c.placed_at, queue.c.id)


BACKORDERS = ListSpec(
    "backorders",
    "Waiting lines",
    (
        Column("order", "Order"),
        Column("sku", "SKU"),
        Column("name", "Product"),
        Column("kind", "Kind"),
        Column("priority", "Priority"),
        Column("placed_at", "Placed"),
        Column("qty", "Waiting", True),
        Column("position", "Place in queue", True),
        Column("projected", "Projected fill"),
    ),
    (
        Filter("sku", "SKU"),
        Filter("kind", "Kind", ("backorder", "preorder")),
        Filter("priority", "Priority", ("expedited", "standard", "economy")),
        Filter("older_than_days", "Older than (days)"),
    ),
    _backorders,
    lambda r: {
        "order": order_number(r.order_id),
        "sku": r.sku,
        "name": r.name,
        "kind": r.kind,
        "priority": Priority(r.priority).name.lower(),
        "placed_at": r.placed_at,
        "qty": r.qty_waiting,
        "position": r.position,
        "projected": r.projected_fill_on.isoformat() if r.projected_fill_on else "no date",
    },
)


def _orders(args: dict[str, str]) -> Any:
    stmt = select(
        Order.id,
        Order.status,
        Order.priority,
        Order.placed_at,
        Order.promised_on,
        Order.shipped_at,
        Order.external_id,
        Channel.name.label("channel"),
    ).join(Channel, Channel.id == Order.channel_id)
    if args.get("status"):
        stmt = stmt.where(Order.status == args["status"])
    if args.get("channel"):
        stmt = stmt.where(Channel.code == args["channel"])
    since = _since(args)
    if since is not None:
        stmt = stmt.where(Order.placed_at >= since)
    return stmt.order_by(Order.id.desc())


ORDERS = ListSpec(
    "orders",
    "Orders",
    (
        Column("number", "Order"),
        Column("external_id", "Channel's id"),
        Column("channel", "Channel"),
        Column("status", "Status"),
        Column("priority", "Priority"),
        Column("placed_at", "Placed"),
        Column("promised_on", "Promised"),
        Column("shipped_at", "Shipped"),
    ),
    (
        Filter(
            "status",
            "Status",
            (
                "waiting",
                "held",
                "ready_to_pick",
                "picking",
                "cross_docking",
                "ready_to_pack",
                "packed",
                "awaiting_payment",
                "shipped",
                "cancelled",
            ),
        ),
        Filter("channel", "Channel code"),
        Filter("days", "Placed in the last (days)"),
    ),
    _orders,
    lambda r: {
        "number": order_number(r.id),
        "external_id": r.external_id,
        "channel": r.channel,
        "status": r.status,
        "priority": Priority(r.priority).name.lower(),
        "placed_at": r.placed_at,
        "promised_on": r.promised_on,
        "shipped_at": r.shipped_at,
    },
)


def _exceptions(args: dict[str, str]) -> Any:
    stmt = (
        select(
            DockUnit.id,
            DockUnit.received_at,
            DockUnit.scanned_code,
            DockUnit.qty,
            DockUnit.reason,
            DockUnit.status,
            Inbound.reference,
            func.coalesce(Product.sku, literal("")).label("sku"),
            User.username,
        )
        .join(Inbound, Inbound.id == DockUnit.inbound_id)
        .outerjoin(Product, Product.id == DockUnit.product_id)
        .join(User, User.id == DockUnit.received_by)
        .where(DockUnit.destination == Destination.QUARANTINE)
    )
    since = _since(args)
    if since is not None:
        stmt = stmt.where(DockUnit.received_at >= since)
    if args.get("inbound"):
        stmt = stmt.where(Inbound.reference == args["inbound"].strip())
    return stmt.order_by(DockUnit.id.desc())


EXCEPTIONS = ListSpec(
    "exceptions",
    "Receiving exceptions",
    (
        Column("received_at", "When"),
        Column("inbound", "Inbound"),
        Column("code", "Scanned"),
        Column("sku", "SKU"),
        Column("qty", "Units", True),
        Column("reason", "Why"),
        Column("status", "Status"),
        Column("user", "Receiver"),
    ),
    (Filter("days", "In the last (days)"), Filter("inbound", "Inbound")),
    _exceptions,
    lambda r: {
        "received_at": r.received_at,
        "inbound": r.reference,
        "code": r.scanned_code,
        "sku": r.sku,
        "qty": r.qty,
        "reason": r.reason,
        "status": r.status,
        "user": r.username,
    },
)


def _ledger(args: dict[str, str]) -> Any:
    src = aliased(Location)
    dst = aliased(Location)
    stmt = (
        select(
            Movement.id,
            Movement.created_at,
            Movement.qty,
            Movement.reason,
            Movement.reference,
            Product.sku,
            src.code.label("from_code"),
            dst.code.label("to_code"),
            User.username,
        )
        .join(Product, Product.id == Movement.product_id)
        .outerjoin(src, src.id == Movement.from_location_id)
        .outerjoin(dst, dst.id == Movement.to_location_id)
        .outerjoin(User, User.id == Movement.user_id)
    )
    if args.get("sku"):
        stmt = stmt.where(Product.sku == args["sku"].strip())
    if args.get("reason"):
        stmt = stmt.where(Movement.reason == args["reason"])
    if args.get("reference"):
        stmt = stmt.where(Movement.reference == args["reference"].strip())
    if args.get("user"):
        stmt = stmt.where(User.username == args["user"].strip())
    since = _since(args)
    if since is not None:
        stmt = stmt.where(Movement.created_at >= since)
    return stmt.order_by(Movement.id.desc())


LEDGER = ListSpec(
    "ledger",
    "Movement ledger",
    (
        Column("created_at", "When"),
        Column("user", "Who"),
        Column("sku", "SKU"),
        Column("qty", "Units", True),
        Column("from", "From"),
        Column("to", "To"),
        Column("reason", "Why"),
        Column("reference", "Reference"),
    ),
    (
        Filter("sku", "SKU"),
        Filter(
            "reason",
            "Why",
            (
                "receive",
                "cross_dock",
                "putaway",
                "quarantine",
                "pick",
                "pack",
                "ship",
                "return",
                "rework",
                "release",
                "scrap",
                "count",
                "adjust",
                "transfer",
                "opening",
                "undo",
            ),
        ),
        Filter("reference", "Reference"),
        Filter("user", "User"),
        Filter("days", "In the last (days)"),
    ),
    _ledger,
    lambda r: {
        "created_at": r.created_at,
        "user": r.username or "",
        "sku": r.sku,
        "qty": r.qty,
        "from": r.from_code or "outside",
        "to": r.to_code or "outside",
        "reason": r.reason,
        "reference": r.reference,
    },
)


def _inbounds(args: dict[str, str]) -> Any:
    stmt = select(
        Inbound.id,
        Inbound.reference,
        Inbound.kind,
        Inbound.supplier,
        Inbound.expected_at,
        Inbound.status,
        Inbound.closed_at,
    )
    if args.get("status"):
        stmt = stmt.where(Inbound.status == args["status"])
    return stmt.order_by(Inbound.expected_at.desc())


INBOUNDS = ListSpec(
    "inbounds",
    "Inbounds",
    (
        Column("reference", "Reference"),
        Column("kind", "Kind"),
        Column("supplier", "Supplier"),
        Column("expected_at", "Expected"),
        Column("status", "Status"),
        Column("closed_at", "Closed"),
    ),
    (Filter("status", "Status", ("open", "receiving", "closed", "cancelled")),),
    _inbounds,
    lambda r: {
        "reference": r.reference,
        "kind": r.kind,
        "supplier": r.supplier,
        "expected_at": r.expected_at,
        "status": r.status,
        "closed_at": r.closed_at,
    },
)


def _short_picks(args: dict[str, str]) -> Any:
    bin_ = aliased(Location)
    stmt = (
        select(
            PickShortage.created_at,
            PickShortage.qty_short,
            PickShortage.qty_found,
            PickShortage.qty_on_hand,
            PickShortage.order_line_id,
            Product.sku,
            bin_.code.label("bin"),
            bin_.count_requested_at,
            User.username,
            OrderLine.order_id,
        )
        .join(Product, Product.id == PickShortage.product_id)
        .join(bin_, bin_.id == PickShortage.location_id)
        .join(OrderLine, OrderLine.id == PickShortage.order_line_id)
        .outerjoin(User, User.id == PickShortage.user_id)
    )
    since = _since(args)
    if since is not None:
        stmt = stmt.where(PickShortage.created_at >= since)
    if args.get("sku"):
        stmt = stmt.where(Product.sku == args["sku"].strip())
    return stmt.order_by(PickShortage.id.desc())


SHORT_PICKS = ListSpec(
    "short_picks",
    "Short picks",
    (
        Column("created_at", "When"),
        Column("bin", "Bin"),
        Column("sku", "SKU"),
        Column("order", "Order"),
        Column("short", "Short", True),
        Column("found", "Found", True),
        Column("ledger", "Ledger said", True),
        Column("count", "Count"),
        Column("user", "Picker"),
    ),
    (Filter("days", "In the last (days)"), Filter("sku", "SKU")),
    _short_picks,
    lambda r: {
        "created_at": r.created_at,
        "bin": r.bin,
        "sku": r.sku,
        "order": order_number(r.order_id),
        "short": r.qty_short,
        "found": r.qty_found,
        "ledger": r.qty_on_hand,
        "count": "requested" if r.count_requested_at else "counted",
        "user": r.username or "",
    },
)


def _label_failures(args: dict[str, str]) -> Any:
    stmt = select(
        Parcel.id,
        Parcel.order_id,
        Parcel.label_state,
        Parcel.label_error,
        Parcel.label_attempts,
        Parcel.label_attempted_at,
        Parcel.carrier_code,
    ).where(Parcel.label_state.in_((LabelState.FAILED, LabelState.UNCERTAIN)))
    since = _since(args)
    if since is not None:
        stmt = stmt.where(Parcel.label_attempted_at >= since)
    return stmt.order_by(Parcel.label_attempted_at.desc())


LABEL_FAILURES = ListSpec(
    "label_failures",
    "Label failures",
    (
        Column("attempted_at", "Last try"),
        Column("order", "Order"),
        Column("carrier", "Carrier"),
        Column("state", "State"),
        Column("attempts", "Tries", True),
        Column("error", "What the carrier said"),
    ),
    (Filter("days", "In the last (days)"),),
    _label_failures,
    lambda r: {
        "attempted_at": r.label_attempted_at,
        "order": order_number(r.order_id),
        "carrier": r.carrier_code,
        "state": r.label_state,
        "attempts": r.label_attempts,
        "error": r.label_error,
    },
)


LISTS: dict[str, ListSpec] = {
    spec.name: spec
    for spec in (BACKORDERS, ORDERS, EXCEPTIONS, LEDGER, INBOUNDS, SHORT_PICKS, LABEL_FAILURES)
}
