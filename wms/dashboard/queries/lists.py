"""Drill-down lists behind the tiles: filters, paging and CSV export from one definition."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as default
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import aliased

from wms.auth.models import User
from wms.base.clock import utcnow
from wms.base.i18n import N_, Np_, Text, _
from wms.base.numbers import order_number
from wms.channels.models import Channel
from wms.core.ledger import REASON_LABELS
from wms.core.models import (
    INBOUND_KIND_LABELS,
    INBOUND_STATUS_LABELS,
    ORDER_STATUS_LABELS,
    PRIORITY_LABELS,
    Inbound,
    LineKind,
    Order,
    OrderLine,
    Priority,
)
from wms.extensions import db
from wms.inventory.models import Location, Movement, Product
from wms.picking.models import PickShortage
from wms.receiving.models import Destination, DockUnit
from wms.shipping.models import LabelState, Parcel

PAGE = 50


CSV_MAX_ROWS = 200_000


# Stored words (a status, a reason) as a person reads them; the CSV keeps the stored ones.
PRIORITY_WORDS = {p.name.lower(): label for p, label in PRIORITY_LABELS.items()}
ORDER_STATUS_WORDS = {str(s): label for s, label in ORDER_STATUS_LABELS.items()}
INBOUND_STATUS_WORDS = {str(s): label for s, label in INBOUND_STATUS_LABELS.items()}
INBOUND_KIND_WORDS = {str(k): label for k, label in INBOUND_KIND_LABELS.items()}
LINE_KIND_WORDS = {
    LineKind.STOCK.value: N_("from stock"),
    LineKind.BACKORDER.value: N_("backorder"),
    LineKind.PREORDER.value: N_("preorder"),
}
# The ledger's reasons are worded once, with the ledger (wms.core.ledger.REASON_LABELS).
MOVEMENT_WORDS = REASON_LABELS
LABEL_STATE_WORDS = {"failed": N_("refused"), "uncertain": N_("no answer")}
DOCK_UNIT_WORDS = {
    "on_dock": N_("on the dock"),
    "confirmed": N_("confirmed"),
    "undone": N_("undone"),
}


ALL_STATUSES = Np_("statuses", "all")
ALL_KINDS = Np_("kinds", "all")
ALL_PRIORITIES = Np_("priorities", "all")
ALL_REASONS = Np_("reasons", "all")


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    choices: tuple[str, ...] = ()  # empty: free text
    words: Mapping[str, str] = default(default_factory=dict)  # a choice as people read it
    # The choice of no filter, agreeing with what is chosen (French: "toutes" priorities).
    every: Text = ALL_STATUSES

    def word(self, choice: str) -> Text | str:
        """A choice as the reader reads it (the form still sends the stored value)."""
        return _(self.words[choice]) if choice in self.words else choice


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False
    field: str = ""  # the query's column, when its name is not the key
    show: Callable[[Any], Any] | None = None  # how the value reads, when not as it is
    words: Mapping[str, str] = default(default_factory=dict)  # stored word -> marked words

    def value(self, row: Any) -> Any:
        value = getattr(row, self.field or self.key)
        return value if self.show is None else self.show(value)

    def word(self, value: Any) -> Any:
        """The value as the page shows it: a stored word in the reader's language."""
        if isinstance(value, str) and value in self.words:
            return _(self.words[value])
        return value


@dataclass(frozen=True)
class ListSpec:
    name: str
    title: str
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    query: Callable[[dict[str, str]], Any]  # filters -> select() in display order

    def row(self, row: Any) -> dict[str, Any]:
        """A row of the query as the list shows it, by column key."""
        return {c.key: c.value(row) for c in self.columns}


def page(spec: ListSpec, args: dict[str, str], number: int) -> tuple[list[dict[str, Any]], int]:
    stmt = spec.query(args)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.offset((number - 1) * PAGE).limit(PAGE)).all()
    return [spec.row(r) for r in rows], int(total or 0)


def csv_lines(spec: ListSpec, args: dict[str, str]) -> Iterator[str]:
    """The whole filtered list as CSV, streamed; its headers in the reader's language
    (read now, while the request knows who reads), its values as stored."""
    return _csv_rows(spec, args, [str(_(c.label)) for c in spec.columns])


def _csv_rows(spec: ListSpec, args: dict[str, str], headers: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
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


def _in_last_days(stmt: Any, args: dict[str, str], column: Any) -> Any:
    """The statement kept to the last ``days`` days of ``column``, when the filter is set."""
    since = _since(args)
    return stmt if since is None else stmt.where(column >= since)


def _priority_name(priority: int) -> str:
    return Priority(priority).name.lower()


def _or_blank(value: str | None) -> str:
    return value or ""


def _or_outside(code: str | None) -> Text | str:
    return code or _("outside")


def _day_or_no_date(day: date | None) -> Text | str:
    return day.isoformat() if day else _("no date")


def _requested_or_counted(count_requested_at: datetime | None) -> Text:
    return _("requested") if count_requested_at else _("counted")


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
    N_("Waiting lines"),
    (
        Column("order", N_("Order"), field="order_id", show=order_number),
        Column("sku", N_("SKU")),
        Column("name", N_("Product")),
        Column("kind", N_("Kind"), words=LINE_KIND_WORDS),
        Column("priority", N_("Priority"), show=_priority_name, words=PRIORITY_WORDS),
        Column("placed_at", N_("Placed")),
        Column("qty", N_("Waiting"), True, field="qty_waiting"),
        Column("position", N_("Place in queue"), True),
        Column("projected", N_("Projected fill"), field="projected_fill_on", show=_day_or_no_date),
    ),
    (
        Filter("sku", N_("SKU")),
        Filter("kind", N_("Kind"), ("backorder", "preorder"), LINE_KIND_WORDS, ALL_KINDS),
        Filter(
            "priority",
            N_("Priority"),
            ("expedited", "standard", "economy"),
            PRIORITY_WORDS,
            ALL_PRIORITIES,
        ),
        Filter("older_than_days", N_("Older than (days)")),
    ),
    _backorders,
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
    stmt = _in_last_days(stmt, args, Order.placed_at)
    return stmt.order_by(Order.id.desc())


ORDERS = ListSpec(
    "orders",
    N_("Orders"),
    (
        Column("number", N_("Order"), field="id", show=order_number),
        Column("external_id", N_("Channel's id")),
        Column("channel", N_("Channel")),
        Column("status", N_("Status"), words=ORDER_STATUS_WORDS),
        Column("priority", N_("Priority"), show=_priority_name, words=PRIORITY_WORDS),
        Column("placed_at", N_("Placed")),
        Column("promised_on", N_("Promised")),
        Column("shipped_at", N_("Shipped")),
    ),
    (
        Filter(
            "status",
            N_("Status"),
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
            ORDER_STATUS_WORDS,
        ),
        Filter("channel", N_("Channel code")),
        Filter("days", N_("Placed in the last (days)")),
    ),
    _orders,
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
    stmt = _in_last_days(stmt, args, DockUnit.received_at)
    if args.get("inbound"):
        stmt = stmt.where(Inbound.reference == args["inbound"].strip())
    return stmt.order_by(DockUnit.id.desc())


EXCEPTIONS = ListSpec(
    "exceptions",
    N_("Receiving exceptions"),
    (
        Column("received_at", N_("When")),
        Column("inbound", N_("Inbound"), field="reference"),
        Column("code", N_("Scanned"), field="scanned_code"),
        Column("sku", N_("SKU")),
        Column("qty", N_("Units"), True),
        Column("reason", N_("Why")),
        Column("status", N_("Status"), words=DOCK_UNIT_WORDS),
        Column("user", N_("Receiver"), field="username"),
    ),
    (Filter("days", N_("In the last (days)")), Filter("inbound", N_("Inbound"))),
    _exceptions,
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
    stmt = _in_last_days(stmt, args, Movement.created_at)
    return stmt.order_by(Movement.id.desc())


LEDGER = ListSpec(
    "ledger",
    N_("Movement ledger"),
    (
        Column("created_at", N_("When")),
        Column("user", N_("Who"), field="username", show=_or_blank),
        Column("sku", N_("SKU")),
        Column("qty", N_("Units"), True),
        Column("from", N_("From"), field="from_code", show=_or_outside),
        Column("to", N_("To"), field="to_code", show=_or_outside),
        Column("reason", N_("Why"), words=MOVEMENT_WORDS),
        Column("reference", N_("Reference")),
    ),
    (
        Filter("sku", N_("SKU")),
        Filter(
            "reason",
            N_("Why"),
            tuple(REASON_LABELS),
            MOVEMENT_WORDS,
            ALL_REASONS,
        ),
        Filter("reference", N_("Reference")),
        Filter("user", N_("User")),
        Filter("days", N_("In the last (days)")),
    ),
    _ledger,
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
    N_("Inbounds"),
    (
        Column("reference", N_("Reference")),
        Column("kind", N_("Kind"), words=INBOUND_KIND_WORDS),
        Column("supplier", N_("Supplier")),
        Column("expected_at", N_("Expected")),
        Column("status", N_("Status"), words=INBOUND_STATUS_WORDS),
        Column("closed_at", N_("Closed")),
    ),
    (
        Filter(
            "status",
            N_("Status"),
            ("open", "receiving", "closed", "cancelled"),
            INBOUND_STATUS_WORDS,
        ),
    ),
    _inbounds,
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
    stmt = _in_last_days(stmt, args, PickShortage.created_at)
    if args.get("sku"):
        stmt = stmt.where(Product.sku == args["sku"].strip())
    return stmt.order_by(PickShortage.id.desc())


SHORT_PICKS = ListSpec(
    "short_picks",
    N_("Short picks"),
    (
        Column("created_at", N_("When")),
        Column("bin", N_("Bin")),
        Column("sku", N_("SKU")),
        Column("order", N_("Order"), field="order_id", show=order_number),
        Column("short", N_("Short"), True, field="qty_short"),
        Column("found", N_("Found"), True, field="qty_found"),
        Column("ledger", N_("Ledger said"), True, field="qty_on_hand"),
        Column("count", N_("Count"), field="count_requested_at", show=_requested_or_counted),
        Column("user", N_("Picker"), field="username", show=_or_blank),
    ),
    (Filter("days", N_("In the last (days)")), Filter("sku", N_("SKU"))),
    _short_picks,
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
    stmt = _in_last_days(stmt, args, Parcel.label_attempted_at)
    return stmt.order_by(Parcel.label_attempted_at.desc())


LABEL_FAILURES = ListSpec(
    "label_failures",
    N_("Label failures"),
    (
        Column("attempted_at", N_("Last try"), field="label_attempted_at"),
        Column("order", N_("Order"), field="order_id", show=order_number),
        Column("carrier", N_("Carrier"), field="carrier_code"),
        Column("state", N_("State"), field="label_state", words=LABEL_STATE_WORDS),
        Column("attempts", N_("Tries"), True, field="label_attempts"),
        Column("error", N_("What the carrier said"), field="label_error"),
    ),
    (Filter("days", N_("In the last (days)")),),
    _label_failures,
)


LISTS: dict[str, ListSpec] = {
    spec.name: spec
    for spec in (BACKORDERS, ORDERS, EXCEPTIONS, LEDGER, INBOUNDS, SHORT_PICKS, LABEL_FAILURES)
}
