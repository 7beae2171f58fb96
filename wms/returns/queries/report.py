"""The returns report: by reason, by product, and the return rate of each product over a period.

Return rate = units that came back in the period / units shipped in the
period (the ledger's ``ship`` movements). Products whose rate is above the
threshold are flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, literal, select, union_all

from wms.base.clock import day_start
from wms.core.ledger import Reason
from wms.extensions import db
from wms.inventory.models import Movement, Product
from wms.returns.models import Grade, ReturnAuthorisation, ReturnItem, ReturnLine, ReturnStatus

DEFAULT_DAYS = 30
DEFAULT_THRESHOLD_PCT = 10.0
PRODUCTS_SHOWN = 200


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def since(self) -> datetime:
        return day_start(self.start)

    @property
    def until(self) -> datetime:
        return day_start(self.end + timedelta(days=1))


@dataclass(frozen=True)
class ReasonRow:
    reason: str
    returns: int  # RMAs with a line for this reason
    authorised: int
    received: int


@dataclass(frozen=True)
class ProductRow:
    sku: str
    name: str
    authorised: int  # units authorised on RMAs made in the period
    returned: int  # units that came back in the period
    resellable: int
    rework: int
    damaged: int
    shipped: int  # units shipped in the period
    flagged: bool

    @property
    def rate_pct(self) -> float | None:
        return round(100.0 * self.returned / self.shipped, 1) if self.shipped else None


@dataclass(frozen=True)
class ProductPage:
    rows: list[ProductRow]  # the highest return rates first, at most PRODUCTS_SHOWN
    products: int  # products returned in the period, all of them
    flagged: int  # of which above the threshold


@dataclass(frozen=True)
class Report:
    period: Period
    threshold_pct: float
    by_reason: list[ReasonRow]
    by_product: ProductPage

    @property
    def flagged(self) -> list[ProductRow]:
        return [p for p in self.by_product.rows if p.flagged]


def returns_report(period: Period, threshold_pct: float = DEFAULT_THRESHOLD_PCT) -> Report:
    return Report(period, threshold_pct, by_reason(period), by_product(period, threshold_pct))


def by_reason(period: Period) -> list[ReasonRow]:
    """RMAs made in the period, per reason: how many, units authorised and received."""
    rma = ReturnAuthorisation
    rows = db.session.execute(
        select(
            ReturnLine.reason,
            func.count(func.distinct(ReturnLine.rma_id)),
            func.sum(ReturnLine.qty_authorised),
            func.sum(ReturnLine.qty_received),
        )
        .join(rma, rma.id == ReturnLine.rma_id)
        .where(
            rma.created_at >= period.since,
            rma.created_at < period.until,
            rma.status != ReturnStatus.CANCELLED,
        )
        .group_by(ReturnLine.reason)
        .order_by(func.sum(ReturnLine.qty_authorised).desc(), ReturnLine.reason)
    ).all()
    return [ReasonRow(r[0], int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in rows]


def by_product(period: Period, threshold_pct: float, limit: int = PRODUCTS_SHOWN) -> ProductPage:
    """Per product returned in the period: what came back and how, against what shipped.

    One pass over each source (RMA lines, returned items, the ledger's ship
    movements), summed per product in one statement; highest return rates
    first, so the flagged products lead and a long tail is cut at ``limit``
    rows (the totals still count them all).
    """
    flows = _flows(period)
    summed = (
        select(
            flows.c.product_id,
            *(func.sum(flows.c[name]).label(name) for name in FIGURES),
        )
        .group_by(flows.c.product_id)
        .having(func.sum(flows.c.authorised) + func.sum(flows.c.returned) > 0)
        .subquery()
    )
    rate = case((summed.c.shipped > 0, 100.0 * summed.c.returned / summed.c.shipped), else_=None)
    flagged = case((rate > threshold_pct, 1), else_=0)
    rows = db.session.execute(
        select(
            Product.sku,
            Product.name,
            *(summed.c[name] for name in FIGURES),
            flagged,
            func.count().over(),
            func.sum(flagged).over(),
        )
        .join(Product, Product.id == summed.c.product_id)
        .order_by(rate.desc().nulls_last(), summed.c.returned.desc(), Product.sku)
        .limit(limit)
    ).all()
    products = [
        ProductRow(r[0], r[1], *(int(v or 0) for v in r[2:8]), flagged=bool(r[8])) for r in rows
    ]
    total = int(rows[0][9]) if rows else 0
    flagged_total = int(rows[0][10] or 0) if rows else 0
    return ProductPage(products, total, flagged_total)


def _flows(period: Period) -> Any:
    """Per row of each source, the figures it adds to a product (zero for the others)."""
    rma, rl, item, mv = (
        ReturnAuthorisation.__table__,
        ReturnLine.__table__,
        ReturnItem.__table__,
        Movement.__table__,
    )

    def row(product_id: Any, **figures: Any) -> list[Any]:
        """One source's columns, in FIGURES order, zero where it says nothing."""
        return [
            product_id.label("product_id"),
            *(figures.get(name, literal(0)).label(name) for name in FIGURES),
        ]

    return union_all(
        select(*row(rl.c.product_id, authorised=rl.c.qty_authorised))
        .join(rma, rma.c.id == rl.c.rma_id)
        .where(
            rma.c.created_at >= period.since,
            rma.c.created_at < period.until,
            rma.c.status != ReturnStatus.CANCELLED,
        ),
        select(
            *row(
                item.c.product_id,
                returned=item.c.qty,
                resellable=_qty_if(item, Grade.RESELLABLE),
                rework=_qty_if(item, Grade.REWORK),
                damaged=_qty_if(item, Grade.DAMAGED),
            )
        ).where(
            item.c.received_at >= period.since,
            item.c.received_at < period.until,
            item.c.return_line_id.is_not(None),
            item.c.grade != Grade.NOT_OURS,
        ),
        select(*row(mv.c.product_id, shipped=mv.c.qty)).where(
            mv.c.reason == Reason.SHIP,
            mv.c.created_at >= period.since,
            mv.c.created_at < period.until,
        ),
    ).subquery()


FIGURES = ("authorised", "returned", "resellable", "rework", "damaged", "shipped")


def _qty_if(item: Any, grade: str) -> Any:
    return case((item.c.grade == grade, item.c.qty), else_=0)
