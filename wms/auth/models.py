"""Users and roles, and the audit trail of what they changed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from wms.base.clock import utcnow
from wms.base.i18n import N_
from wms.base.types import BigId
from wms.extensions import db


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


_RANK = {Role.OPERATOR: 1, Role.SUPERVISOR: 2, Role.ADMIN: 3}
# A role as people read it (shown through the catalog).
ROLE_LABELS = {
    Role.OPERATOR: N_("operator"),
    Role.SUPERVISOR: N_("supervisor"),
    Role.ADMIN: N_("admin"),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    badge_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16), default=Role.OPERATOR)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column()
    # "fr", "en"...; None follows the device (its browser's language, else the warehouse's).
    language: Mapped[str | None] = mapped_column(String(8))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def has_role(self, role: str) -> bool:
        """True when the user's role is ``role`` or above it."""
        return _RANK.get(Role(self.role), 0) >= _RANK[Role(role)]

    @property
    def role_label(self) -> str:
        """The role's words, marked for the catalog: show it with ``_()``."""
        return ROLE_LABELS.get(Role(self.role), self.role)

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class SignInFailure(db.Model):
    """A refused sign-in (or API token), kept a few minutes so that every app
    process counts the same failures: see ``wms.auth.throttle``."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # What is counted: "login-address:10.0.0.7", "login-user:42", "api-address:…".
    key: Mapped[str] = mapped_column(String(120))
    # A badge scanned alone, hashed: forgiven once the same badge signs in with its password.
    badge_digest: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_sign_in_failures_key", "key", "created_at"),)


class AuditEvent(db.Model):
    """Who changed what, when: every action that changes set-up data writes one."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)
