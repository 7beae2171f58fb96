"""Adjustments by a supervisor (found, lost, damaged, scrapped) and what they were worth."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select

from wms.auth import audit
from wms.base.errors import Conflict, InvalidInput
from wms.core.ledger import Reason
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Product
from wms.inventory.services import require_location, require_product
from wms.stockcontrol.losses import put_in, take_out
from wms.stockcontrol.models import Adjustment, AdjustmentKind

MAX_QTY = 1_000_000


@dataclass(frozen=True)
class AdjustmentRequest:
    kind: str
    location_code: str
    product_code: str
    qty: int
    reason: str
    quarantine_code: str = ""


def adjust_stock(req: AdjustmentRequest, user_id: int | None) -> Adjustment:
    """Write one adjustment: its ledger movement, its row with the value, and the audit."""
    if req.kind not in {
        AdjustmentKind.FOUND,
        AdjustmentKind.LOST,
        AdjustmentKind.DAMAGED,
        AdjustmentKind.SCRAPPED,
    }:
        raise InvalidInput("Choose found, lost, damaged or scrapped.")
    if not 0 < req.qty <= MAX_QTY:
        raise InvalidInput("The quantity must be a whole number of at least 1.")
    reason = req.reason.strip()
    if len(reason) < 3:
        raise InvalidInput("Say why, in a few words: the reason is kept with the adjustment.")
    location = require_location(req.location_code)
    product = require_product(req.product_code).product
    to_location = None
    if req.kind == AdjustmentKind.DAMAGED:
        to_location = _quarantine(req.quarantine_code)
        if to_location.id == location.id:
            raise Conflict(f"{location.code} is the quarantine already; scrap the units instead.")
    elif req.kind == AdjustmentKind.FOUND and not location.active:
        raise Conflict(f"{location.code} is inactive; put found units in an active location.")
    adjustment = Adjustment(
        kind=req.kind,
        product_id=product.id,
        location_id=location.id,
        to_location_id=to_location.id if to_location else None,
        qty=req.qty,
        qty_change={"found": req.qty, "damaged": 0}.get(req.kind, -req.qty),
        unit_cost_cents=product.unit_cost_cents,
        reason=reason[:500],
        user_id=user_id,
    )
    db.session.add(adjustment)
    db.session.flush()
    ledger_reason = {
        AdjustmentKind.FOUND: Reason.ADJUST,
        AdjustmentKind.LOST: Reason.ADJUST,
        AdjustmentKind.DAMAGED: Reason.QUARANTINE,
        AdjustmentKind.SCRAPPED: Reason.SCRAP,
    }[AdjustmentKind(req.kind)]
    if req.kind == AdjustmentKind.FOUND:
        put_in(product.id, req.qty, location, ledger_reason, adjustment.reference, user_id)
    else:
        adjustment.qty_requeued = take_out(
            product.id, req.qty, location, to_location, ledger_reason, adjustment.reference, user_id
        )
    audit.record(
        user_id,
        f"adjustment.{req.kind}",
        "product",
        product.id,
        qty=req.qty,
        location=location.code,
        reason=reason[:200],
        adjustment=adjustment.id,
    )
    return adjustment


def _quarantine(code: str) -> Location:
    if code.strip():
        location = require_location(code)
        if location.kind != LocationKind.QUARANTINE:
            raise Conflict(f"{location.code} is not a quarantine location.")
        return location
    first = db.session.scalar(
        select(Location)
        .where(Location.kind == LocationKind.QUARANTINE, Location.active.is_(True))
        .order_by(Location.walk_seq, Location.id)
        .limit(1)
    )
    if first is None:
        raise Conflict(
            "There is no quarantine location to put damaged units in; an admin can add one."
        )
    return first


def quarantine_locations() -> list[Location]:
    return list(
        db.session.scalars(
            select(Location)
            .where(Location.kind == LocationKind.QUARANTINE, Location.active.is_(True))
            .order_by(Location.walk_seq, Location.code)
        )
    )


def recent_adjustments(limit: int = 50) -> list[Any]:
    return list(db.session.scalars(select(Adjustment).order_by(Adjustment.id.desc()).limit(limit)))


# --------------------------------------------------------------------- report


@dataclass
class KindTotal:
    kind: str
    units_in: int = 0
    units_out: int = 0
    value_in_cents: int = 0
    value_out_cents: int = 0


@dataclass
class ValueReport:
    start: date
    end: date  # inclusive
    kinds: list[KindTotal] = field(default_factory=list)
    products: list[Any] = field(default_factory=list)

    @property
    def net_cents(self) -> int:
        return sum(
            k.value_in_cents - k.value_out_cents
            for k in self.kinds
            if k.kind != AdjustmentKind.DAMAGED
        )

    @property
    def damaged_cents(self) -> int:
        return sum(k.value_out_cents for k in self.kinds if k.kind == AdjustmentKind.DAMAGED)


def value_report(start: date, end: date, top: int = 100) -> ValueReport:
    """Units and value gained and lost by adjustment kind over [start, end], and by product.

    Damaged units move to quarantine and stay in the building: they are shown
    apart and not counted in the net change of inventory value.
    """
    if end < start:
        raise InvalidInput("The period ends before it starts.")
    lo = datetime.combine(start, time.min)
    hi = datetime.combine(end + timedelta(days=1), time.min)
    a = Adjustment.__table__
    gain = a.c.qty_change > 0
    out = (a.c.qty_change < 0) | (a.c.kind == AdjustmentKind.DAMAGED)
    value = a.c.qty * a.c.unit_cost_cents
    rows = db.session.execute(
        select(
            a.c.kind,
            func.sum(case((gain, a.c.qty), else_=0)),
            func.sum(case((out, a.c.qty), else_=0)),
            func.sum(case((gain, value), else_=0)),
            func.sum(case((out, value), else_=0)),
        )
        .where(a.c.created_at >= lo, a.c.created_at < hi)
        .group_by(a.c.kind)
        .order_by(a.c.kind)
    ).all()
    report = ValueReport(start, end)
    report.kinds = [
        KindTotal(r[0], int(r[1] or 0), int(r[2] or 0), int(r[3] or 0), int(r[4] or 0))
        for r in rows
    ]
    signed = case(
        (a.c.kind == AdjustmentKind.DAMAGED, 0), else_=a.c.qty_change * a.c.unit_cost_cents
    )
    report.products = db.session.execute(
        select(
            Product.id,
            Product.sku,
            Product.name,
            func.sum(case((a.c.kind == AdjustmentKind.DAMAGED, 0), else_=a.c.qty_change)).label(
                "units"
            ),
            func.sum(signed).label("value_cents"),
            func.count().label("adjustments"),
        )
        .join(Product, Product.id == a.c.product_id)
        .where(a.c.created_at >= lo, a.c.created_at < hi)
        .group_by(Product.id, Product.sku, Product.name)
        .order_by(func.abs(func.sum(signed)).desc(), Product.sku)
        .limit(top)
    ).all()
    return report
