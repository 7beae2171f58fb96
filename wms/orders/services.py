"""Taking orders in, cancelling them, and recording payment."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, exists, insert, select, tuple_, update

from wms.base.clock import iso, today, utcnow
from wms.base.errors import Conflict, InsufficientStock, InvalidInput, NotFound
from wms.base.i18n import _
from wms.base.numbers import order_number
from wms.channels import outbox
from wms.core import backorders, stock
from wms.core.lanes import release_lane
from wms.core.models import LineKind, Order, OrderLine, OrderStatus, Priority, StagedUnits
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Product
from wms.orders.schemas import LineOut, OrderOut

orders_t = Order.__table__
lines_t = OrderLine.__table__
products_t = Product.__table__

# Orders can be cancelled until their units start moving to the dock.
CANCELLABLE = (OrderStatus.WAITING, OrderStatus.HELD, OrderStatus.READY_TO_PICK)
# After that, only a supervisor who has the units in hand cancels them (a shop's cancel
# after picking began): what was set aside goes back on the shelf first.
STARTED = (
    OrderStatus.CROSS_DOCKING,
    OrderStatus.PICKING,
    OrderStatus.READY_TO_PACK,
    OrderStatus.PACKED,
    OrderStatus.AWAITING_PAYMENT,
)


@dataclass(frozen=True)
class NewLine:
    sku: str
    qty: int


@dataclass(frozen=True)
class NewOrder:
    external_id: str
    lines: tuple[NewLine, ...]
    customer_name: str = ""
    customer_email: str = ""
    ship_to: dict[str, Any] = field(default_factory=dict)
    service_level: str = "standard"
    priority: int = Priority.STANDARD
    placed_at: datetime | None = None
    promised_on: date | None = None
    partial_allowed: bool = False
    capture_before_ship: bool = False
    refuse_if_short: bool = False
    language: str | None = None  # the customer's ("fr"), for what they read; None: unknown

    def fingerprint(self) -> str:
        """The same order sent twice has the same fingerprint."""
        body = {
            "lines": [[ln.sku, ln.qty] for ln in self.lines],
            "customer": [self.customer_name, self.customer_email],
            "ship_to": self.ship_to,
            "service_level": self.service_level,
            "priority": int(self.priority),
            "placed_at": iso(self.placed_at),
            "promised_on": iso(self.promised_on),
            "flags": [self.partial_allowed, self.capture_before_ship, self.refuse_if_short],
        }
        raw = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class AcceptedOrder:
    order_id: int
    created: bool
    view: OrderOut


def accept_order(channel_id: int, new: NewOrder, *, in_stock_tried: bool = False) -> AcceptedOrder:
    """Store an order and reserve its lines; what cannot be reserved waits or is refused.

    Idempotent on (channel, external id): the same order again is the same
    order; the same id with a different body is a conflict. ``in_stock_tried``:
    the caller ran ``accept_in_stock`` already, and it did not apply.
    """
    order = _order_row(channel_id, new)
    placed_at = order["placed_at"]
    if not in_stock_tried and len({ln.sku for ln in new.lines}) == 1:
        fast = _accept_single_product_in_stock(channel_id, new, order)
        if fast is not None:
            return fast
    order_id = _insert_order_once(order)
    if order_id is None:
        existing = db.session.execute(
            select(orders_t.c.id, orders_t.c.body_hash).where(
                orders_t.c.channel_id == channel_id, orders_t.c.external_id == new.external_id
            )
        ).one()
        if existing.body_hash != order["body_hash"]:
            raise Conflict(
                _("Order %(ref)s was already sent with different contents.", ref=new.external_id),
                external_id=new.external_id,
            ).with_code("idempotency_conflict")
        return AcceptedOrder(existing.id, created=False, view=order_view(existing.id))

    products = _products_for(new.lines)
    day = today()
    shortages: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    # Lock product rows in id order so two orders never wait on each other.
    indexed = sorted(enumerate(new.lines, start=1), key=lambda p: (products[p[1].sku]["id"], p[0]))
    for line_no, line in indexed:
        product = products[line.sku]
        row, short = _reserve_line(product, line, new.refuse_if_short, day)
        if short:
            shortages.append({"line": line_no, "sku": line.sku, "qty": line.qty, **short})
            continue
        row.update(
            order_id=order_id, line_no=line_no, priority=int(new.priority), placed_at=placed_at
        )
        rows.append(row)
    if shortages:
        raise InsufficientStock(sorted(shortages, key=lambda s: s["line"]))

    recompute: set[int] = set()
    for row in rows:
        if row["qty_waiting"]:
            _project_new_waiting_line(row, recompute)
    db.session.execute(_insert_lines(), rows)
    if recompute:
        for product_id in sorted(recompute):
            backorders.recompute_projections(product_id, quiet_order_id=order_id)
        dates = dict(
            db.session.execute(
                select(lines_t.c.line_no, lines_t.c.projected_fill_on).where(
                    lines_t.c.order_id == order_id
                )
            ).all()
        )
        for row in rows:
            row["projected_fill_on"] = dates[row["line_no"]]

    status = _initial_status(rows, products, day)
    backordered = sum(1 for r in rows if r["kind"] == LineKind.BACKORDER)
    if status != OrderStatus.READY_TO_PICK or backordered:
        db.session.execute(
            _set_status(), {"oid": order_id, "new_status": status, "backordered": backordered}
        )
    if new.partial_allowed and status == OrderStatus.WAITING:
        # What is reserved may ship now if the rest is far off.
        backorders.refresh_order_status([order_id])
        status = db.session.scalar(select(orders_t.c.status).where(orders_t.c.id == order_id))
    views = _announce_accepted(channel_id, order_id, new, rows, products)
    return AcceptedOrder(
        order_id, created=True, view=OrderOut.of({**order, "id": order_id, "status": status}, views)
    )


@dataclass(frozen=True)
class ProductFacts:
    """What the in-stock intake reads of a product, for a caller that read it already."""

    id: int
    active: bool
    release_on: date | None
    free: int | None  # sellable less reserved, read unlocked: a hint, not a promise
    allow_backorder: bool | None = None  # None: not read


def refusal_in_stock(new: NewOrder, product: ProductFacts | None) -> InsufficientStock | None:
    """The refusal ``accept_order`` would reach, known without writing anything: one line,
    of an active product on sale (no preorder) that takes no backorders, asking more
    than the free units the caller read in this request. None when that is not so
    (the intake decides). A refusal changes nothing, so the units read (a committed
    figure, unlocked) are enough to refuse on: the order is refused as of that read,
    as if it had come just before any reservation still uncommitted is let go. An
    order that might be taken still goes through the guarded reservation."""
    if len(new.lines) != 1 or new.refuse_if_short or product is None:
        return None
    if not product.active or product.allow_backorder is not False or product.free is None:
        return None
    if product.release_on is not None and product.release_on > today():
        return None
    line = new.lines[0]
    if line.qty <= 0 or product.free >= line.qty:
        return None
    short = line.qty - max(0, product.free)
    return InsufficientStock(
        [
            {
                "line": 1,
                "sku": line.sku,
                "qty": line.qty,
                "short": short,
                "reason": "backorders_not_allowed",
            }
        ]
    )


def accept_in_stock(
    channel_id: int,
    new: NewOrder,
    product: ProductFacts | None = None,
    order_id: int | None = None,
) -> AcceptedOrder | None:
    """``accept_order``'s common case alone: one product, every unit in stock. None
    when it does not apply, having left nothing written; it raises nothing of its
    own, so a caller that must survive a refusal needs no savepoint around it, only
    around the ``accept_order(..., in_stock_tried=True)`` that follows a None.
    ``product``: the line's product as the caller read it in this transaction;
    ``order_id``: the id the order is written with, taken from the orders' sequence by
    a caller that wrote it already where it links to the order."""
    if len({ln.sku for ln in new.lines}) != 1:
        return None
    order = _order_row(channel_id, new)
    if order_id is not None:
        order["id"] = order_id
    return _accept_single_product_in_stock(channel_id, new, order, product)


def _accept_single_product_in_stock(
    channel_id: int, new: NewOrder, order: dict[str, Any], facts: ProductFacts | None = None
) -> AcceptedOrder | None:
    """The common case of a flash sale: one product, every unit in stock.

    Everything is written first and the guarded reservation comes last, so
    the hot product row is locked only from that UPDATE to the commit that
    follows it. When the units are not there the UPDATE changes nothing, what
    was written is taken back, and None sends the order down the general path.
    The product's free units, read with it (unlocked), only tell whether trying
    is worth it: an order for a product sold out goes down the general path at
    once instead of writing and taking back.
    """
    sku = new.lines[0].sku
    product = facts or db.session.execute(_active_product(), {"sku": sku}).first()
    if product is None or not product.active:
        return None
    if product.release_on is not None and product.release_on > today():
        return None
    if (product.free or 0) < sum(ln.qty for ln in new.lines):
        return None
    order_id = _insert_order_once(order)
    if order_id is None:
        return None  # an order we already hold: the general path answers it
    rows = []
    for line_no, line in enumerate(new.lines, start=1):
        row = _line_row(product.id, line.qty, line.qty, LineKind.STOCK)
        row.update(
            order_id=order_id,
            line_no=line_no,
            priority=int(new.priority),
            placed_at=order["placed_at"],
        )
        rows.append(row)
    db.session.execute(_insert_lines(), rows)
    views = _announce_accepted(
        channel_id, order_id, new, rows, {sku: {"id": product.id, "sku": sku}}
    )
    event_ids = outbox.flush_now()
    if not stock.reserve(product.id, sum(ln.qty for ln in new.lines)):
        outbox.discard(event_ids)
        db.session.execute(delete(lines_t).where(lines_t.c.order_id == order_id))
        db.session.execute(delete(orders_t).where(orders_t.c.id == order_id))
        return None
    return AcceptedOrder(
        order_id,
        created=True,
        view=OrderOut.of({**order, "id": order_id}, views),
    )


@prebuilt
def _active_product() -> Any:
    ps = stock.ps
    return (
        select(
            products_t.c.id,
            products_t.c.active,
            products_t.c.release_on,
            (ps.c.qty_sellable - ps.c.qty_reserved).label("free"),
        )
        .select_from(products_t.outerjoin(ps, ps.c.product_id == products_t.c.id))
        .where(products_t.c.sku == bindparam("sku"), products_t.c.active.is_(True))
    )


def _order_row(channel_id: int, new: NewOrder) -> dict[str, Any]:
    """The order's row as it is written, which is also what its answer is built from."""
    now = utcnow()
    return {
        "channel_id": channel_id,
        "external_id": new.external_id,
        "body_hash": new.fingerprint(),
        "customer_name": new.customer_name,
        "customer_email": new.customer_email,
        "language": new.language,
        "ship_to": new.ship_to,
        "service_level": new.service_level,
        "priority": int(new.priority),
        "placed_at": new.placed_at or now,
        "promised_on": new.promised_on,
        "partial_allowed": new.partial_allowed,
        "capture_before_ship": new.capture_before_ship,
        "status": OrderStatus.READY_TO_PICK,
        "line_count": len(new.lines),
        "created_at": now,
        "updated_at": now,
    }


def _insert_order_once(order: dict[str, Any]) -> int | None:
    """The new order's id; None when the channel sent this external id before."""
    return db.session.execute(_insert_order(), order).scalar()


@prebuilt
def _insert_order() -> Any:
    # The columns are the keys of the row given with it.
    return (
        stock.upsert(orders_t)
        .on_conflict_do_nothing(index_elements=["channel_id", "external_id"])
        .returning(orders_t.c.id)
    )


@prebuilt
def _insert_lines() -> Any:
    return insert(lines_t)


def _products_for(lines: tuple[NewLine, ...]) -> dict[str, dict[str, Any]]:
    skus = sorted({ln.sku for ln in lines})
    rows = db.session.execute(_active_products(), {"skus": skus}).mappings()
    found = {row["sku"]: dict(row) for row in rows}
    unknown = [sku for sku in skus if sku not in found]
    if unknown:
        raise InvalidInput(
            _("Unknown SKU: %(skus)s.", skus=", ".join(unknown)), skus=unknown
        ).with_code("unknown_sku")
    return found


@prebuilt
def _active_products() -> Any:
    return select(
        products_t.c.id,
        products_t.c.sku,
        products_t.c.allow_backorder,
        products_t.c.release_on,
        products_t.c.preorder_cap,
        products_t.c.estimated_ship_on,
    ).where(products_t.c.sku.in_(bindparam("skus", expanding=True)), products_t.c.active.is_(True))


@prebuilt
def _set_status() -> Any:
    return (
        update(orders_t)
        .where(orders_t.c.id == bindparam("oid"))
        .values(status=bindparam("new_status"), backordered_lines=bindparam("backordered"))
    )


def _reserve_line(
    product: dict[str, Any], line: NewLine, refuse_if_short: bool, day: date
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    pid = product["id"]
    release_on = product["release_on"]
    if release_on is not None and day < release_on:
        if not stock.claim_preorder(pid, line.qty, product["preorder_cap"]):
            return {}, {"short": line.qty, "reason": "preorder_cap_reached"}
        got = stock.reserve_up_to(pid, line.qty)
        return _line_row(pid, line.qty, got, LineKind.PREORDER), None
    got = stock.reserve_up_to(pid, line.qty)
    if got == line.qty:
        return _line_row(pid, line.qty, got, LineKind.STOCK), None
    if refuse_if_short or not product["allow_backorder"]:
        return {}, {
            "short": line.qty - got,
            "reason": "refused_by_order" if refuse_if_short else "backorders_not_allowed",
        }
    return _line_row(pid, line.qty, got, LineKind.BACKORDER), None


def _line_row(product_id: int, qty: int, reserved: int, kind: str) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "kind": kind,
        "qty": qty,
        "qty_reserved": reserved,
        "qty_waiting": qty - reserved,
        "qty_shipped": 0,
        "qty_cancelled": 0,
        "projected_fill_on": None,
    }


def _project_new_waiting_line(row: dict[str, Any], recompute: set[int]) -> None:
    """A new line at the end of the queue gets its date at once; one ahead of others
    moves the dates of those behind it, so the product's queue is walked again."""
    pid = row["product_id"]
    waiting_total = stock.add_waiting(pid, row["qty_waiting"])
    behind = db.session.scalar(
        _anyone_behind(), {"pid": pid, "priority": row["priority"], "placed_at": row["placed_at"]}
    )
    if behind:
        recompute.add(pid)
    else:
        row["projected_fill_on"] = backorders.project_tail_line(pid, waiting_total)


@prebuilt
def _anyone_behind() -> Any:
    """Does a line wait behind (priority, placed_at), which a new line would overtake?"""
    return select(
        exists().where(
            lines_t.c.product_id == bindparam("pid"),
            lines_t.c.qty_waiting > 0,
            tuple_(lines_t.c.priority, lines_t.c.placed_at)
            > tuple_(
                bindparam("priority", type_=lines_t.c.priority.type),
                bindparam("placed_at", type_=lines_t.c.placed_at.type),
            ),
        )
    )


def _initial_status(
    rows: list[dict[str, Any]], products: dict[str, dict[str, Any]], day: date
) -> str:
    if any(r["qty_waiting"] for r in rows):
        return OrderStatus.WAITING
    releases = {p["id"]: p["release_on"] for p in products.values()}
    if any((releases[r["product_id"]] or day) > day for r in rows):
        return OrderStatus.HELD
    return OrderStatus.READY_TO_PICK


def _announce_accepted(
    channel_id: int,
    order_id: int,
    new: NewOrder,
    rows: list[dict[str, Any]],
    products: dict[str, dict[str, Any]],
) -> list[LineOut]:
    skus = {p["id"]: p["sku"] for p in products.values()}
    aggregate = f"order:{order_id}"
    base = {
        "order_id": order_id,
        "order_number": order_number(order_id),
        "external_id": new.external_id,
    }
    views = [LineOut.of(r, skus[r["product_id"]]) for r in rows]
    outbox.emit(
        "order.accepted",
        channel_id,
        aggregate,
        {**base, "lines": [v.model_dump(mode="json") for v in views]},
    )
    waiting = [r for r in rows if r["qty_waiting"] and r["kind"] == LineKind.BACKORDER]
    if waiting:
        outbox.emit(
            "order.backordered",
            channel_id,
            aggregate,
            {
                **base,
                "lines": [
                    LineOut.of(r, skus[r["product_id"]]).model_dump(mode="json") for r in waiting
                ],
            },
        )
    held = [r for r in rows if r["kind"] == LineKind.PREORDER]
    if held:
        estimated = {p["id"]: p["estimated_ship_on"] for p in products.values()}
        outbox.emit(
            "order.preorder_held",
            channel_id,
            aggregate,
            {
                **base,
                "lines": [
                    {
                        **LineOut.of(r, skus[r["product_id"]]).model_dump(mode="json"),
                        "estimated_ship_on": iso(estimated[r["product_id"]]),
                    }
                    for r in held
                ],
            },
        )
    outbox.emit_availability(sorted(skus))
    return views


def order_view(order_id: int) -> OrderOut:
    """An order as the channel sees it."""
    order = get_order(order_id)
    rows = db.session.execute(
        select(lines_t, products_t.c.sku)
        .join(products_t, products_t.c.id == lines_t.c.product_id)
        .where(lines_t.c.order_id == order_id)
        .order_by(lines_t.c.line_no)
    ).all()
    return OrderOut.of(order, [LineOut.of(r, r.sku) for r in rows])


def get_order(order_id: int, channel_id: int | None = None) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or (channel_id is not None and order.channel_id != channel_id):
        raise NotFound(_("There is no order %(order)s.", order=order_number(order_id)))
    return order


def cancel_order(
    order_id: int,
    channel_id: int | None = None,
    reason: str = "",
    *,
    started: bool = False,
) -> Order:
    """Cancel an order before it moves: its reservations serve the next in line.

    The status changes in one guarded UPDATE before anything is released, and
    the lines are read after it, under their locks: of two cancels at once one
    releases the units and tells the channel, the other finds the order
    cancelled and answers as a retry would.

    ``started`` also cancels an order whose units have started moving (picked,
    staged, packed, not shipped): the caller has put its staged units back first.
    """
    order = get_order(order_id, channel_id)
    cancellable = (*CANCELLABLE, *STARTED) if started else CANCELLABLE
    if order.status not in cancellable:
        return _cancelled_or_refused(order)  # no lock needed to say so
    # A line's product never changes, so the rows to lock are known before locking.
    product_ids = list(
        db.session.scalars(select(lines_t.c.product_id).where(lines_t.c.order_id == order_id))
    )
    stock.lock_products(product_ids)
    now = utcnow()
    taken = db.session.execute(
        update(orders_t)
        .where(orders_t.c.id == order_id, orders_t.c.status.in_(cancellable))
        .values(status=OrderStatus.CANCELLED, cancelled_at=now, updated_at=now)
        .returning(orders_t.c.id)
    ).first()
    db.session.expire(order)
    if taken is None:
        return _cancelled_or_refused(order)
    lines = db.session.execute(
        stock.locking_lines(
            select(lines_t).where(lines_t.c.order_id == order_id).order_by(lines_t.c.id)
        )
    ).all()
    freed: set[int] = set()
    for ln in sorted(lines, key=lambda ln: (ln.product_id, ln.id)):
        stock.unreserve(ln.product_id, ln.qty_reserved)
        stock.remove_waiting(ln.product_id, ln.qty_waiting)
        if ln.kind == LineKind.PREORDER:
            stock.release_preorder(ln.product_id, ln.qty_reserved + ln.qty_waiting)
        db.session.execute(
            update(lines_t)
            .where(lines_t.c.id == ln.id)
            .values(
                qty_cancelled=lines_t.c.qty_cancelled
                + lines_t.c.qty_reserved
                + lines_t.c.qty_waiting,
                qty_reserved=0,
                qty_waiting=0,
                projected_fill_on=None,
            )
        )
        freed.add(ln.product_id)
    _leave_lane(order_id)
    outbox.emit(
        "order.cancelled",
        order.channel_id,
        f"order:{order_id}",
        {"order_id": order_id, "order_number": order.number, "reason": reason},
    )
    for product_id in sorted(freed):
        backorders.serve_waiting(product_id)
        backorders.recompute_projections(product_id)
    outbox.emit_availability(sorted(freed))
    db.session.expire(order)
    return order


def _cancelled_or_refused(order: Order) -> Order:
    """The answer to a cancel that changed nothing: cancelled already, or too late."""
    if order.status == OrderStatus.CANCELLED:
        return order
    raise Conflict(
        _(
            "Order %(order)s is %(status)s and can no longer be cancelled.",
            order=order.number,
            status=_(order.status_label),
        ),
        status=order.status,
    ).with_code("not_cancellable")


def _leave_lane(order_id: int) -> None:
    """A cancelled preorder's units stay in its hold lane, promised to nobody: they are
    put away from there (the put-away screen takes a lane like a tote)."""
    db.session.execute(delete(StagedUnits.__table__).where(StagedUnits.order_id == order_id))
    release_lane(order_id)


def record_payment_captured(order_id: int, channel_id: int | None = None) -> Order:
    """Record that the channel captured the payment; the first call tells the channel,
    a repeat (or one at the same moment) changes nothing."""
    order = get_order(order_id, channel_id)
    now = utcnow()
    taken = db.session.execute(
        update(orders_t)
        .where(
            orders_t.c.id == order_id,
            orders_t.c.payment_captured_at.is_(None),
            orders_t.c.status != OrderStatus.CANCELLED,
        )
        .values(payment_captured_at=now, updated_at=now)
        .returning(orders_t.c.id)
    ).first()
    db.session.expire(order)
    if taken is not None:
        outbox.emit(
            "order.payment_captured",
            order.channel_id,
            f"order:{order.id}",
            {"order_id": order.id, "order_number": order.number},
        )
    elif order.status == OrderStatus.CANCELLED:
        raise Conflict(_("Order %(order)s is cancelled.", order=order.number)).with_code(
            "order_cancelled"
        )
    return order
