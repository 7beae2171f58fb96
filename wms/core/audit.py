"""Who changed what, when."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_login import current_user

from wms.core.models import AuditEvent
from wms.extensions import db


def record(action: str, entity: str, entity_id: Any, **details: Any) -> None:
    """Write an audit row in the current transaction."""
    user_id = None
    if has_request_context() and current_user.is_authenticated:
        user_id = current_user.id
    db.session.add(
        AuditEvent(
            user_id=user_id,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            details=details,
        )
    )
