"""Parcels at the pack station: open one for an order, verify its items, box and weigh it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from wms.core import outbox
from wms.core.clock import utcnow
from wms.core.errors import Conflict, InvalidInput, NotFound, UnknownCode
from wms.core.ledger import Reason
from wms.core.models import StagedUnits
from wms.core.staging import stage_units
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product
from wms.orders.models import Order, OrderLine, OrderStatus, order_number
from wms.shipping.models import (
    BoxType,
    LabelState,
    PackStation,
    Parcel,
    ParcelLine,
    ParcelStatus,
)
from wms.shipping.packing import LineToPack, check_weight, line_for_scan, units_left

staged_t = StagedUnits.__table__
orders_t = Order.__table__

# Places an order's units wait in before packing.
PACK_FROM_KINDS = (LocationKind.STAGING_LANE, LocationKind.HOLD_LANE, LocationKind.TOTE)
UNFINISHED = (ParcelStatus.OPEN, ParcelStatus.PACKED, ParcelStatus.LABELLED)


class NotReadyToPack(Conflict):
    code = "not_ready_to_pack"


class AwaitingPayment(Conflict):
    code = "awaiting_payment"


# ------------------------------------------------------------------ stations


def require_station(code: str) -> Location:
    location = db.session.scalar(select(Location).where(Location.code == code.strip().upper()))
    if location is None or not location.active:
        raise UnknownCode(code, "pack station")
    if location.kind != LocationKind.PACKING:
        raise InvalidInput(f"{location.code} is not a pack station; scan a PACK location.")
    return location


def station_settings(location_id: int) -> PackStation | None:
    return db.session.scalar(
        select(PackStation).where(
            PackStation.location_id == location_id, PackStation.active.is_(True)
        )
    )


def active_stations() -> list[Location]:
    return list(
        db.session.scalars(
            select(Location)
            .where(Location.kind == LocationKind.PACKING, Location.active.is_(True))
            .order_by(Location.code)
        )
    )


# ------------------------------------------------------------------ parcels


def current_parcel(station_id: int, user_id: int) -> Parcel | None:
    """The unfinished parcel this packer touched last at this station."""
    return db.session.scalar(
        select(Parcel)
        .where(
            Parcel.packer_id == user_id,
            Parcel.location_id == station_id,
            Parcel.status.in_(UNFINISHED),
        )
        .order_by(Parcel.touched_at.desc(), Parcel.id.desc())
        .limit(1)
    )


def unshipped_parcel(order_id: int) -> Parcel | None:
    return db.session.scalar(
        select(Parcel).where(Parcel.order_id == order_id, Parcel.status != ParcelStatus.SHIPPED)
    )


def parcel_by_tracking(code: str) -> Parcel | None:
    code = code.strip()
    if not code:
        return None
    return db.session.scalar(
        select(Parcel)
        .where(Parcel.tracking_number.in_({code, code.upper()}))
        .order_by(Parcel.id.desc())
        .limit(1)
    )


def get_parcel(parcel_id: int, lock: bool = False) -> Parcel:
    stmt = select(Parcel).where(Parcel.id == parcel_id)
    if lock and db.engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    parcel = db.session.scalar(stmt)
    if parcel is None:
        raise NotFound("There is no such parcel.")
    return parcel


def lines_to_pack(parcel_id: int) -> list[LineToPack]:
    rows = db.session.execute(
        select(
            ParcelLine.order_line_id,
            ParcelLine.product_id,
            Product.sku,
            ParcelLine.qty,
            ParcelLine.qty_verified,
        )
        .join(Product, Product.id == ParcelLine.product_id)
        .where(ParcelLine.parcel_id == parcel_id)
        .order_by(ParcelLine.id)
    ).all()
    return [LineToPack(*row) for row in rows]


def not_ready_sentence(order: Order) -> str:
    number = order.number
    status = order.status
    if status == OrderStatus.SHIPPED:
        when = f" on {order.shipped_at:%Y-%m-%d}" if order.shipped_at else ""
        return f"{number} was shipped{when}."
    if status == OrderStatus.CANCELLED:
        return f"{number} is cancelled; do not pack it."
    if status == OrderStatus.WAITING:
        waiting = sum(line.qty_waiting for line in order.lines)
        return f"{number} is not ready to pack: {waiting} unit(s) still wait for stock."
    if status == OrderStatus.HELD:
        return f"{number} is a preorder held until its release day."
    staged = _staged_total(order.id)
    reserved = sum(line.qty_reserved for line in order.lines)
    return (
        f"{number} is not ready to pack: {staged} of {reserved} units are staged, "
        "the rest is still on the shelf."
    )


def _staged_total(order_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(staged_t.c.qty), 0)).where(
                staged_t.c.order_id == order_id
            )
        )
        or 0
    )


def open_parcel(order_id: int, station: Location, user_id: int) -> Parcel:
    """Start (or take up again) the parcel of an order at this station."""
    order = db.session.get(Order, order_id)
    if order is None:
        raise UnknownCode(order_number(order_id), "order")
    parcel = unshipped_parcel(order.id)
    if parcel is None:
        if order.status != OrderStatus.READY_TO_PACK:
            raise NotReadyToPack(not_ready_sentence(order), status=order.status)
        parcel = Parcel(
            order_id=order.id,
            location_id=station.id,
            label_key=f"{order.number}/{uuid.uuid4().hex[:20]}",
            rates=[],
        )
        db.session.add(parcel)
        db.session.flush()
    _refresh_lines(parcel)
    release_payment_hold(order)
    if parcel.status == ParcelStatus.OPEN:
        parcel.location_id = station.id
    parcel.packer_id = user_id
    parcel.touched_at = utcnow()
    db.session.flush()
    return parcel


def _refresh_lines(parcel: Parcel) -> None:
    """The parcel takes every unit of the order staged anywhere (lane, tote, packing)."""
    if parcel.status != ParcelStatus.OPEN:
        return
    staged = dict(
        db.session.execute(
            select(staged_t.c.order_line_id, func.sum(staged_t.c.qty))
            .where(staged_t.c.order_id == parcel.order_id)
            .group_by(staged_t.c.order_line_id)
        ).all()
    )
    existing = {line.order_line_id: line for line in parcel.lines}
    order_lines = db.session.scalars(
        select(OrderLine).where(OrderLine.order_id == parcel.order_id).order_by(OrderLine.line_no)
    )
    for ol in order_lines:
        qty = int(staged.get(ol.id) or 0)
        line = existing.get(ol.id)
        if line is None:
            if qty:
                parcel.lines.append(
                    ParcelLine(order_line_id=ol.id, product_id=ol.product_id, qty=qty)
                )
        else:
            line.qty = max(qty, line.qty_verified)


# ------------------------------------------------------------------ orders in a place


@dataclass(frozen=True)
class OrderInPlace:
    order_id: int
    number: str
    status: str
    customer: str
    units_here: int

    @property
    def ready(self) -> bool:
        return self.status in (
            OrderStatus.READY_TO_PACK,
            OrderStatus.PACKED,
            OrderStatus.AWAITING_PAYMENT,
        )


def orders_in_place(location_id: int) -> list[OrderInPlace]:
    rows = db.session.execute(
        select(
            orders_t.c.id,
            orders_t.c.status,
            orders_t.c.customer_name,
            func.sum(staged_t.c.qty),
        )
        .join(orders_t, orders_t.c.id == staged_t.c.order_id)
        .where(staged_t.c.location_id == location_id, staged_t.c.qty > 0)
        .group_by(orders_t.c.id, orders_t.c.status, orders_t.c.customer_name)
        .order_by(orders_t.c.id)
    ).all()
    return [OrderInPlace(r[0], order_number(r[0]), r[1], r[2] or "", int(r[3] or 0)) for r in rows]


# ------------------------------------------------------------------ verifying


def verify_item(parcel: Parcel, product: Product, units: int, station: Location) -> LineToPack:
    """Count a scanned item into the parcel and bring it to the station; refuse a wrong one."""
    if parcel.status != ParcelStatus.OPEN:
        raise Conflict(f"{order_number(parcel.order_id)} is already packed; nothing more goes in.")
    lines = lines_to_pack(parcel.id)
    line = line_for_scan(lines, product.id, product.sku, units, order_number(parcel.order_id))
    counted = db.session.execute(
        update(ParcelLine)
        .where(
            ParcelLine.parcel_id == parcel.id,
            ParcelLine.order_line_id == line.line_id,
            ParcelLine.qty_verified + units <= ParcelLine.qty,
        )
        .values(qty_verified=ParcelLine.qty_verified + units)
        .execution_options(synchronize_session="fetch")
    )
    if counted.rowcount != 1:
        raise Conflict(f"{product.sku} was just counted by another scan; scan the next item.")
    _bring_to_station(line, units, parcel, station)
    parcel.touched_at = utcnow()
    return LineToPack(line.line_id, line.product_id, line.sku, line.qty, line.qty_verified + units)


def _bring_to_station(line: LineToPack, units: int, parcel: Parcel, station: Location) -> None:
    """Units verified are at the station: move them there from their lane or tote."""
    places = db.session.execute(
        select(staged_t.c.location_id, staged_t.c.qty, Location.kind)
        .join(Location, Location.id == staged_t.c.location_id)
        .where(staged_t.c.order_line_id == line.line_id, staged_t.c.qty > 0)
        .order_by(Location.kind == LocationKind.PACKING, Location.code)
    ).all()
    here = sum(qty for loc_id, qty, _ in places if loc_id == station.id)
    to_move = line.qty_verified + units - here
    if to_move <= 0:
        return
    order_line = db.session.get(OrderLine, line.line_id)
    for loc_id, qty, _kind in places:
        if loc_id == station.id or to_move <= 0:
            continue
        n = min(qty, to_move)
        source = db.session.get(Location, loc_id)
        stage_units(
            order_line,
            n,
            from_location=source,
            to_location=station,
            reason=Reason.PACK,
            reference=order_number(parcel.order_id),
            user_id=parcel.packer_id,
        )
        to_move -= n
    if to_move > 0:
        raise Conflict(
            f"No more units of {line.sku} are staged for {order_number(parcel.order_id)}; "
            "put the parcel aside and call a supervisor."
        )


# ------------------------------------------------------------------ box and weight


def find_box(code: str) -> BoxType | None:
    code = code.strip().upper()
    if not code:
        return None
    return db.session.scalar(select(BoxType).where(BoxType.code == code))


def set_box(parcel: Parcel, box: BoxType) -> None:
    if not box.active:
        raise InvalidInput(f"Box {box.code} is no longer used; take another box.")
    if parcel.status in (ParcelStatus.LABELLED, ParcelStatus.SHIPPED):
        raise Conflict("The label is bought; the box can no longer change.")
    _refuse_change_while_label_unsure(parcel)
    if parcel.box_type_id != box.id:
        parcel.box_type_id = box.id
        # Another box weighs and measures differently: weigh again, quote again.
        parcel.weight_g = None
        parcel.rates = []
        parcel.rate_id = ""
    parcel.touched_at = utcnow()


def _refuse_change_while_label_unsure(parcel: Parcel) -> None:
    """A purchase that may have happened is finished first: its label fits the parcel as it was."""
    if parcel.label_state in (LabelState.BUYING, LabelState.UNCERTAIN):
        raise Conflict(
            "A label may already be bought for this parcel as it is; scan DONE to finish it first."
        )


def expected_weight(parcel: Parcel) -> int | None:
    """What the products and the empty box weigh; None when a product has no weight."""
    rows = db.session.execute(
        select(Product.weight_g, ParcelLine.qty)
        .join(Product, Product.id == ParcelLine.product_id)
        .where(ParcelLine.parcel_id == parcel.id)
    ).all()
    if not rows or any(not weight for weight, _ in rows):
        return None
    tare = parcel.box_type.tare_g if parcel.box_type else 0
    return tare + sum(weight * qty for weight, qty in rows)


def set_weight(parcel: Parcel, grams: int) -> bool:
    """Record the weight; returns True when this made the parcel packed."""
    if parcel.status in (ParcelStatus.LABELLED, ParcelStatus.SHIPPED):
        raise Conflict("The label is bought; the weight can no longer change.")
    _refuse_change_while_label_unsure(parcel)
    left = units_left(lines_to_pack(parcel.id))
    if left:
        raise Conflict(f"Scan the {left} remaining item(s) before weighing.")
    box = parcel.box_type
    if box is None:
        raise Conflict("Scan the box before weighing.")
    check_weight(grams, box.tare_g, box.code)
    if parcel.weight_g != grams:
        parcel.weight_g = grams
        parcel.rates = []
        parcel.rate_id = ""
    parcel.touched_at = utcnow()
    if parcel.status == ParcelStatus.OPEN:
        _mark_packed(parcel)
        return True
    return False


def _mark_packed(parcel: Parcel) -> None:
    """Verified, boxed, weighed: the order is packed, or waits for its payment."""
    order = db.session.get(Order, parcel.order_id)
    assert order is not None
    waits = order.capture_before_ship and order.payment_captured_at is None
    status = OrderStatus.AWAITING_PAYMENT if waits else OrderStatus.PACKED
    moved = db.session.execute(
        update(orders_t)
        .where(orders_t.c.id == order.id, orders_t.c.status == OrderStatus.READY_TO_PACK)
        .values(status=status, updated_at=utcnow())
    )
    if moved.rowcount != 1:
        raise Conflict(f"{order.number} is no longer ready to pack; scan it again.")
    parcel.status = ParcelStatus.PACKED
    parcel.packed_at = utcnow()
    if order.capture_before_ship:
        # The channel charges the customer now and confirms with payment-captured.
        outbox.emit(
            "order.ready_to_ship",
            order.channel_id,
            f"order:{order.id}",
            {
                "order_id": order.id,
                "order_number": order.number,
                "external_id": order.external_id,
                "weight_g": parcel.weight_g,
                "payment_captured": order.payment_captured_at is not None,
            },
        )
    db.session.expire(order)


def payment_ok(order: Order) -> bool:
    return not order.capture_before_ship or order.payment_captured_at is not None


def release_payment_hold(order: Order) -> None:
    """The channel confirmed payment: a packed order that waited for it may get its label."""
    if order.status == OrderStatus.AWAITING_PAYMENT and payment_ok(order):
        db.session.execute(
            update(orders_t)
            .where(orders_t.c.id == order.id, orders_t.c.status == OrderStatus.AWAITING_PAYMENT)
            .values(status=OrderStatus.PACKED, updated_at=utcnow())
        )
        db.session.expire(order)


def require_payment(order: Order) -> None:
    if not payment_ok(order):
        raise AwaitingPayment(
            f"{order.number} waits for the channel to confirm payment; "
            "its label is held until then.",
            order=order.number,
        )


def line_rows(parcel: Parcel) -> list[dict[str, Any]]:
    """Every line of the order as the packer sees it: in this parcel or shipping later."""
    in_parcel = {line.order_line_id: line for line in parcel.lines}
    places: dict[int, list[str]] = {}
    for line_id, code in db.session.execute(
        select(staged_t.c.order_line_id, Location.code)
        .join(Location, Location.id == staged_t.c.location_id)
        .where(
            staged_t.c.order_id == parcel.order_id,
            staged_t.c.qty > 0,
            Location.kind != LocationKind.PACKING,
        )
        .order_by(Location.code)
    ):
        places.setdefault(line_id, []).append(code)
    rows = []
    for ol, product in db.session.execute(
        select(OrderLine, Product)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == parcel.order_id)
        .order_by(OrderLine.line_no)
    ):
        pl = in_parcel.get(ol.id)
        rows.append(
            {
                "sku": product.sku,
                "name": product.name,
                "qty": pl.qty if pl else 0,
                "verified": pl.qty_verified if pl else 0,
                "later": ol.qty_waiting,
                "places": places.get(ol.id, []),
            }
        )
    return rows
