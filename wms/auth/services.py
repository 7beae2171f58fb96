"""Signing in by password or badge."""

from __future__ import annotations

from sqlalchemy import func, select

from wms.auth.models import User
from wms.core.clock import utcnow
from wms.extensions import db


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def authenticate_badge(badge_code: str) -> User | None:
    code = badge_code.strip()
    if not code:
        return None
    user = db.session.scalar(select(User).where(User.badge_code == code))
    if user is None or not user.active:
        return None
    user.last_login_at = utcnow()
    return user
