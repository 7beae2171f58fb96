"""Alerts: what is wrong right now by the thresholds in force, and the alerts raised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from wms.base.clock import iso, utcnow
from wms.base.numbers import order_number
from wms.core.models import LaneAssignment, LineKind, Order, OrderLine, OrderStatus
from wms.dashboard.models import DEFAULT_THRESHOLDS, Alert, AlertKind, AlertRule
from wms.dashboard.queries import tiles
from wms.extensions import db
from wms.inventory.models import Product, ProductStock


@dataclass(frozen=True)
class Condition:
    kind: str
    subject: str
    message: str
    details: dict[str, Any]


def thresholds() -> dict[str, tuple[float, bool]]:
    """Every alert kind's threshold and whether it is on (defaults until an admin sets them)."""
    saved = {r.kind: (r.threshold, r.enabled) for r in db.session.scalars(select(AlertRule))}
    return {k.value: saved.get(k.value, (v, True)) for k, v in DEFAULT_THRESHOLDS.items()}


def conditions(now: datetime | None = None) -> list[Condition]:
    """What is wrong right now, by the thresholds in force."""
    now = now or utcnow()
    found: list[Condition] = []
    for kind, (threshold, enabled) in thresholds().items():
        if enabled:
            found.extend(CHECKS[kind](threshold, now))
    return found


def _low_stock(days: float, now: datetime) -> list[Condition]:
    o = Order.__table__
    ol = OrderLine.__table__
    demand = (
        select(ol.c.product_id, func.sum(ol.c.qty).label("qty"))
        .join(o, o.c.id == ol.c.order_id)
        .where(o.c.created_at >= now - timedelta(days=14))
        .group_by(ol.c.product_id)
        .subquery()
    )
    ps = ProductStock.__table__
    rows = db.session.execute(
        select(Product.sku, demand.c.qty, ps.c.qty_sellable - ps.c.qty_reserved)
        .join(demand, demand.c.product_id == Product.id)
        .join(ps, ps.c.product_id == Product.id)
        .where(
            Product.active.is_(True),
            Product.release_on.is_(None) | (Product.release_on <= now.date()),
        )
    ).all()
    out = []
    for sku, qty, atp in rows:
        per_day = float(qty) / 14.0
        cover = max(0, atp) / per_day if per_day else None
        if cover is not None and cover < days:
            out.append(
                Condition(
                    AlertKind.LOW_STOCK,
                    sku,
                    f"{sku}: {cover:.1f} days of cover left ({atp} available, "
                    f"{per_day:.1f} sold a day).",
                    {
                        "days_of_cover": round(cover, 1),
                        "available": int(atp),
                        "per_day": round(per_day, 2),
                    },
                )
            )
    return out


def _backlog_age(days: float, now: datetime) -> list[Condition]:
    ol = OrderLine.__table__
    count, oldest = db.session.execute(
        select(func.count(), func.min(ol.c.placed_at)).where(
            ol.c.qty_waiting > 0,
            ol.c.kind == LineKind.BACKORDER,
            ol.c.placed_at < now - timedelta(days=days),
        )
    ).one()
    if not count:
        return []
    return [
        Condition(
            AlertKind.BACKLOG_AGE,
            "backorders",
            f"{count} backorder line(s) have waited more than {days:g} days "
            f"(oldest since {oldest:%Y-%m-%d}).",
            {"lines": int(count), "oldest": iso(oldest)},
        )
    ]


def _dock_dwell(hours: float, now: datetime) -> list[Condition]:
    la = LaneAssignment.__table__
    o = Order.__table__
    rows = db.session.execute(
        select(la.c.order_id, la.c.first_unit_at)
        .join(o, o.c.id == la.c.order_id)
        .where(
            la.c.released_at.is_(None),
            la.c.first_unit_at < now - timedelta(hours=hours),
            o.c.status.not_in((OrderStatus.SHIPPED, OrderStatus.CANCELLED)),
        )
    ).all()
    return [
        Condition(
            AlertKind.DOCK_DWELL,
            order_number(order_id),
            f"{order_number(order_id)} has waited in its lane for "
            f"{(now - first).total_seconds() / 3600:.0f} hours.",
            {"since": iso(first)},
        )
        for order_id, first in rows
    ]


def _preorder_supply(margin: float, now: datetime) -> list[Condition]:
    return [
        Condition(
            AlertKind.PREORDER_SUPPLY,
            row.sku,
            f"{row.sku}: {row.preordered} preordered but only {row.on_hand + row.inbound} "
            f"on hand or inbound before release on {row.release_on}.",
            {"short": row.short, "release_on": iso(row.release_on)},
        )
        for row in tiles.preorders()
        if row.short > margin
    ]


def _backorder_rate(percent: float, now: datetime) -> list[Condition]:
    rate = tiles.backorder_rate(now, 0)
    if rate is None or rate <= percent:
        return []
    return [
        Condition(
            AlertKind.BACKORDER_RATE,
            "site",
            f"{rate:.1f}% of order lines were backordered in the last 7 days "
            f"(threshold {percent:g}%).",
            {"rate": rate},
        )
    ]


CHECKS = {
    AlertKind.LOW_STOCK: _low_stock,
    AlertKind.BACKLOG_AGE: _backlog_age,
    AlertKind.DOCK_DWELL: _dock_dwell,
    AlertKind.PREORDER_SUPPLY: _preorder_supply,
    AlertKind.BACKORDER_RATE: _backorder_rate,
}


def open_alerts(limit: int = 20) -> list[Alert]:
    """The alerts not yet cleared, newest first."""
    return list(
        db.session.scalars(
            select(Alert)
            .where(Alert.cleared_at.is_(None))
            .order_by(Alert.started_at.desc())
            .limit(limit)
        )
    )


def alert_history(number: int, per_page: int = 50) -> list[Alert]:
    """A page of every alert, newest first."""
    return list(
        db.session.scalars(
            select(Alert)
            .order_by(Alert.started_at.desc())
            .offset((number - 1) * per_page)
            .limit(per_page)
        )
    )
