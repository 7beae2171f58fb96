"""Shop channels: adding one with its secrets sealed, and reaching its platform.

A shop channel's API credentials and the secret its platform signs webhooks
with are stored sealed (Fernet: AES-128-CBC with an HMAC) under the key in
``WMS_CHANNEL_KEY``, never in clear and never shown again. Without the key
the app runs, generic channels work, but a shop channel can be neither added
nor reached (its webhooks are answered 503 so the platform sends them again
once the key is back).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

import requests
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from wms.auth import audit
from wms.base.errors import Conflict, DomainError, InvalidInput
from wms.base.i18n import _
from wms.channels.connectors import (
    PLATFORMS,
    Connector,
    PrestaShopCredentials,
    ShopifyCredentials,
    WooCommerceCredentials,
    connector_for,
)
from wms.channels.models import Channel, ShippingMethod
from wms.config import setting
from wms.database import after_commit, for_update
from wms.extensions import db

CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
CREDENTIALS: dict[str, type] = {
    "shopify": ShopifyCredentials,
    "woocommerce": WooCommerceCredentials,
    "prestashop": PrestaShopCredentials,
}
# The field of each platform's credentials that holds the webhook signing secret.
SIGNING_FIELD = {"shopify": "client_secret", "woocommerce": "webhook_secret"}
URL_FIELD = {"shopify": "shop_url", "woocommerce": "site_url", "prestashop": "shop_url"}


class NoChannelKey(DomainError):
    code = "channel_key_missing"
    status = 503


def _fernet() -> Fernet:
    key = setting("CHANNEL_KEY")
    if not key:
        raise NoChannelKey(
            _("Shop credentials cannot be sealed or read: WMS_CHANNEL_KEY is not set.")
        )
    try:
        return Fernet(key)
    except ValueError as exc:
        raise NoChannelKey(
            _("WMS_CHANNEL_KEY is not a Fernet key (32 url-safe base64-encoded bytes).")
        ) from exc


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise NoChannelKey(
            _("The shop's credentials were sealed with another key than WMS_CHANNEL_KEY.")
        ) from exc


def add_shop_channel(
    code: str, name: str, platform: str, credentials: dict[str, Any], user_id: int | None
) -> Channel:
    """A new shop channel; ``credentials`` are the platform's credential fields
    (``ShopifyCredentials`` and the others). Flushes; the caller commits."""
    if platform not in CREDENTIALS:
        shops = ", ".join(p for p in PLATFORMS if p != "generic")
        raise InvalidInput(
            _(
                "%(platform)s is not a shop platform (%(shops)s).",
                platform=repr(platform),
                shops=shops,
            )
        )
    if not CODE.fullmatch(code):
        raise InvalidInput(_("A channel code is 1 to 32 lower-case letters, digits, - or _."))
    kind = CREDENTIALS[platform]
    names = {f.name for f in fields(kind)}
    unknown = sorted(set(credentials) - names)
    if unknown:
        raise InvalidInput(
            _(
                "A %(platform)s channel has no %(fields)s.",
                platform=platform,
                fields=", ".join(unknown),
            )
        )
    try:
        built = kind(**credentials)
    except TypeError as exc:
        raise InvalidInput(
            _(
                "The %(platform)s credentials are incomplete (%(error)s).",
                platform=platform,
                error=exc,
            )
        ) from exc
    if db.session.scalar(select(Channel.id).where(Channel.code == code)) is not None:
        raise Conflict(_("There is already a channel %(code)s.", code=code)).with_code(
            "channel_exists"
        )
    values = asdict(built)
    if isinstance(values.get("cancelled_states"), tuple):
        values["cancelled_states"] = list(values["cancelled_states"])
    secret = values.pop(SIGNING_FIELD.get(platform, ""), None)
    channel = Channel(
        code=code,
        name=name,
        platform=platform,
        shop_url=values[URL_FIELD[platform]],
        credentials_sealed=seal(json.dumps(values)),
        signing_secret_sealed=seal(secret) if secret else None,
        location_id=values.get("location_id"),
    )
    db.session.add(channel)
    db.session.flush()
    audit.record(user_id, "channel.shop_added", "channel", channel.id, platform=platform)
    return channel


def credentials_of(channel: Channel) -> Any:
    """The channel's platform credentials, unsealed."""
    kind = CREDENTIALS[channel.platform]
    values = json.loads(unseal(channel.credentials_sealed or ""))
    if "cancelled_states" in values:
        values["cancelled_states"] = tuple(values["cancelled_states"])
    field = SIGNING_FIELD.get(channel.platform)
    if field:
        sealed = channel.signing_secret_sealed
        values[field] = unseal(sealed) if sealed else ""
    return kind(**values)


def connector_of(
    channel: Channel, http: requests.Session | None = None, **options: Any
) -> Connector:
    """The connector that speaks to the channel's shop."""
    connector = connector_for(
        channel.platform, credentials_of(channel), http or requests.Session(), **options
    )
    if connector is None:
        raise InvalidInput(_("Channel %(code)s is not a shop.", code=channel.code))
    return connector


@dataclass(frozen=True)
class WebhookShop:
    """What a shop's webhook needs of its channel: the id, and the connector that checks
    the signature and reads the body."""

    id: int
    connector: Connector


# Shops whose webhooks came recently, by (database, code, platform): a burst of orders
# does not read the channel and unseal its secrets for each one. A changed secret or
# a shop turned off reaches every app server within WEBHOOK_SHOP_SECONDS (at once on
# the one where it changed).
WEBHOOK_SHOP_SECONDS = 10.0
_webhook_shops: dict[tuple[str, str, str], tuple[float, WebhookShop]] = {}


def webhook_shop(code: str, platform: str, timeout: float) -> WebhookShop | None:
    """The active ``platform`` channel ``code``, ready to check its webhooks; None if none."""
    key = (str(db.engine.url), code, platform)
    hit = _webhook_shops.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < WEBHOOK_SHOP_SECONDS:
        return hit[1]
    channel = db.session.scalars(
        select(Channel).where(
            Channel.code == code, Channel.platform == platform, Channel.active.is_(True)
        )
    ).one_or_none()
    if channel is None:
        return None  # not remembered: a shop added a moment later answers at once
    shop = WebhookShop(channel.id, connector_of(channel, timeout=timeout))
    if len(_webhook_shops) > 1000:
        _webhook_shops.clear()
    _webhook_shops[key] = (now, shop)
    return shop


def forget_shops() -> None:
    """Call after a shop's credentials change or a channel is turned off."""
    _webhook_shops.clear()


def update_shop_channel(
    channel_id: int, name: str, credentials: dict[str, Any], user_id: int | None
) -> Channel:
    """Change a shop channel's name and credentials. A field left out (or blank) keeps
    its value, so a secret is never shown to be kept. Flushes; the caller commits."""
    channel = db.session.get(Channel, channel_id)
    if channel is None or not channel.is_shop:
        raise InvalidInput(_("There is no such shop channel."))
    kind = CREDENTIALS[channel.platform]
    names = {f.name for f in fields(kind)}
    unknown = sorted(set(credentials) - names)
    if unknown:
        raise InvalidInput(
            _(
                "A %(platform)s channel has no %(fields)s.",
                platform=channel.platform,
                fields=", ".join(unknown),
            )
        )
    values = asdict(credentials_of(channel))
    values.update({k: v for k, v in credentials.items() if v not in ("", None)})
    built = kind(**values)
    values = asdict(built)
    if isinstance(values.get("cancelled_states"), tuple):
        values["cancelled_states"] = list(values["cancelled_states"])
    secret = values.pop(SIGNING_FIELD.get(channel.platform, ""), None)
    if name.strip():
        channel.name = name.strip()[:100]
    channel.shop_url = values[URL_FIELD[channel.platform]]
    channel.credentials_sealed = seal(json.dumps(values))
    channel.signing_secret_sealed = seal(secret) if secret else None
    channel.location_id = values.get("location_id")
    db.session.flush()
    after_commit(forget_shops)
    # Which fields were given, never their values (secrets among them).
    audit.record(user_id, "channel.shop_updated", "channel", channel_id, fields=sorted(credentials))
    return channel


def set_shipping_methods(channel_id: int, table: dict[str, str], user_id: int | None) -> None:
    """The channel's shipping methods and the service level each ships at, replacing
    the table. Flushes; the caller commits."""
    # One table at a time per channel: the channel's row is locked first, so two saves
    # at once leave one whole table, never a mixture or a duplicate.
    db.session.execute(for_update(select(Channel.id).where(Channel.id == channel_id)))
    t = ShippingMethod.__table__
    db.session.execute(t.delete().where(t.c.channel_id == channel_id))
    rows = [
        {"channel_id": channel_id, "platform_method": method, "service_level": level}
        for method, level in sorted(table.items())
    ]
    if rows:
        db.session.execute(t.insert(), rows)
    audit.record(user_id, "channel.shipping_methods", "channel", channel_id, table=table)
