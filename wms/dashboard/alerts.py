"""Alerts: conditions checked against admin thresholds, raised once, cleared when gone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from wms.base.clock import iso, utcnow
from wms.base.numbers import order_number
from wms.channels import outbox
from wms.core.models import LaneAssignment, LineKind, Order, OrderLine, OrderStatus
from wms.dashboard import tiles
from wms.dashboard.models import DEFAULT_THRESHOLDS, UNITS, Alert, AlertKind, AlertRule
from wms.database import is_postgres
from wms.extensions import db
from wms.inventory.models import Product, ProductStock

# A key of our own for the transaction-scoped advisory lock of ``evaluate``.
EVALUATE_LOCK_KEY = 5_431_010


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


def set_threshold(kind: str, threshold: float, enabled: bool) -> AlertRule:
    rule = db.session.get(AlertRule, kind)
    if rule is None:
        rule = AlertRule(kind=kind, threshold=threshold, enabled=enabled)
        db.session.add(rule)
    rule.threshold = threshold
    rule.enabled = enabled
    return rule


def conditions(now: datetime | None = None) -> list[Condition]:
    """What is wrong right now, by the thresholds in force."""
    now = now or utcnow()
    found: list[Condition] = []
    for kind, (threshold, enabled) in thresholds().items():
        if enabled:
            found.extend(CHECKS[kind](threshold, now))
    return found


def evaluate(now: datetime | None = None) -> tuple[int, int]:
    """Raise new alerts and clear those whose condition is gone; returns (raised, cleared).

    One check at a time (the worker's and a supervisor's at the same moment):
    each reads the alerts the one before it left, so an alert is raised and
    cleared once, and told once.
    """
    if is_postgres():
        db.session.execute(select(func.pg_advisory_xact_lock(EVALUATE_LOCK_KEY)))
    now = now or utcnow()
    current = {(c.kind, c.subject): c for c in conditions(now)}
    open_alerts = {
        (a.kind, a.subject): a
        for a in db.session.scalars(select(Alert).where(Alert.cleared_at.is_(None)))
    }
    raised = cleared = 0
    for key, condition in current.items():
        alert = open_alerts.get(key)
        if alert is None:
            alert = Alert(
                kind=condition.kind,
                subject=condition.subject,
                message=condition.message,
                details=condition.details,
                started_at=now,
            )
            db.session.add(alert)
            db.session.flush()
            _announce("alert.raised", alert)
            raised += 1
        else:
            alert.message = condition.message
            alert.details = condition.details
    for key, alert in open_alerts.items():
        if key not in current:
            alert.cleared_at = now
            _announce("alert.cleared", alert)
            cleared += 1
    return raised, cleared


def _announce(event_type: str, alert: Alert) -> None:
    outbox.emit_to_all(
        event_type,
        f"alert:{alert.kind}:{alert.subject}",
        {
            "alert_id": alert.id,
            "kind": alert.kind,
            "subject": alert.subject,
            "message": alert.message,
            "started_at": iso(alert.started_at),
            "cleared_at": iso(alert.cleared_at),
        },
    )


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


def describe_threshold(kind: str, value: float) -> str:
    return f"{value:g} {UNITS[AlertKind(kind)]}"
