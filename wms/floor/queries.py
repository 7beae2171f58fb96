"""Scan anything: whatever is scanned, say what it is and what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from wms.auth.models import User
from wms.base.errors import InvalidInput, UnknownCode
from wms.base.i18n import _
from wms.core.models import Inbound, Order, OrderLine
from wms.core.recognise import recognise
from wms.extensions import db
from wms.inventory import availability
from wms.inventory import queries as inventory
from wms.inventory.queries import units_in_location
from wms.picking.models import Wave
from wms.picking.queries.screen import wave_summary
from wms.returns.models import ReturnAuthorisation

WAITING_SHOWN = 10


@dataclass
class ScanResult:
    kind: str  # product | location | order | inbound | rma | wave | badge
    subject: Any
    details: dict[str, Any]


def scan_anything(code: str) -> ScanResult:
    code = code.strip()
    if not code:
        raise InvalidInput(_("Scan or type a code."))
    seen = recognise(code)
    if seen.kind in ("command", "screen"):
        raise InvalidInput(
            _("%(code)s is a command barcode; there is nothing to look up.", code=code)
        )
    if seen.product is not None:
        return _product_result(seen.product.product)
    if seen.location is not None:
        location = seen.location
        return ScanResult(
            "location",
            location,
            {
                "contents": inventory.location_contents(location.id),
                "units": units_in_location(location.id),
            },
        )
    if seen.kind == "order":
        order = db.session.get(Order, seen.ref_id)
        return ScanResult("order", order, {"lines": order.lines})  # type: ignore[union-attr]
    if seen.kind == "inbound":
        inbound = db.session.get(Inbound, seen.ref_id)
        return ScanResult("inbound", inbound, {"lines": inbound.lines})  # type: ignore[union-attr]
    if seen.kind == "rma":
        return ScanResult("rma", db.session.get(ReturnAuthorisation, seen.ref_id), {})
    if seen.kind == "wave":
        wave = db.session.get(Wave, seen.ref_id)
        return ScanResult("wave", wave, {"summary": wave_summary(seen.ref_id)})  # type: ignore[arg-type]
    if seen.kind == "badge":
        return ScanResult("badge", db.session.get(User, seen.ref_id), {})
    raise UnknownCode(code)


def _product_result(product: Any) -> ScanResult:
    waiting = db.session.execute(
        select(OrderLine, Order)
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.product_id == product.id, OrderLine.qty_waiting > 0)
        .order_by(OrderLine.priority, OrderLine.placed_at, OrderLine.id)
        .limit(WAITING_SHOWN)
    ).all()
    return ScanResult(
        "product",
        product,
        {
            "stock": inventory.stock_by_location(product.id),
            "availability": availability.for_product(product.id),
            "waiting": waiting,
        },
    )
