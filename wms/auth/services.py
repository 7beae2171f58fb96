"""Signing in by password, or by badge: a badge alone signs in floor operators only.

Supervisors and admins scan their badge and then type their password (or
type their name and password). A badge that does not sign in on its own,
whether it is unknown, inactive or a supervisor's, gets the same answer, so
the answer does not tell an outsider which badges exist. Every way in is
throttled by client address and by account (see ``wms.auth.throttle``).
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from wms.auth import throttle
from wms.auth.models import Role, User
from wms.base.clock import utcnow
from wms.base.errors import DomainError, InvalidInput
from wms.base.i18n import N_, _
from wms.database import Commit
from wms.extensions import db
from wms.i18n import normal_language

LOCKED_SENTENCE = N_("Too many failed sign-ins: wait %(wait)s, then try again.")


class SignInRefused(DomainError):
    code = "sign_in_refused"
    status = 401


class PasswordNeeded(SignInRefused):
    """A badge that does not sign in on its own; the page asks for the password next."""

    code = "password_needed"

    def __init__(self) -> None:
        super().__init__(
            _(
                "That badge does not sign in on its own: supervisors and admins, "
                "type your password to go on."
            )
        )


@cache
def _decoy_hash() -> str:
    return generate_password_hash("no account has this password")


def _password_matches(user: User | None, password: str) -> bool:
    """Checked against a decoy when there is no such user, so the time taken
    does not say whether the name or badge exists."""
    if user is None or not user.active:
        check_password_hash(_decoy_hash(), password)
        return False
    return user.check_password(password)


def sign_in_with_password(
    username: str, password: str, address: str | None, commit_early: Commit
) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    attempt = throttle.begin(
        [
            throttle.address_key("login", address),
            throttle.account_key(user.id if user else None, username),
        ],
        commit_early,
        message=LOCKED_SENTENCE,
    )
    if user is None or not _password_matches(user, password):
        attempt.failed()
        raise SignInRefused(_("Wrong username or password."))
    attempt.succeeded()
    user.last_login_at = utcnow()
    return user


def sign_in_with_badge(
    badge_code: str, password: str | None, address: str | None, commit_early: Commit
) -> User:
    """A badge alone (``password`` None) signs in an operator; anyone may add the password."""
    code = badge_code.strip()
    user = db.session.scalar(select(User).where(User.badge_code == code)) if code else None
    if user is not None and not user.active:
        user = None
    badge = throttle.digest(code)
    where = throttle.address_key("login", address)
    if password is None:
        attempt = throttle.begin([where], commit_early, badge_digest=badge, message=LOCKED_SENTENCE)
        if user is None or user.has_role(Role.SUPERVISOR):
            attempt.failed()
            raise PasswordNeeded()
        attempt.succeeded()
    else:
        attempt = throttle.begin(
            [where, throttle.account_key(user.id if user else None, code)],
            commit_early,
            message=LOCKED_SENTENCE,
        )
        if not _password_matches(user, password):
            attempt.failed()
            raise SignInRefused(_("Wrong badge or password."))
        attempt.succeeded(forgive_badge=badge, address=where)
    assert user is not None
    user.last_login_at = utcnow()
    return user


def set_language(user_id: int, language: str | None) -> None:
    """The language of the user's screens and prints; None follows their device."""
    if language is not None and normal_language(language) != language:
        raise InvalidInput(_("No language has the code %(code)s.", code=language))
    db.session.execute(update(User).where(User.id == user_id).values(language=language))
