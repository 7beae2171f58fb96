"""Channel authentication by bearer token (stored as a SHA-256 hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from flask import g, request
from sqlalchemy import select

from wms.auth import throttle
from wms.core.errors import DomainError
from wms.extensions import db
from wms.orders.models import Channel

LOCKED_SENTENCE = "Too many requests with a wrong API token from this address: wait {wait}."


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its hash; the token is shown once and never stored."""
    token = "wms_" + secrets.token_urlsafe(32)
    return token, hash_token(token)


@dataclass(frozen=True)
class ChannelIdentity:
    id: int
    code: str


def current_channel() -> ChannelIdentity:
    """The channel whose token came with the request; 401 otherwise."""
    channel = g.get("channel")
    if channel is not None:
        return channel
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send the channel's API token as 'Authorization: Bearer <token>'.")
    digest = hash_token(token.strip())
    channel = _known_tokens.get(digest)
    if channel is None:
        # A token this process has not just seen may be a guess: an address that
        # sent too many wrong tokens is refused before the token is looked at.
        where = [throttle.address_key("api", request.remote_addr)]
        throttle.refuse_if_locked(where, LOCKED_SENTENCE)
        row = db.session.execute(
            select(Channel.id, Channel.code, Channel.token_hash).where(
                Channel.token_hash == digest, Channel.active.is_(True)
            )
        ).first()
        if row is None or not hmac.compare_digest(row.token_hash or "", digest):
            throttle.begin(where, message=LOCKED_SENTENCE).failed()
            raise Unauthorized("That API token is not valid.")
        channel = ChannelIdentity(row.id, row.code)
        _known_tokens.put(digest, channel)
    g.channel = channel
    return channel


class _TokenCache:
    """Recently seen good tokens, so a burst of orders does not look each one up.

    A rotated or revoked token stops working within ``TOKEN_CACHE_SECONDS``
    on every app server (at once on the one where it was rotated).
    """

    def __init__(self) -> None:
        self._items: dict[str, tuple[float, ChannelIdentity]] = {}

    def get(self, digest: str) -> ChannelIdentity | None:
        hit = self._items.get(digest)
        if hit is None or time.monotonic() - hit[0] > TOKEN_CACHE_SECONDS:
            return None
        return hit[1]

    def put(self, digest: str, channel: ChannelIdentity) -> None:
        if len(self._items) > 1000:
            self._items.clear()
        self._items[digest] = (time.monotonic(), channel)

    def clear(self) -> None:
        self._items.clear()


TOKEN_CACHE_SECONDS = 10.0
_known_tokens = _TokenCache()


def forget_tokens() -> None:
    """Call after tokens are rotated or channels deactivated."""
    _known_tokens.clear()
