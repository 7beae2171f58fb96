"""Who changed what, when."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from wms.core.models import AuditEvent
from wms.extensions import db


def audit_user_id() -> int | None:
    """The signed-in user, for rows written in bulk (an import) rather than through ``record``."""
    if has_request_context() and current_user.is_authenticated:
        return int(current_user.id)
    return None


def record(action: str, entity: str, entity_id: Any, **details: Any) -> None:
    """Write an audit row in the current transaction."""
    db.session.add(
        AuditEvent(
            user_id=audit_user_id(),
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details,
        )
    )


def record_many(action: str, entity: str, items: list[tuple[Any, dict[str, Any]]]) -> None:
    """One audit row per (entity id, details), in one statement: for changes made in bulk."""
    if not items:
        return
    from sqlalchemy import insert

    from wms.core.clock import utcnow

    user_id, now = audit_user_id(), utcnow()
    db.session.execute(
        insert(AuditEvent),
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
