"""What the returns bench shows under the answer: the return's lines, compactly."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from wms.extensions import db
from wms.inventory.models import Product
from wms.returns.models import (
    OPEN_FOR_RECEIVING,
    Grade,
    LabelStatus,
    ReturnAuthorisation,
    ReturnItem,
    ReturnLine,
)

LINES_SHOWN = 8


@dataclass(frozen=True)
class ExpectedLine:
    line_no: int
    sku: str
    name: str
    authorised: int
    received: int
    decision: str | None


@dataclass(frozen=True)
class BenchTotals:
    lines: int
    authorised: int
    received: int
    not_on_it: int  # items that came with the return but are not on it (or not ours)


def expected(rma_id: int, first_product_id: int | None = None) -> list[ExpectedLine]:
    """Up to eight lines: the item just scanned first, then those still open, in line order.

    A return of hundreds of lines stays a small answer on the handheld.
    """
    complete = ReturnLine.qty_received >= ReturnLine.qty_authorised
    rows = db.session.execute(
        select(
            ReturnLine.line_no,
            Product.sku,
            Product.name,
            ReturnLine.qty_authorised,
            ReturnLine.qty_received,
            ReturnLine.decision,
        )
        .join(Product, Product.id == ReturnLine.product_id)
        .where(ReturnLine.rma_id == rma_id)
        .order_by(
            case((ReturnLine.product_id == (first_product_id or -1), 0), else_=1),
            case((complete, 1), else_=0),
            ReturnLine.line_no,
        )
        .limit(LINES_SHOWN)
    )
    return [ExpectedLine(*row) for row in rows]


def totals(rma_id: int) -> BenchTotals:
    lines, authorised, received = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(ReturnLine.qty_authorised), 0),
            func.coalesce(func.sum(ReturnLine.qty_received), 0),
        ).where(ReturnLine.rma_id == rma_id)
    ).one()
    not_on_it = db.session.scalar(
        select(func.count()).where(ReturnItem.rma_id == rma_id, ReturnItem.grade == Grade.NOT_OURS)
    )
    return BenchTotals(int(lines), int(authorised), int(received), int(not_on_it or 0))


OPEN_SHOWN = 8


def incoming() -> list[ReturnAuthorisation]:
    """Open returns whose label is bought: the parcels that may arrive, newest first."""
    return list(
        db.session.scalars(
            select(ReturnAuthorisation)
            .where(
                ReturnAuthorisation.status.in_([s.value for s in OPEN_FOR_RECEIVING]),
                ReturnAuthorisation.label_status == LabelStatus.BOUGHT,
            )
            .order_by(ReturnAuthorisation.id.desc())
            .limit(OPEN_SHOWN)
        )
    )
