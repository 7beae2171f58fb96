"""Paging, search words and the change history every admin page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from wms.auth.models import User
from wms.core.models import AuditEvent
from wms.extensions import db

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


def paginate(
    stmt: Select[Any], number: int, per_page: int = PER_PAGE, scalars: bool = True
) -> Page:
    """One page of ``stmt`` (already ordered) and the total it would return."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    result = db.session.execute(stmt.limit(per_page).offset((number - 1) * per_page))
    items = list(result.scalars() if scalars else result.all())
    return Page(items, int(total or 0), number, per_page)


def like_pattern(words: str) -> str:
    """A case-insensitive LIKE pattern for what was typed; % and _ match themselves."""
    escaped = words.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class HistoryEntry:
    at: Any
    who: str
    action: str
    details: dict[str, Any]


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
        HistoryEntry(event.created_at, username or "system", event.action, event.details or {})
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
