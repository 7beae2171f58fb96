"""Role checks for routes and blueprints."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])


def role_required(role: str) -> Callable[[F], F]:
    """Refuse with 403 unless the signed-in user holds ``role`` or above."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                abort(401)
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


def require_role_for_blueprint(role: str) -> Callable[[], None]:
    """A ``before_request`` hook that guards every route of a blueprint."""

    def check() -> None:
        if not current_user.is_authenticated:
            abort(401)
        if not current_user.has_role(role):
            abort(403)

    return check
