"""Who changed what, when: written with every change of set-up data, read as a history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from wms.auth.models import AuditEvent, User
from wms.base.clock import utcnow
from wms.base.i18n import N_
from wms.extensions import db


def record(user_id: int | None, action: str, entity: str, entity_id: Any, **details: Any) -> None:
    """Write an audit row in the current transaction; ``user_id`` None is the system
    (the worker, a channel through the API, a visitor who is not signed in)."""
    db.session.add(
        AuditEvent(
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details,
        )
    )


def record_many(
    user_id: int | None, action: str, entity: str, items: list[tuple[Any, dict[str, Any]]]
) -> None:
    """One audit row per (entity id, details), in one statement: for changes made in bulk."""
    if not items:
        return
    now = utcnow()
    db.session.execute(
        insert(AuditEvent.__table__),
        [
            {
                "user_id": user_id,
                "action": action,
                "entity": entity,
                "entity_id": str(entity_id),
                "details": details,
                "created_at": now,
            }
            for entity_id, details in items
        ],
    )


# What a history row says was done, marked for the catalog (shown with ``_()``).
ACTION_LABELS = {
    "product.create": N_("created"),
    "product.update": N_("changed"),
    "barcode.add": N_("barcode added"),
    "barcode.remove": N_("barcode removed"),
    "location.create": N_("created"),
    "location.update": N_("changed"),
    "user.create": N_("created"),
    "user.update": N_("changed"),
    "user.password": N_("password set"),
    "user.activate": N_("reactivated"),
    "user.deactivate": N_("deactivated"),
    "channel.create": N_("created"),
    "channel.update": N_("changed"),
    "channel.activate": N_("reactivated"),
    "channel.deactivate": N_("deactivated"),
    "channel.rotate_token": N_("new API token"),
    "channel.rotate_secret": N_("new webhook secret"),
    "channel.shop_added": N_("shop connected"),
    "channel.shop_updated": N_("shop settings changed"),
    "channel.shipping_methods": N_("shipping methods changed"),
    "channel.products_imported": N_("products imported"),
    "channel.push_every_figure": N_("every stock figure sent again"),
    "channel.reconciled": N_("stock compared with the shop"),
    "count.create": N_("count asked for"),
    "count.counted": N_("counted"),
}


@dataclass(frozen=True)
class HistoryEntry:
    at: Any
    who: str | None  # None: the system (the worker, a channel through the API)
    action: str
    details: dict[str, Any]

    @property
    def action_label(self) -> str:
        """What was done, marked for the catalog (an unknown action reads as written)."""
        return ACTION_LABELS.get(self.action) or self.action.split(".")[-1].replace("_", " ")


def history(entity: str, entity_id: Any, limit: int = 100) -> list[HistoryEntry]:
    """Who changed a record and when, newest first."""
    rows = db.session.execute(
        select(AuditEvent, User.username)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [
        HistoryEntry(event.created_at, username, event.action, event.details or {})
        for event, username in rows
    ]


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose values differ, as [old, new], ready for an audit row (JSON)."""
    out: dict[str, list[Any]] = {}
    for key, new in after.items():
        old = before.get(key)
        if old != new:
            out[key] = [_jsonable(old), _jsonable(new)]
    return out


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
