"""What the pack station reads: stations, parcels, orders in a lane or tote, lines to pack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from wms.base.clock import day_bounds, utcnow
from wms.base.errors import InvalidInput, NotFound, UnknownCode
from wms.base.i18n import Text, _, n_
from wms.base.numbers import order_number
from wms.channels.models import ShopOrder, ShopOrderState
from wms.core.models import Order, OrderLine, OrderStatus, StagedUnits
from wms.database import existing
from wms.extensions import db
from wms.i18n import format_date
from wms.inventory.models import Location, LocationKind, Product
from wms.shipping import queries
from wms.shipping.models import BoxType, LabelState, PackStation, Parcel, ParcelLine, ParcelStatus
from wms.shipping.rules import LineToPack
from wms.shipping.services.purchases import release_after

staged_t = StagedUnits.__table__
orders_t = Order.__table__

# Places an order's units wait in before packing.
PACK_FROM_KINDS = (LocationKind.STAGING_LANE, LocationKind.HOLD_LANE, LocationKind.TOTE)
UNFINISHED = (ParcelStatus.OPEN, ParcelStatus.PACKED, ParcelStatus.LABELLED)


def require_station(code: str) -> Location:
    location = db.session.scalar(select(Location).where(Location.code == code.strip().upper()))
    if location is None or not location.active:
        raise UnknownCode(code, _("No pack station has the code %(code)s.", code=code))
    if location.kind != LocationKind.PACKING:
        raise InvalidInput(
            _("%(code)s is not a pack station; scan a PACK location.", code=location.code)
        )
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


def stopped_by_shop(order_id: int) -> bool:
    """The shop cancelled the order after picking began and no supervisor has decided yet."""
    return bool(
        db.session.scalar(
            select(ShopOrder.id).where(
                ShopOrder.order_id == order_id,
                ShopOrder.state == ShopOrderState.CANCELLED_AFTER_PICK,
            )
        )
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
    """The parcel; with ``lock``, its row locked and its state read after the lock (a
    parcel this request already loaded is read again)."""
    return existing(Parcel, parcel_id, _("There is no such parcel."), lock=lock)


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


def not_ready_sentence(order: Order) -> Text:
    number = order.number
    status = order.status
    if status == OrderStatus.SHIPPED:
        if order.shipped_at:
            return _(
                "%(order)s was shipped on %(day)s.", order=number, day=format_date(order.shipped_at)
            )
        return _("%(order)s was shipped.", order=number)
    if status == OrderStatus.CANCELLED:
        return _("%(order)s is cancelled; do not pack it.", order=number)
    if status == OrderStatus.WAITING:
        waiting = sum(line.qty_waiting for line in order.lines)
        return n_(
            "%(order)s is not ready to pack: %(num)s unit still waits for stock.",
            "%(order)s is not ready to pack: %(num)s units still wait for stock.",
            waiting,
            order=number,
        )
    if status == OrderStatus.HELD:
        return _("%(order)s is a preorder held until its release day.", order=number)
    staged = _staged_total(order.id)
    reserved = sum(line.qty_reserved for line in order.lines)
    return _(
        "%(order)s is not ready to pack: %(staged)s of %(reserved)s units are staged, "
        "the rest is still on the shelf.",
        order=number,
        staged=staged,
        reserved=reserved,
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


def find_box(code: str) -> BoxType | None:
    code = code.strip().upper()
    if not code:
        return None
    return db.session.scalar(select(BoxType).where(BoxType.code == code))


def payment_ok(order: Order) -> bool:
    return not order.capture_before_ship or order.payment_captured_at is not None


def line_rows(parcel: Parcel) -> list[dict[str, Any]]:
    """Every line of the order as the packer sees it: in this parcel, or shipping later."""
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
    rows = db.session.execute(
        select(
            OrderLine.id,
            OrderLine.qty_waiting,
            Product.sku,
            Product.name,
            Product.weight_g,
            ParcelLine.qty,
            ParcelLine.qty_verified,
        )
        .join(Product, Product.id == OrderLine.product_id)
        .outerjoin(
            ParcelLine,
            (ParcelLine.order_line_id == OrderLine.id) & (ParcelLine.parcel_id == parcel.id),
        )
        .where(OrderLine.order_id == parcel.order_id)
        .order_by(OrderLine.line_no)
    ).all()
    return [
        {
            "sku": r.sku,
            "name": r.name,
            "weight_g": r.weight_g,
            "qty": r.qty or 0,
            "verified": r.qty_verified or 0,
            "later": r.qty_waiting,
            "places": places.get(r.id, []),
        }
        for r in rows
    ]


@dataclass(frozen=True)
class UnconfirmedLabel:
    parcel_id: int
    number: str
    carrier_code: str
    attempted_at: Any
    attempts: int
    error: str
    releasable_at: Any


def unconfirmed_labels() -> list[UnconfirmedLabel]:
    """Parcels whose label purchase may have happened and is not on record, oldest first."""
    now, wait = utcnow(), release_after()
    rows = db.session.execute(
        select(
            Parcel.id,
            Parcel.order_id,
            Parcel.carrier_code,
            Parcel.label_attempted_at,
            Parcel.label_attempts,
            Parcel.label_error,
        )
        .where(
            (Parcel.label_state == LabelState.UNCERTAIN)
            | ((Parcel.label_state == LabelState.BUYING) & (Parcel.label_claimed_until < now)),
            Parcel.carrier_code != "builtin",
        )
        .order_by(Parcel.label_attempted_at, Parcel.id)
    ).all()
    return [
        UnconfirmedLabel(
            r.id,
            order_number(r.order_id),
            r.carrier_code,
            r.label_attempted_at,
            r.label_attempts,
            r.label_error,
            (r.label_attempted_at or now) + wait,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class CarrierDay:
    carrier: str
    parcels: int
    weight_g: int


def manifest_summary(day: date) -> list[CarrierDay]:
    """Carriers that took parcels on the warehouse's ``day``, with how many and their weight."""
    start, end = day_bounds(day)
    rows = db.session.execute(
        select(Parcel.carrier, func.count(), func.coalesce(func.sum(Parcel.weight_g), 0))
        .where(
            Parcel.status == ParcelStatus.SHIPPED,
            Parcel.shipped_at >= start,
            Parcel.shipped_at < end,
        )
        .group_by(Parcel.carrier)
        .order_by(Parcel.carrier)
    ).all()
    return [CarrierDay(carrier, int(count), int(weight)) for carrier, count, weight in rows]


@dataclass(frozen=True)
class TrackingView:
    tracking_number: str
    carrier: str
    service: str
    status: Text
    shipped_at: Any


def track_parcel(number: str) -> TrackingView:
    """What a customer may see of a parcel: carrier, service, and whether it left."""
    parcel = queries.parcel_by_tracking(number)
    if parcel is None or parcel.label_state != LabelState.BOUGHT:
        raise NotFound(
            _("No parcel has the tracking number %(number)s.", number=number.strip()[:40])
        )
    status = (
        _("Shipped: the parcel left the warehouse.")
        if parcel.status == ParcelStatus.SHIPPED
        else _("Label created: the parcel waits for pickup at the warehouse.")
    )
    return TrackingView(
        parcel.tracking_number, parcel.carrier, parcel.service, status, parcel.shipped_at
    )


def list_boxes() -> list[BoxType]:
    return list(db.session.scalars(select(BoxType).order_by(BoxType.active.desc(), BoxType.code)))


@dataclass(frozen=True)
class StationRow:
    location: Location
    settings: PackStation | None


def list_stations() -> list[StationRow]:
    rows = db.session.execute(
        select(Location, PackStation)
        .outerjoin(PackStation, PackStation.location_id == Location.id)
        .where(Location.kind == LocationKind.PACKING)
        .order_by(Location.code)
    ).all()
    return [StationRow(location, settings) for location, settings in rows]
