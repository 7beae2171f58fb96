"""Slowing down guessing: sign-in and API token failures, counted in the database.

Each failure is a row in ``sign_in_failures`` under one or more keys (the
client's address, the account tried). A key with ``LIMIT`` failures in the
last ``WINDOW`` is locked until the oldest of those leaves the window. The
rows live in the database, not in a process, so every app process and every
server counts the same failures.

An attempt is written before its password is checked and committed at once
(with the ``commit_early`` the route lends, see ``wms.database``):
a refused sign-in rolls its request back, and the failure must outlive it;
and several guesses sent at the same moment each see the others, so no more
than ``LIMIT`` of them are ever checked in a window. A sign-in that succeeds
takes its row back. Attempts refused by a lock are not counted, so the wait
given is the true one.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select

from wms.auth import audit
from wms.auth.models import SignInFailure
from wms.base.clock import utcnow
from wms.base.errors import DomainError
from wms.base.i18n import N_, Text, _, n_
from wms.database import Commit
from wms.extensions import db

failures_t = SignInFailure.__table__

log = logging.getLogger(__name__)

LIMIT = 5
WINDOW = timedelta(minutes=5)


class TooManyFailures(DomainError):
    """Locked: the answer is 429 with the wait in seconds (and ``Retry-After``)."""

    code = "too_many_failures"
    status = 429

    def __init__(self, wait_seconds: int, message: Text | str) -> None:
        super().__init__(message, retry_after=wait_seconds)
        self.retry_after = wait_seconds
        self.headers = {"Retry-After": str(wait_seconds)}


def digest(secret: str) -> str:
    """What is kept of a badge or an unknown name: never the typed text itself."""
    return hashlib.sha256(secret.encode()).hexdigest()[:40]


def address_key(scope: str, address: str | None) -> str:
    return f"{scope}-address:{address or 'unknown'}"[:120]


def account_key(user_id: int | None, typed: str) -> str:
    """One counter per account, whichever way it is named (username or badge)."""
    if user_id is not None:
        return f"login-user:{user_id}"
    return f"login-name:{digest(typed.strip().lower())}"


def wait_words(seconds: int) -> Text:
    if seconds < 60:
        return n_("%(num)s second", "%(num)s seconds", seconds)
    return n_("%(num)s minute", "%(num)s minutes", math.ceil(seconds / 60))


@dataclass
class Attempt:
    keys: tuple[str, ...]
    ids: tuple[int, ...]
    earlier: dict[str, int]  # failures already counted under each key when this one began
    commit_early: Commit

    def succeeded(self, forgive_badge: str | None = None, address: str | None = None) -> None:
        """Take this attempt back, with the account's earlier failures and, for a badge
        that was scanned alone and then given its password, that first scan."""
        f = failures_t.c
        forget = f.id.in_(self.ids)
        accounts = [k for k in self.keys if k.startswith("login-user:")]
        if accounts:
            forget = forget | f.key.in_(accounts)
        if forgive_badge is not None and address is not None:
            forget = forget | ((f.key == address) & (f.badge_digest == forgive_badge))
        db.session.execute(delete(failures_t).where(forget))

    def failed(self) -> None:
        """The attempt stays counted; the failure that locks a key is logged and audited."""
        locked = [k for k in self.keys if self.earlier.get(k, 0) + 1 >= LIMIT]
        minutes = WINDOW.seconds // 60
        for key in locked:
            kind, _sep, value = key.partition(":")
            log.warning("sign-in locked: %s reached %d failures in %d minutes", key, LIMIT, minutes)
            audit.record(None, "sign_in_locked", kind, value, failures=LIMIT, minutes=minutes)
        if locked:
            self.commit_early()


def begin(
    keys: Sequence[str],
    commit_early: Commit,
    badge_digest: str | None = None,
    message: str | None = None,
) -> Attempt:
    """Count an attempt under ``keys`` before it is checked, or refuse it (429) while
    any key is locked. Commits: see the module's docstring."""
    now = utcnow()
    since = now - WINDOW
    db.session.execute(
        delete(failures_t).where(failures_t.c.key.in_(keys), failures_t.c.created_at <= since)
    )
    ids = tuple(
        db.session.scalars(
            insert(failures_t).returning(failures_t.c.id),
            [{"key": k, "badge_digest": badge_digest, "created_at": now} for k in keys],
        )
    )
    commit_early()
    earlier, wait = _counts(keys, exclude=ids)
    if wait:
        db.session.execute(delete(failures_t).where(failures_t.c.id.in_(ids)))
        commit_early()
        raise _locked(wait, message)
    return Attempt(tuple(keys), ids, earlier, commit_early)


def refuse_if_locked(keys: Sequence[str], message: str | None = None) -> None:
    """429 while any key is locked; counts nothing."""
    _counts_by_key, wait = _counts(keys)
    if wait:
        raise _locked(wait, message)


def _counts(keys: Sequence[str], exclude: Sequence[int] = ()) -> tuple[dict[str, int], int]:
    """Failures in the window per key, and the seconds until every key is unlocked."""
    now = utcnow()
    f = failures_t.c
    query = select(f.key, f.created_at).where(f.key.in_(keys), f.created_at > now - WINDOW)
    if exclude:
        query = query.where(f.id.not_in(exclude))
    rows = db.session.execute(query.order_by(f.created_at.desc())).all()
    times: dict[str, list[datetime]] = {}
    for key, at in rows:
        times.setdefault(key, []).append(at)
    wait = 0.0
    for at in times.values():
        if len(at) >= LIMIT:
            # Unlocked when the LIMIT-th newest failure leaves the window.
            wait = max(wait, (at[LIMIT - 1] + WINDOW - now).total_seconds())
    return {k: len(v) for k, v in times.items()}, math.ceil(wait) if wait > 0 else 0


def _locked(wait: int, message: str | None) -> TooManyFailures:
    sentence = message or N_("Too many failed attempts: wait %(wait)s, then try again.")
    return TooManyFailures(wait, _(sentence, wait=wait_words(wait)))
