"""The packing slip of a parcel and the end-of-day manifest per carrier, as PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from wms.base.clock import utcnow
from wms.base.numbers import order_number
from wms.channels.models import Channel
from wms.core.models import Order, OrderLine
from wms.extensions import db
from wms.prints.documents import (
    Manifest,
    ManifestParcel,
    PackingSlip,
    PackingSlipLine,
    render_manifest,
    render_packing_slip,
)
from wms.shipping.labels import ship_to_address, warehouse_address
from wms.shipping.models import BoxType, Parcel, ParcelStatus


def packing_slip_pdf(parcel: Parcel) -> bytes:
    order = db.session.get(Order, parcel.order_id)
    assert order is not None
    in_parcel = {line.order_line_id: line.qty for line in parcel.lines}
    lines = [
        PackingSlipLine(
            sku=line.product.sku,
            name=line.product.name,
            qty_ordered=line.qty - line.qty_cancelled,
            qty_in_parcel=in_parcel.get(line.id, 0),
        )
        for line in db.session.scalars(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)
        )
        if line.qty > line.qty_cancelled
    ]
    channel = db.session.get(Channel, order.channel_id)
    slip = PackingSlip(
        order_number=order.number,
        ship_to=ship_to_address(order),
        lines=lines,
        box=parcel.box_type.code if parcel.box_type else "",
        parcel=parcel.tracking_number,
        order_date=order.placed_at.date(),
        packed_at=parcel.packed_at or utcnow(),
        ship_from=warehouse_address(),
        channel=channel.name if channel else "",
    )
    return render_packing_slip(slip)


@dataclass(frozen=True)
class CarrierDay:
    carrier: str
    parcels: int
    weight_g: int


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time())
    return start, start + timedelta(days=1)


def manifest_summary(day: date) -> list[CarrierDay]:
    """Carriers that took parcels on ``day`` (UTC), with how many and their weight."""
    start, end = _day_bounds(day)
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


def manifest_pdf(day: date, carrier: str) -> bytes | None:
    """The manifest of one carrier's parcels shipped on ``day``; None when there were none."""
    start, end = _day_bounds(day)
    rows: list[Any] = db.session.execute(
        select(Parcel, BoxType.code)
        .outerjoin(BoxType, BoxType.id == Parcel.box_type_id)
        .where(
            Parcel.status == ParcelStatus.SHIPPED,
            Parcel.carrier == carrier,
            Parcel.shipped_at >= start,
            Parcel.shipped_at < end,
        )
        .order_by(Parcel.shipped_at, Parcel.id)
    ).all()
    if not rows:
        return None
    parcels = [
        ManifestParcel(
            tracking_number=parcel.tracking_number,
            order_number=order_number(parcel.order_id),
            service=parcel.service,
            weight_g=parcel.weight_g or 0,
            reference=box or "",
        )
        for parcel, box in rows
    ]
    return render_manifest(
        Manifest(
            carrier=carrier,
            ship_date=day,
            parcels=parcels,
            warehouse=warehouse_address().name,
            created_at=utcnow(),
        )
    )
