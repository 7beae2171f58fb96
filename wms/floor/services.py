"""Scan anything: whatever is scanned, say what it is and what it holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from wms.core import availability
from wms.core.codes import command_of
from wms.core.errors import InvalidInput, UnknownCode
from wms.extensions import db
from wms.inbounds.models import Inbound
from wms.inventory import services as inventory
from wms.orders.models import Order, OrderLine, order_id_from_number

WAITING_SHOWN = 10


@dataclass
class ScanResult:
    kind: str  # product | location | order | inbound
    subject: Any
    details: dict[str, Any]


def scan_anything(code: str) -> ScanResult:
    code = code.strip()
    if not code:
        raise InvalidInput("Scan or type a code.")
    if command_of(code):
        raise InvalidInput(f"{code} is a command barcode; there is nothing to look up.")
    found = inventory.find_product(code)
    if found is not None:
        return _product_result(found.product)
    location = inventory.find_location(code)
    if location is not None:
        return ScanResult(
            "location",
            location,
            {
                "contents": inventory.location_contents(location.id),
                "units": inventory.units_in_location(location.id),
            },
        )
    order_id = order_id_from_number(code)
    if order_id is not None:
        order = db.session.get(Order, order_id)
        if order is not None:
            return ScanResult("order", order, {"lines": order.lines})
    inbound = db.session.scalar(select(Inbound).where(Inbound.reference == code))
    if inbound is not None:
        return ScanResult("inbound", inbound, {"lines": inbound.lines})
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
