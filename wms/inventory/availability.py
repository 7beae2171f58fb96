"""What can be promised, from one place.

* available to promise (ATP) = sellable on-hand - reserved
* published to channels       = max(0, ATP - safety stock)
* preorder availability       = cap - units preordered (before release only)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from wms.base.clock import today
from wms.extensions import db
from wms.inventory.models import Product, ProductStock
from wms.inventory.schemas import AvailabilityOut


@dataclass(frozen=True)
class Availability:
    product_id: int
    sku: str
    on_hand: int
    reserved: int
    atp: int
    published: int
    waiting: int
    preorder: bool
    preorder_available: int | None
    release_on: date | None


def compute(row: dict[str, Any], day: date | None = None) -> Availability:
    """The three figures for one product from its counters and settings."""
    day = day or today()
    sellable = row.get("qty_sellable") or 0
    reserved = row.get("qty_reserved") or 0
    atp = sellable - reserved
    release_on = row.get("release_on")
    preorder = release_on is not None and day < release_on
    cap = row.get("preorder_cap")
    preorder_available = None
    if preorder and cap is not None:
        preorder_available = max(0, cap - (row.get("qty_preordered") or 0))
    return Availability(
        product_id=row["product_id"],
        sku=row["sku"],
        on_hand=sellable,
        reserved=reserved,
        atp=atp,
        published=0 if preorder else max(0, atp - (row.get("safety_stock") or 0)),
        waiting=row.get("qty_waiting") or 0,
        preorder=preorder,
        preorder_available=preorder_available,
        release_on=release_on,
    )


def _query() -> Any:
    ps = ProductStock.__table__
    return select(
        Product.id.label("product_id"),
        Product.sku,
        Product.safety_stock,
        Product.release_on,
        Product.preorder_cap,
        func.coalesce(ps.c.qty_sellable, 0).label("qty_sellable"),
        func.coalesce(ps.c.qty_reserved, 0).label("qty_reserved"),
        func.coalesce(ps.c.qty_preordered, 0).label("qty_preordered"),
        func.coalesce(ps.c.qty_waiting, 0).label("qty_waiting"),
    ).outerjoin(ps, ps.c.product_id == Product.id)


def for_products(product_ids: list[int]) -> dict[int, Availability]:
    rows = db.session.execute(_query().where(Product.id.in_(product_ids))).mappings()
    return {row["product_id"]: compute(dict(row)) for row in rows}


def for_product(product_id: int) -> Availability:
    return for_products([product_id])[product_id]


def page(skus: list[str] | None, after_id: int, limit: int) -> list[Availability]:
    """Active products in id order, for the channel API."""
    stmt = _query().where(Product.active.is_(True))
    if skus:
        stmt = stmt.where(Product.sku.in_(skus))
    stmt = stmt.where(Product.id > after_id).order_by(Product.id).limit(limit)
    return [compute(dict(row)) for row in db.session.execute(stmt).mappings()]


def availability_out(a: Availability) -> AvailabilityOut:
    """Availability as channels see it (the API's answer; webhooks send it as JSON)."""
    return AvailabilityOut(
        sku=a.sku,
        available=a.published,
        available_to_promise=a.atp,
        on_hand=a.on_hand,
        reserved=a.reserved,
        backordered=a.waiting,
        preorder=a.preorder,
        preorder_available=a.preorder_available,
        release_on=a.release_on,
    )
