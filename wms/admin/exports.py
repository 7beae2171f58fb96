"""CSV exports in exactly the formats the import reads, so a round trip changes nothing."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from wms.admin.formats import LOCATION_COLUMNS, PRODUCT_COLUMNS, STOCK_COLUMNS, write_csv
from wms.extensions import db
from wms.inventory.fields import BarcodeSpec
from wms.inventory.models import Barcode, Location, Product, Stock


def export_products() -> str:
    barcodes: dict[int, list[BarcodeSpec]] = defaultdict(list)
    for b in db.session.execute(
        select(Barcode.product_id, Barcode.code, Barcode.kind, Barcode.units).order_by(Barcode.id)
    ):
        barcodes[b.product_id].append(BarcodeSpec(b.code, b.kind, b.units))
    attrs = [c.attr for c in PRODUCT_COLUMNS if c.attr != "barcodes"]
    rows = db.session.execute(
        select(Product.id, *[getattr(Product, a) for a in attrs]).order_by(Product.sku)
    ).mappings()
    records: list[dict[str, Any]] = [
        {**row, "barcodes": barcodes.get(row["id"], [])} for row in rows
    ]
    return write_csv(PRODUCT_COLUMNS, records)


def export_locations() -> str:
    attrs = [c.attr for c in LOCATION_COLUMNS]
    rows = db.session.execute(
        select(*[getattr(Location, a) for a in attrs]).order_by(Location.walk_seq, Location.code)
    ).mappings()
    return write_csv(LOCATION_COLUMNS, rows)


def export_stock() -> str:
    """On-hand by product and location: the opening stock of a warehouse set up from it."""
    rows = db.session.execute(
        select(Product.sku, Location.code.label("location"), Stock.qty_on_hand.label("qty"))
        .join(Product, Product.id == Stock.product_id)
        .join(Location, Location.id == Stock.location_id)
        .where(Stock.qty_on_hand > 0)
        .order_by(Product.sku, Location.walk_seq, Location.code)
    ).mappings()
    return write_csv(STOCK_COLUMNS, rows)
