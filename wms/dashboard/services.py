"""Alerts: raised once when a condition appears, cleared when it is gone, told to the
channels; the thresholds an admin sets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from wms.auth import audit
from wms.base.clock import iso, utcnow
from wms.channels import outbox
from wms.dashboard.models import Alert, AlertRule
from wms.dashboard.queries.alerts import conditions
from wms.database import is_postgres
from wms.extensions import db

# A key of our own for the transaction-scoped advisory lock of ``evaluate``.
EVALUATE_LOCK_KEY = 5_431_010


def set_threshold(kind: str, threshold: float, enabled: bool) -> AlertRule:
    rule = db.session.get(AlertRule, kind)
    if rule is None:
        rule = AlertRule(kind=kind, threshold=threshold, enabled=enabled)
        db.session.add(rule)
    rule.threshold = threshold
    rule.enabled = enabled
    return rule


def evaluate_alerts(now: datetime | None = None) -> tuple[int, int]:
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


def set_thresholds(values: dict[str, tuple[float, bool]], user_id: int | None) -> None:
    """The admin's thresholds by alert kind (and whether each is on); they apply from the
    next check."""
    for kind, (threshold, enabled) in values.items():
        set_threshold(kind, threshold, enabled)
        audit.record(
            user_id, "alert.threshold", "alert_rule", kind, threshold=threshold, enabled=enabled
        )
