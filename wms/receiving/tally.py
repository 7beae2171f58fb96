"""The running tally of an inbound: received against expected, per line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam, func, select

from wms.core.models import InboundLine
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Product
from wms.receiving.models import DockUnit


@dataclass(frozen=True)
class TallyLine:
    sku: str
    name: str
    expected: int
    received: int
    damaged: int

    @property
    def short(self) -> int:
        return max(0, self.expected - self.received)

    @property
    def over(self) -> int:
        return max(0, self.received - self.expected)


def _tally_lines() -> Any:
    """The columns of a ``TallyLine``, per inbound line."""
    return select(
        Product.sku,
        Product.name,
        InboundLine.qty_expected,
        InboundLine.qty_received,
        InboundLine.qty_damaged,
    ).join(Product, Product.id == InboundLine.product_id)


def tally(inbound_id: int, product_ids: list[int] | None = None) -> list[TallyLine]:
    """Received against expected, per line of the inbound (or for some products only)."""
    stmt = _tally_lines().where(InboundLine.inbound_id == inbound_id).order_by(InboundLine.id)
    if product_ids is not None:
        stmt = stmt.where(InboundLine.product_id.in_(product_ids))
    return [TallyLine(*row) for row in db.session.execute(stmt)]


@dataclass(frozen=True)
class TallySummary:
    lines: int
    lines_started: int
    expected: int
    received: int
    damaged: int


def tally_summary(inbound_id: int) -> TallySummary:
    row = db.session.execute(_summary(), {"inbound_id": inbound_id}).one()
    return TallySummary(*(int(v) for v in row))


@prebuilt
def _summary() -> Any:
    il = InboundLine.__table__
    return select(
        func.count(),
        func.count().filter(il.c.qty_received > 0),
        func.coalesce(func.sum(il.c.qty_expected), 0),
        func.coalesce(func.sum(il.c.qty_received), 0),
        func.coalesce(func.sum(il.c.qty_damaged), 0),
    ).where(il.c.inbound_id == bindparam("inbound_id"))


def recent_tally(
    inbound_id: int, user_id: int, limit: int = 8
) -> tuple[list[TallyLine], TallySummary]:
    """The lines this receiver scanned last, most recent first, and the whole inbound's
    summary: the tally at a glance."""
    rows = db.session.execute(
        _recent(), {"inbound_id": inbound_id, "user_id": user_id, "limit": limit}
    )
    # The summary is its own query: joined to these rows, PostgreSQL would sum
    # the inbound's lines once per row.
    return [TallyLine(*row) for row in rows], tally_summary(inbound_id)


@prebuilt
def _recent() -> Any:
    recent = (
        select(DockUnit.product_id, func.max(DockUnit.id).label("last"))
        .where(
            DockUnit.inbound_id == bindparam("inbound_id"),
            DockUnit.received_by == bindparam("user_id"),
            DockUnit.product_id.is_not(None),
        )
        .group_by(DockUnit.product_id)
        .order_by(func.max(DockUnit.id).desc())
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
    return (
        _tally_lines()
        .join(recent, recent.c.product_id == InboundLine.product_id)
        .where(InboundLine.inbound_id == bindparam("inbound_id"))
        .order_by(recent.c.last.desc())
    )
