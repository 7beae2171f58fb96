"""The packing slip of a parcel and the end-of-day manifest per carrier, as PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from wms.base.clock import day_bounds, local_date, utcnow
from wms.base.errors import NotFound
from wms.base.i18n import _
from wms.base.numbers import order_number
from wms.channels.models import Channel
from wms.core.models import Order, OrderLine
from wms.extensions import db
from wms.i18n import format_date, in_language
from wms.prints.documents import (
    Manifest,
    ManifestParcel,
    PackingSlip,
    PackingSlipLine,
    render_manifest,
    render_packing_slip,
)
from wms.shipping import prints, queries
from wms.shipping.models import BoxType, Parcel, ParcelStatus
from wms.shipping.services import labels
from wms.shipping.services.labels import ship_to_address, warehouse_address


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
        order_date=local_date(order.placed_at),
        packed_at=parcel.packed_at or utcnow(),
        ship_from=warehouse_address(),
        channel=channel.name if channel else "",
    )
    # The customer reads it: in the order's language when the shop gave one.
    with in_language(order.language):
        return render_packing_slip(slip)


def manifest_pdf(day: date, carrier: str) -> bytes | None:
    """The manifest of one carrier's parcels shipped on ``day``; None when there were none."""
    start, end = day_bounds(day)
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


@dataclass(frozen=True)
class PrintFile:
    content: bytes
    filename: str


def parcel_label(parcel_id: int, label_format: str, tracking_page: str) -> PrintFile:
    parcel = queries.get_parcel(parcel_id)
    number = order_number(parcel.order_id)
    content = labels.label_file(parcel, label_format, number, tracking_page)
    suffix = "zpl" if label_format == "ZPL" else "pdf"
    return PrintFile(content, f"label-{number}-{parcel.tracking_number}.{suffix}")


def parcel_slip(parcel_id: int) -> PrintFile:
    parcel = queries.get_parcel(parcel_id)
    number = order_number(parcel.order_id)
    return PrintFile(prints.packing_slip_pdf(parcel), f"packing-slip-{number}.pdf")


def carrier_manifest(day: date, carrier: str) -> PrintFile:
    pdf = prints.manifest_pdf(day, carrier)
    if pdf is None:
        raise NotFound(
            _("%(carrier)s took no parcels on %(day)s.", carrier=carrier, day=format_date(day))
            if carrier
            else _("That carrier took no parcels on %(day)s.", day=format_date(day))
        )
    slug = "".join(ch if ch.isalnum() else "-" for ch in carrier.lower()).strip("-")
    return PrintFile(pdf, f"manifest-{slug}-{day.isoformat()}.pdf")
