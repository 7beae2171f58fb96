"""Reads every area asks of products and places: what a scanned code names, what a place
holds (of every product, or of one), where a product is, which place of a kind comes first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, literal, select

from wms.base.codes import parse_short_code, product_code_forms
from wms.base.errors import UnknownCode
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Barcode, Location, Product, Stock


def units_in_location(location_id: int) -> int:
    """The units of every product a place holds (0 for an empty one)."""
    return int(db.session.scalar(_units_in_location(), {"lid": location_id}) or 0)


@prebuilt
def _units_in_location() -> Any:
    # Built once: the receive scan asks it of each bin it considers.
    return select(func.coalesce(func.sum(Stock.qty_on_hand), 0)).where(
        Stock.location_id == bindparam("lid")
    )


def units_of_product_in(product_id: int, location_id: int) -> int:
    """The units of one product a place holds (0 when it holds none)."""
    return int(
        db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product_id, Stock.location_id == location_id
            )
        )
        or 0
    )


def first_active_location(*kinds: str) -> Location | None:
    """The first active place of the first kind that has one, in walking order.

    Places at the same point of the walk are taken by code, as the floor lists
    them, so the one a screen names first is the one chosen.
    """
    for kind in kinds:
        found = db.session.scalar(_first_of_kind(), {"kind": kind})
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None


@prebuilt
def _first_of_kind() -> Any:
    return (
        select(Location)
        .where(Location.kind == bindparam("kind"), Location.active.is_(True))
        .order_by(Location.walk_seq, Location.code)
        .limit(1)
    )


@dataclass(frozen=True)
class ScannedProduct:
    product: Product
    units: int  # how many units the scan stands for (a case barcode, a GS1 count)


def find_product(code: str) -> ScannedProduct | None:
    """A product by barcode (in any of its GTIN forms), GS1-128 element string, SKU or
    its label's short code; None if nothing matches."""
    code = code.strip()
    if not code:
        return None
    short = parse_short_code(code)
    if short is not None:
        product = db.session.get(Product, short[1]) if short[0] == "P" else None
        return ScannedProduct(product, 1) if product is not None else None
    row = db.session.execute(
        select(Product, Barcode.units).join(Barcode).where(Barcode.code == code)
    ).first()
    if row is not None:
        return ScannedProduct(row[0], row[1])
    forms = product_code_forms(code)
    if forms is not None:
        row = db.session.execute(
            select(Product, Barcode.units).join(Barcode).where(Barcode.code.in_(forms.barcodes))
        ).first()
        if row is not None:
            return ScannedProduct(row[0], forms.count or row[1])
    product = db.session.scalar(select(Product).where(Product.sku == code))
    if product is None and code.upper() != code:
        product = db.session.scalar(select(Product).where(Product.sku == code.upper()))
    return ScannedProduct(product, 1) if product is not None else None


@prebuilt
def _location_or_barcode() -> Any:
    """The location and the product a code names, each None if none does: one row."""
    anchor = select(literal(1).label("one")).subquery()
    return (
        select(Location, Product, Barcode.units)
        .select_from(anchor)
        .outerjoin(Location, Location.code == bindparam("upper"))
        .outerjoin(Barcode, Barcode.code == bindparam("code"))
        .outerjoin(Product, Product.id == Barcode.product_id)
    )


def location_or_barcode(code: str) -> Location | ScannedProduct | None:
    """A location by its code or a product by a barcode exactly as scanned, in one round trip.

    The hot path of a scan. Other forms (GS1 element strings, other GTIN
    lengths, SKUs) and other kinds of codes are ``wms.core.recognise``'s.
    """
    code = code.strip()
    if not code:
        return None
    short = parse_short_code(code)
    if short is not None:
        return find_location(code) if short[0] == "L" else find_product(code)
    location, product, units = db.session.execute(
        _location_or_barcode(), {"code": code, "upper": code.upper()}
    ).one()
    if location is not None:
        return location  # type: ignore[no-any-return]
    if product is not None:
        return ScannedProduct(product, units)
    return None


def require_product(code: str) -> ScannedProduct:
    found = find_product(code)
    if found is None:
        raise UnknownCode(code, "product")
    return found


def find_location(code: str) -> Location | None:
    """A location by its code, or by its label's short code."""
    code = code.strip().upper()
    if not code:
        return None
    short = parse_short_code(code)
    if short is not None:
        return db.session.get(Location, short[1]) if short[0] == "L" else None
    return db.session.scalar(select(Location).where(Location.code == code))


def require_location(code: str) -> Location:
    location = find_location(code)
    if location is None:
        raise UnknownCode(code, "location")
    return location


def stock_by_location(product_id: int) -> list[Any]:
    """Where a product is, in walking order."""
    return db.session.execute(
        select(Location.code, Location.kind, Location.walk_seq, Stock.qty_on_hand)
        .join(Location, Location.id == Stock.location_id)
        .where(Stock.product_id == product_id, Stock.qty_on_hand > 0)
        .order_by(Location.kind != "bin", Location.walk_seq, Location.code)
    ).all()


def location_contents(location_id: int) -> list[Any]:
    return db.session.execute(
        select(Product.sku, Product.name, Stock.qty_on_hand)
        .join(Product, Product.id == Stock.product_id)
        .where(Stock.location_id == location_id, Stock.qty_on_hand > 0)
        .order_by(Product.sku)
    ).all()
