"""Reads for the set-up screens: product, location and user searches, import jobs and
their bad rows, and the CSV exports (in exactly the formats the import reads, so a
round trip changes nothing)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from wms.admin.models import ImportJob, ImportKind, ImportRowError
from wms.admin.rules import (
    LOCATION_COLUMNS,
    PRODUCT_COLUMNS,
    STOCK_COLUMNS,
    write_csv,
)
from wms.auth.models import Role, User
from wms.base.clock import today
from wms.base.i18n import _
from wms.channels.models import Channel
from wms.database import PER_PAGE, Page, like_pattern, paginate
from wms.extensions import db
from wms.inventory.fields import BarcodeSpec
from wms.inventory.models import Barcode, Location, LocationKind, Product, Stock


@dataclass(frozen=True)
class ProductFilter:
    q: str = ""
    status: str = "active"  # active | inactive | all
    backorder: str = ""  # "" | yes | no
    preorder: bool = False


def search_products(flt: ProductFilter, number: int, per_page: int = PER_PAGE) -> Page:
    stmt = select(Product)
    if flt.q.strip():
        words = flt.q.strip()
        by_barcode = select(Barcode.product_id).where(Barcode.code == words)
        pattern = like_pattern(words)
        stmt = stmt.where(
            or_(
                func.lower(Product.sku).like(pattern, escape="\\"),
                func.lower(Product.name).like(pattern, escape="\\"),
                Product.id.in_(by_barcode),
            )
        )
    if flt.status in ("active", "inactive"):
        stmt = stmt.where(Product.active.is_(flt.status == "active"))
    if flt.backorder in ("yes", "no"):
        stmt = stmt.where(Product.allow_backorder.is_(flt.backorder == "yes"))
    if flt.preorder:
        stmt = stmt.where(Product.release_on > today())
    return paginate(stmt.order_by(Product.sku), number, per_page)


def on_hand_by_location(product_id: int) -> list[Any]:
    return db.session.execute(
        select(Location.id, Location.code, Location.kind, Stock.qty_on_hand)
        .join(Location, Location.id == Stock.location_id)
        .where(Stock.product_id == product_id, Stock.qty_on_hand > 0)
        .order_by(Location.walk_seq, Location.code)
    ).all()


def existing_codes(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(codes), 500):
        found.update(
            db.session.scalars(select(Location.code).where(Location.code.in_(codes[i : i + 500])))
        )
    return found


@dataclass(frozen=True)
class LocationFilter:
    q: str = ""
    kind: str = ""
    zone: str = ""
    status: str = "active"
    flagged: bool = False


def filtered_locations(flt: LocationFilter) -> Any:
    stmt = select(Location)
    if flt.q.strip():
        pattern = like_pattern(flt.q)
        stmt = stmt.where(
            or_(
                func.lower(Location.code).like(pattern, escape="\\"),
                func.lower(Location.name).like(pattern, escape="\\"),
            )
        )
    if flt.kind in {k.value for k in LocationKind}:
        stmt = stmt.where(Location.kind == flt.kind)
    if flt.zone.strip():
        stmt = stmt.where(Location.zone == flt.zone.strip())
    if flt.status in ("active", "inactive"):
        stmt = stmt.where(Location.active.is_(flt.status == "active"))
    if flt.flagged:
        stmt = stmt.where(Location.count_requested_at.is_not(None))
    return stmt.order_by(Location.walk_seq, Location.code)


def search_locations(flt: LocationFilter, number: int, per_page: int = PER_PAGE) -> Page:
    return paginate(filtered_locations(flt), number, per_page)


def units_by_location(location_ids: list[int]) -> dict[int, int]:
    """Units on hand in each of these locations (those holding none are left out)."""
    held: dict[int, int] = {}
    for chunk in chunks(location_ids):
        rows = db.session.execute(
            select(Stock.location_id, func.sum(Stock.qty_on_hand))
            .where(Stock.location_id.in_(chunk))
            .group_by(Stock.location_id)
        )
        held.update({location_id: int(units or 0) for location_id, units in rows})
    return held


KEYS_PER_QUERY = 900  # under SQLite's variable limit with room to spare


def chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + KEYS_PER_QUERY] for i in range(0, len(items), KEYS_PER_QUERY)]


def zones() -> list[str]:
    return [
        z for z in db.session.scalars(select(Location.zone).distinct().order_by(Location.zone)) if z
    ]


def search_users(q: str, role: str, status: str, number: int) -> Page:
    stmt = select(User)
    if q.strip():
        pattern = like_pattern(q)
        stmt = stmt.where(
            or_(
                func.lower(User.username).like(pattern, escape="\\"),
                func.lower(User.full_name).like(pattern, escape="\\"),
                User.badge_code == q.strip(),
            )
        )
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    if status in ("active", "inactive"):
        stmt = stmt.where(User.active.is_(status == "active"))
    return paginate(stmt.order_by(User.username), number)


def list_channels() -> list[Channel]:
    return list(db.session.scalars(select(Channel).order_by(Channel.active.desc(), Channel.code)))


def job_errors(job_id: int, number: int, per_page: int = 100) -> Page:
    stmt = (
        select(ImportRowError)
        .where(ImportRowError.job_id == job_id)
        .order_by(ImportRowError.row_no, ImportRowError.id)
    )
    return paginate(stmt, number, per_page)


def all_errors(job_id: int) -> list[Any]:
    return db.session.execute(
        select(ImportRowError.row_no, ImportRowError.message)
        .where(ImportRowError.job_id == job_id)
        .order_by(ImportRowError.row_no, ImportRowError.id)
    ).all()


def errors_csv(job_id: int) -> str:
    """Every bad row of an import as CSV: its line in the file and the problem."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # A report people read (not a file the import reads): its header is in their language.
    writer.writerow([str(_("Row")), str(_("Problem"))])
    writer.writerows((r.row_no, r.message) for r in all_errors(job_id))
    return out.getvalue()


def recent_jobs(number: int) -> Page:
    return paginate(select(ImportJob).order_by(ImportJob.id.desc()), number, per_page=20)


def error_count(job_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count()).select_from(ImportRowError).where(ImportRowError.job_id == job_id)
        )
        or 0
    )


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


def products_with_ids(ids: list[int]) -> list[Product]:
    return list(
        db.session.scalars(select(Product).where(Product.id.in_(ids)).order_by(Product.sku))
    )


def locations_with_ids(ids: list[int]) -> list[Location]:
    return list(
        db.session.scalars(
            select(Location).where(Location.id.in_(ids)).order_by(Location.walk_seq, Location.code)
        )
    )


def users_with_ids(ids: list[int]) -> list[User]:
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.username)))


# What each kind of file is exported from.
EXPORTS = {
    ImportKind.PRODUCTS: export_products,
    ImportKind.LOCATIONS: export_locations,
    ImportKind.STOCK: export_stock,
}
