"""Alert thresholds set by admins, and the alerts raised and cleared against them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from wms.base.clock import utcnow
from wms.base.i18n import N_
from wms.extensions import db


class AlertKind(StrEnum):
    LOW_STOCK = "low_stock"  # days of cover below N
    BACKLOG_AGE = "backlog_age"  # a backorder older than N days
    DOCK_DWELL = "dock_dwell"  # a cross-docked order waiting in its lane over N hours
    PREORDER_SUPPLY = "preorder_supply"  # preorders above stock and inbound supply
    BACKORDER_RATE = "backorder_rate"  # share of order lines backordered over 7 days above N %


DEFAULT_THRESHOLDS = {
    AlertKind.LOW_STOCK: 3.0,
    AlertKind.BACKLOG_AGE: 7.0,
    AlertKind.DOCK_DWELL: 24.0,
    AlertKind.PREORDER_SUPPLY: 0.0,
    AlertKind.BACKORDER_RATE: 15.0,
}

# What each threshold counts, marked for the catalog: show it with ``_()``.
UNITS = {
    AlertKind.LOW_STOCK: N_("days of cover"),
    AlertKind.BACKLOG_AGE: N_("days"),
    AlertKind.DOCK_DWELL: N_("hours"),
    AlertKind.PREORDER_SUPPLY: N_("units short"),
    AlertKind.BACKORDER_RATE: "%",
}
# Each kind of alert as people call it, marked for the catalog: show it with ``_()``.
ALERT_KIND_LABELS = {
    AlertKind.LOW_STOCK: N_("low stock"),
    AlertKind.BACKLOG_AGE: N_("backlog age"),
    AlertKind.DOCK_DWELL: N_("dock dwell"),
    AlertKind.PREORDER_SUPPLY: N_("preorder supply"),
    AlertKind.BACKORDER_RATE: N_("backorder rate"),
}


class AlertRule(db.Model):
    __tablename__ = "alert_rules"

    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    threshold: Mapped[float] = mapped_column(Float)
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Alert(db.Model):
    """One condition, raised when it starts and cleared when it ends."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    subject: Mapped[str] = mapped_column(String(80))  # e.g. a SKU, an order number, "site"
    message: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        Index(
            "ix_alerts_open",
            "kind",
            "subject",
            unique=True,
            postgresql_where=text("cleared_at IS NULL"),
            sqlite_where=text("cleared_at IS NULL"),
        ),
        Index("ix_alerts_started", "started_at"),
    )
