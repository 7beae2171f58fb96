"""Rework, quarantine and exceptions queues: what waits there for a supervisor, with the
returned items among it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product, Stock
from wms.returns.models import ReturnItem


@dataclass
class QueueRow:
    location_id: int
    location_code: str
    kind: str
    product_id: int
    sku: str
    name: str
    qty: int
    items: list[Any] = field(default_factory=list)  # open returned items here, oldest first

    @property
    def since(self) -> datetime | None:
        return self.items[0].received_at if self.items else None


def queue(kind: str) -> list[QueueRow]:
    """Units in the locations of one kind, per place and product, with the returns among them."""
    rows = [
        QueueRow(*r)
        for r in db.session.execute(
            select(
                Location.id,
                Location.code,
                Location.kind,
                Product.id,
                Product.sku,
                Product.name,
                Stock.qty_on_hand,
            )
            .join(Stock, Stock.location_id == Location.id)
            .join(Product, Product.id == Stock.product_id)
            .where(Location.kind == kind, Stock.qty_on_hand > 0)
            .order_by(Location.walk_seq, Location.code, Product.sku)
        )
    ]
    items = _open_items([r.location_id for r in rows])
    for r in rows:
        r.items = items.get((r.location_id, r.product_id), [])
    return rows


def unknown_items() -> list[Any]:
    """Items with a barcode nobody knows, waiting at exceptions (they never entered stock)."""
    return db.session.execute(
        select(
            items_t.c.id,
            items_t.c.rma_id,
            items_t.c.scanned_code,
            items_t.c.note,
            items_t.c.received_at,
            Location.code.label("location_code"),
        )
        .join(Location, Location.id == items_t.c.location_id)
        .where(items_t.c.product_id.is_(None), items_t.c.settled_at.is_(None))
        .order_by(items_t.c.id)
    ).all()


def _open_items(location_ids: list[int]) -> dict[tuple[int, int], list[Any]]:
    if not location_ids:
        return {}
    rows = db.session.execute(
        select(
            items_t.c.id,
            items_t.c.location_id,
            items_t.c.product_id,
            items_t.c.rma_id,
            items_t.c.qty,
            items_t.c.grade,
            items_t.c.note,
            items_t.c.received_at,
        )
        .where(items_t.c.location_id.in_(location_ids), items_t.c.settled_at.is_(None))
        .where(items_t.c.product_id.is_not(None))
        .order_by(items_t.c.id)
    ).all()
    out: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for r in rows:
        out[(r.location_id, r.product_id)].append(r)
    return out


def queue_counts() -> dict[str, int]:
    """Units waiting per kind of place, for the desk's headline."""
    rows = db.session.execute(
        select(Location.kind, func.coalesce(func.sum(Stock.qty_on_hand), 0))
        .join(Stock, Stock.location_id == Location.id)
        .where(Location.kind.in_([k.value for k in QUEUE_KINDS]))
        .group_by(Location.kind)
    ).all()
    counts = {k.value: 0 for k in QUEUE_KINDS}
    counts.update({kind: int(n) for kind, n in rows})
    return counts


items_t = ReturnItem.__table__
QUEUE_KINDS = (LocationKind.REWORK, LocationKind.QUARANTINE, LocationKind.EXCEPTIONS)
