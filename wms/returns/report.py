"""The returns report: by reason, by product, and the return rate of each product over a period.

Return rate = units that came back in the period / units shipped in the
period (the ledger's ``ship`` movements). Products whose rate is above the
threshold are flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select

from wms.core.ledger import Reason
from wms.extensions import db
from wms.inventory.models import Movement, Product
from wms.returns.models import Grade, ReturnAuthorisation, ReturnItem, ReturnLine, ReturnStatus

DEFAULT_DAYS = 30
DEFAULT_THRESHOLD_PCT = 10.0


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time.min)


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
class Report:
    period: Period
    threshold_pct: float
    by_reason: list[ReasonRow]
    by_product: list[ProductRow]

    @property
    def flagged(self) -> list[ProductRow]:
        return [p for p in self.by_product if p.flagged]


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


def by_product(period: Period, threshold_pct: float) -> list[ProductRow]:
    """Per product returned in the period: what came back and how, against what shipped."""
    authorised = dict(
        db.session.execute(
            select(ReturnLine.product_id, func.sum(ReturnLine.qty_authorised))
            .join(ReturnAuthorisation, ReturnAuthorisation.id == ReturnLine.rma_id)
            .where(
                ReturnAuthorisation.created_at >= period.since,
                ReturnAuthorisation.created_at < period.until,
                ReturnAuthorisation.status != ReturnStatus.CANCELLED,
            )
            .group_by(ReturnLine.product_id)
        ).all()
    )
    graded = {
        r[0]: r[1:]
        for r in db.session.execute(
            select(
                ReturnItem.product_id,
                func.sum(ReturnItem.qty),
                _sum_if(ReturnItem.grade == Grade.RESELLABLE),
                _sum_if(ReturnItem.grade == Grade.REWORK),
                _sum_if(ReturnItem.grade == Grade.DAMAGED),
            )
            .where(
                ReturnItem.received_at >= period.since,
                ReturnItem.received_at < period.until,
                ReturnItem.return_line_id.is_not(None),
                ReturnItem.grade != Grade.NOT_OURS,
            )
            .group_by(ReturnItem.product_id)
        ).all()
    }
    product_ids = sorted(set(authorised) | set(graded))
    if not product_ids:
        return []
    shipped = _shipped(period, product_ids)
    products = {
        p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(product_ids)))
    }
    out = []
    for pid in product_ids:
        returned, resellable, rework, damaged = (int(v or 0) for v in graded.get(pid, (0,) * 4))
        ships = shipped.get(pid, 0)
        out.append(
            ProductRow(
                products[pid].sku,
                products[pid].name,
                int(authorised.get(pid) or 0),
                returned,
                resellable,
                rework,
                damaged,
                ships,
                flagged=bool(ships) and 100.0 * returned / ships > threshold_pct,
            )
        )
    out.sort(key=lambda r: (-(r.rate_pct or 0.0), -r.returned, r.sku))
    return out


def _sum_if(condition: object) -> object:
    return func.sum(case((condition, ReturnItem.qty), else_=0))  # type: ignore[arg-type]


def _shipped(period: Period, product_ids: list[int]) -> dict[int, int]:
    rows = db.session.execute(
        select(Movement.product_id, func.sum(Movement.qty))
        .where(
            Movement.reason == Reason.SHIP,
            Movement.created_at >= period.since,
            Movement.created_at < period.until,
            Movement.product_id.in_(product_ids),
        )
        .group_by(Movement.product_id)
    ).all()
    return {pid: int(qty or 0) for pid, qty in rows}
