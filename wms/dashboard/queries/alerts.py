"""Alerts: what is wrong right now by the thresholds in force, and the alerts raised."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from wms.base.clock import iso, local_date, utcnow
from wms.base.i18n import Text, _, n_
from wms.base.numbers import order_number
from wms.core.models import LaneAssignment, LineKind, Order, OrderLine, OrderStatus
from wms.dashboard.models import DEFAULT_THRESHOLDS, Alert, AlertKind, AlertRule
from wms.dashboard.queries import tiles
from wms.extensions import db
from wms.i18n import format_date, format_decimal, format_number, format_percent
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
            Product.release_on.is_(None) | (Product.release_on <= local_date(now)),
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
            {"lines": int(count), "oldest": iso(oldest), "threshold": days},
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
            {"since": iso(first), "hours": round((now - first).total_seconds() / 3600)},
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
            {
                "short": row.short,
                "release_on": iso(row.release_on),
                "preordered": int(row.preordered),
                "supply": int(row.on_hand + row.inbound),
            },
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
            {"rate": rate, "threshold": percent},
        )
    ]


def describe(kind: str, subject: str, details: dict[str, Any]) -> Text:
    """What an alert says, from its figures, in the reader's language and number forms.

    The record keeps the sentence as written (the channels read it in English); the
    pages show this one."""
    if kind == AlertKind.LOW_STOCK:
        return _(
            "%(sku)s: %(cover)s days of cover left (%(available)s available, "
            "%(per_day)s sold a day).",
            sku=subject,
            cover=format_decimal(details["days_of_cover"], "#,##0.0"),
            available=format_number(details["available"]),
            per_day=format_decimal(details["per_day"], "#,##0.0"),
        )
    if kind == AlertKind.BACKLOG_AGE:
        return n_(
            "%(num)s backorder line has waited more than %(days)s days (since %(oldest)s).",
            "%(num)s backorder lines have waited more than %(days)s days "
            "(the oldest since %(oldest)s).",
            details["lines"],
            days=format_number(details["threshold"]),
            oldest=format_date(datetime.fromisoformat(details["oldest"])),
        )
    if kind == AlertKind.DOCK_DWELL:
        return n_(
            "%(order)s has waited in its lane for %(num)s hour.",
            "%(order)s has waited in its lane for %(num)s hours.",
            details["hours"],
            order=subject,
        )
    if kind == AlertKind.PREORDER_SUPPLY:
        return _(
            "%(sku)s: %(preordered)s preordered but only %(supply)s on hand or inbound "
            "before release on %(day)s.",
            sku=subject,
            preordered=format_number(details["preordered"]),
            supply=format_number(details["supply"]),
            day=format_date(date.fromisoformat(details["release_on"])),
        )
    if kind == AlertKind.BACKORDER_RATE:
        return _(
            "%(rate)s of order lines were backordered in the last 7 days "
            "(threshold %(threshold)s).",
            rate=format_percent(details["rate"] / 100, 1),
            threshold=format_percent(details["threshold"] / 100, 1),
        )
    raise KeyError(kind)


def shown_message(alert: Alert) -> Text | str:
    """An alert's words in the reader's language; an alert recorded before its figures were
    kept reads as it was written."""
    try:
        return describe(alert.kind, alert.subject, alert.details or {})
    except (KeyError, TypeError, ValueError):
        return alert.message


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
