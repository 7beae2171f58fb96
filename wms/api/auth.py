"""Channel authentication by bearer token (stored as a SHA-256 hash)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import g, request
from sqlalchemy import select

from wms.core.errors import DomainError
from wms.extensions import db
from wms.orders.models import Channel


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its hash; the token is shown once and never stored."""
    token = "wms_" + secrets.token_urlsafe(32)
    return token, hash_token(token)


def current_channel() -> Channel:
    channel = g.get("channel")
    if channel is not None:
        return channel
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send the channel's API token as 'Authorization: Bearer <token>'.")
    digest = hash_token(token.strip())
    channel = db.session.scalar(select(Channel).where(Channel.token_hash == digest))
    if (
        channel is None
        or not channel.active
        or not hmac.compare_digest(channel.token_hash or "", digest)
    ):
        raise Unauthorized("That API token is not valid.")
    g.channel = channel
    return channel
