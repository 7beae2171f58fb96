"""Channel API tokens: made once, shown once, kept only as a SHA-256 hash.

A token is looked up by its hash; good tokens seen recently are remembered for
a few seconds, so a burst of orders does not look each one up.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select

from wms.channels.models import Channel
from wms.extensions import db


@dataclass(frozen=True)
class ChannelIdentity:
    id: int
    code: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its hash; the token is shown once and never stored."""
    token = "wms_" + secrets.token_urlsafe(32)
    return token, hash_token(token)


def remembered(digest: str) -> ChannelIdentity | None:
    """The channel of a good token seen within ``TOKEN_CACHE_SECONDS``, if any."""
    return _known_tokens.get(digest)


def channel_for(digest: str) -> ChannelIdentity | None:
    """The active channel whose token hashes to ``digest``, looked up and remembered."""
    row = db.session.execute(
        select(Channel.id, Channel.code, Channel.token_hash).where(
            Channel.token_hash == digest, Channel.active.is_(True)
        )
    ).first()
    if row is None or not hmac.compare_digest(row.token_hash or "", digest):
        return None
    channel = ChannelIdentity(row.id, row.code)
    _known_tokens.put(digest, channel)
    return channel


class _TokenCache:
    """Recently seen good tokens.

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
