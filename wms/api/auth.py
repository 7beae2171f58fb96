"""Which channel sends the request: its bearer token, checked against the stored hashes."""

from __future__ import annotations

from flask import g, request

from wms.auth import throttle
from wms.base.errors import DomainError
from wms.base.i18n import N_, _
from wms.channels import tokens
from wms.channels.tokens import ChannelIdentity
from wms.database import commit_early

LOCKED_SENTENCE = N_("Too many requests with a wrong API token from this address: wait %(wait)s.")


class Unauthorized(DomainError):
    code = "unauthorized"
    status = 401


def current_channel() -> ChannelIdentity:
    """The channel whose token came with the request; 401 otherwise."""
    channel = g.get("channel")
    if channel is not None:
        return channel
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(_("Send the channel's API token as 'Authorization: Bearer <token>'."))
    digest = tokens.hash_token(token.strip())
    channel = tokens.remembered(digest)
    if channel is None:
        # A token this process has not just seen may be a guess: an address that
        # sent too many wrong tokens is refused before the token is looked at.
        where = [throttle.address_key("api", request.remote_addr)]
        throttle.refuse_if_locked(where, LOCKED_SENTENCE)
        channel = tokens.channel_for(digest)
        if channel is None:
            throttle.begin(where, commit_early, message=LOCKED_SENTENCE).failed()
            raise Unauthorized(_("That API token is not valid."))
    g.channel = channel
    return channel
