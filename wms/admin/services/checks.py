"""What the checks of CSV rows share: the result of a check and the look-ups in chunks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import func, select

from wms.admin.queries import chunks
from wms.admin.rules import Table, read_row
from wms.extensions import db
from wms.inventory.models import Location, Product


@dataclass
class CheckResult:
    problems: list[tuple[int, str]] = field(default_factory=list)
    summary: Counter[str] = field(default_factory=Counter)
    plans: list[Any] = field(default_factory=list)  # what each good row will do, for apply


class Checker(Protocol):
    def check(self, table: Table, start: int, end: int) -> CheckResult: ...

    def apply(self, table: Table, result: CheckResult, job_id: int, user_id: int | None) -> int: ...


def parse_rows(table: Table, start: int, end: int) -> list[tuple[int, dict[str, Any], list[str]]]:
    return [(line, *read_row(table, cells)) for line, cells in table.rows[start:end]]


def barcode_codes(cell: str) -> list[str]:
    """The codes in a barcodes cell, read leniently (the strict read reports the errors)."""
    codes = []
    for entry in cell.split(";"):
        parts = [p.strip() for p in entry.split(":")]
        if parts and parts[0]:
            codes.append(parts[0] if len(parts) == 1 else parts[1])
    return codes


PRODUCT_DEFAULTS: dict[str, Any] = {
    "active": True,
    "weight_g": 0,
    "length_mm": 0,
    "width_mm": 0,
    "height_mm": 0,
    "unit_cost_cents": 0,
    "allow_backorder": True,
    "safety_stock": 0,
    "release_on": None,
    "preorder_cap": None,
    "estimated_ship_on": None,
}


PRODUCT_FIELDS = ("name", *PRODUCT_DEFAULTS)


def products_by_sku(skus: list[str]) -> dict[str, Any]:
    """Existing products for these SKUs, keyed by lower case (so a case slip is caught)."""
    found: dict[str, Any] = {}
    cols = [Product.id, Product.sku, *[getattr(Product, k) for k in PRODUCT_FIELDS]]
    for chunk in chunks(skus):
        for row in db.session.execute(select(*cols).where(Product.sku.in_(chunk))):
            found[row.sku.lower()] = row
    missing = [s.lower() for s in skus if s.lower() not in found]
    for chunk in chunks(missing):
        for row in db.session.execute(select(*cols).where(func.lower(Product.sku).in_(chunk))):
            found.setdefault(row.sku.lower(), row)
    return found


def locations_by_code(codes: list[str]) -> dict[str, Location]:
    found: dict[str, Location] = {}
    for chunk in chunks(codes):
        rows = db.session.scalars(select(Location).where(Location.code.in_(chunk)))
        found.update({loc.code: loc for loc in rows})
    return found
