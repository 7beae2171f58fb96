"""Parcels at the pack station: open one for an order, verify its items, box and weigh it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, update

from wms.base.clock import utcnow
from wms.base.errors import Conflict, InvalidInput, UnknownCode
from wms.base.i18n import _, n_
from wms.base.numbers import order_number
from wms.channels import outbox
from wms.core.ledger import Reason
from wms.core.models import Order, OrderLine, OrderStatus, StagedUnits
from wms.core.staging import stage_units
from wms.database import for_update
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product
from wms.shipping import queries
from wms.shipping.models import (
    BoxType,
    LabelState,
    Parcel,
    ParcelLine,
    ParcelStatus,
)
from wms.shipping.rules import LineToPack, check_weight, line_for_scan, units_left

staged_t = StagedUnits.__table__
orders_t = Order.__table__

# An order whose parcel was opened when it was ready to pack may have moved on since
# (a partial order got more units reserved meanwhile): what is in the box still ships.
PACKABLE = (
    OrderStatus.READY_TO_PACK,
    OrderStatus.READY_TO_PICK,
    OrderStatus.PICKING,
    OrderStatus.WAITING,
)


class NotReadyToPack(Conflict):
    code = "not_ready_to_pack"


class AwaitingPayment(Conflict):
    code = "awaiting_payment"


class StoppedByShop(Conflict):
    """The shop cancelled the order after picking began: a supervisor decides."""

    code = "cancelled_by_shop"


def refuse_if_stopped(order_id: int) -> None:
    """The packer does not go on with an order its shop cancelled: the parcel goes to a
    supervisor, who cancels it in the warehouse or lets it ship (the desk's list)."""
    if queries.stopped_by_shop(order_id):
        raise StoppedByShop(
            _("The shop cancelled this order: give the parcel to a supervisor."),
            order=order_number(order_id),
        )


@dataclass(frozen=True)
class Withdrawn:
    """An unshipped parcel taken apart because its order is cancelled."""

    parcel_id: int
    tracking_number: str  # a label bought (or perhaps bought) for it: to void with the carrier


def withdraw_parcel(order_id: int) -> Withdrawn | None:
    """Take apart the order's unshipped parcel (its units are put back by the caller).

    The parcel row is locked first, as shipping locks it: a parcel shipping at this
    moment ships first, and the caller then finds the order shipped. A label being
    bought right now is waited for (refused: try again)."""
    parcel = db.session.scalar(
        for_update(
            select(Parcel).where(Parcel.order_id == order_id, Parcel.status != ParcelStatus.SHIPPED)
        ).execution_options(populate_existing=True)
    )
    if parcel is None:
        return None
    if parcel.label_state == LabelState.BUYING:
        raise Conflict(
            _("A label is being bought for this parcel right now: try again in a minute.")
        )
    bought = parcel.label_state in (LabelState.BOUGHT, LabelState.UNCERTAIN)
    withdrawn = Withdrawn(parcel.id, (parcel.tracking_number or "?") if bought else "")
    db.session.delete(parcel)  # its lines with it
    db.session.flush()
    return withdrawn


def open_parcel(order_id: int, station: Location, user_id: int) -> Parcel:
    """Start (or take up again) the parcel of an order at this station."""
    # The order row is locked so two packers opening it at once make one parcel.
    order = db.session.scalar(
        for_update(select(Order).where(Order.id == order_id)).execution_options(
            populate_existing=True
        )
    )
    if order is None:
        raise UnknownCode(order_number(order_id), "order")
    refuse_if_stopped(order.id)
    parcel = queries.unshipped_parcel(order.id)
    if parcel is None:
        if order.status != OrderStatus.READY_TO_PACK:
            raise NotReadyToPack(queries.not_ready_sentence(order), status=order.status)
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
    # Whoever takes the parcel up carries it to their station: its label prints there,
    # and its units ship from the pack station(s) they are at.
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


def verify_item(parcel: Parcel, product: Product, units: int, station: Location) -> LineToPack:
    """Count a scanned item into the parcel and bring it to the station; refuse a wrong one."""
    if parcel.status != ParcelStatus.OPEN:
        raise Conflict(
            _(
                "%(order)s is already packed; nothing more goes in.",
                order=order_number(parcel.order_id),
            )
        )
    lines = queries.lines_to_pack(parcel.id)
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
        raise Conflict(
            _("%(sku)s was just counted by another scan; scan the next item.", sku=product.sku)
        )
    _bring_to_station(line, units, parcel, station)
    parcel.touched_at = utcnow()
    return LineToPack(line.line_id, line.product_id, line.sku, line.qty, line.qty_verified + units)


@dataclass(frozen=True)
class _LineRef:
    """What ``stage_units`` needs of an order line."""

    id: int
    order_id: int
    product_id: int


def _bring_to_station(line: LineToPack, units: int, parcel: Parcel, station: Location) -> None:
    """Units verified are at the station: move them there from their lane or tote."""
    places = db.session.execute(
        select(Location, staged_t.c.qty)
        .join(Location, Location.id == staged_t.c.location_id)
        .where(staged_t.c.order_line_id == line.line_id, staged_t.c.qty > 0)
        .order_by(Location.kind == LocationKind.PACKING, Location.code)
    ).all()
    here = sum(qty for place, qty in places if place.id == station.id)
    to_move = line.qty_verified + units - here
    ref = _LineRef(line.line_id, parcel.order_id, line.product_id)
    for place, qty in places:
        if place.id == station.id or to_move <= 0:
            continue
        n = min(qty, to_move)
        stage_units(
            ref,
            n,
            from_location=place,
            to_location=station,
            reason=Reason.PACK,
            reference=order_number(parcel.order_id),
            user_id=parcel.packer_id,
        )
        to_move -= n
    if to_move > 0:
        raise Conflict(
            _(
                "No more units of %(sku)s are staged for %(order)s; "
                "put the parcel aside and call a supervisor.",
                sku=line.sku,
                order=order_number(parcel.order_id),
            )
        )


def set_box(parcel: Parcel, box: BoxType) -> None:
    if not box.active:
        raise InvalidInput(_("Box %(box)s is no longer used; take another box.", box=box.code))
    if parcel.status in (ParcelStatus.LABELLED, ParcelStatus.SHIPPED):
        raise Conflict(_("The label is bought; the box can no longer change."))
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
            _(
                "A label may already be bought for this parcel as it is; "
                "scan DONE to finish it first."
            )
        )


def set_weight(parcel: Parcel, grams: int) -> bool:
    """Record the weight; returns True when this made the parcel packed."""
    if parcel.status in (ParcelStatus.LABELLED, ParcelStatus.SHIPPED):
        raise Conflict(_("The label is bought; the weight can no longer change."))
    _refuse_change_while_label_unsure(parcel)
    left = units_left(queries.lines_to_pack(parcel.id))
    if left:
        raise Conflict(
            n_(
                "Scan the %(num)s remaining item before weighing.",
                "Scan the %(num)s remaining items before weighing.",
                left,
            )
        )
    box = parcel.box_type
    if box is None:
        raise Conflict(_("Scan the box before weighing."))
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
        .where(orders_t.c.id == order.id, orders_t.c.status.in_(PACKABLE))
        .values(status=status, updated_at=utcnow())
    )
    if moved.rowcount != 1:
        raise Conflict(
            _("%(order)s is no longer ready to pack; scan it again.", order=order.number)
        )
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


def release_payment_hold(order: Order) -> None:
    """The channel confirmed payment: a packed order that waited for it may get its label."""
    if order.status == OrderStatus.AWAITING_PAYMENT and queries.payment_ok(order):
        db.session.execute(
            update(orders_t)
            .where(orders_t.c.id == order.id, orders_t.c.status == OrderStatus.AWAITING_PAYMENT)
            .values(status=OrderStatus.PACKED, updated_at=utcnow())
        )
        db.session.expire(order)


def require_payment(order: Order) -> None:
    if not queries.payment_ok(order):
        raise AwaitingPayment(
            _(
                "%(order)s waits for the channel to confirm payment; its label is held until then.",
                order=order.number,
            ),
            order=order.number,
        )
