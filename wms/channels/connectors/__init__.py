"""Shop connectors: one module per platform behind one interface (see ``base``).

``connector_for(platform, credentials, http)`` gives the connector of a
channel. The ``generic`` platform is the warehouse's own JSON API: its channels
post orders and receive the warehouse's webhooks, so there is nothing to call
on their side and ``connector_for`` answers None.
"""

from __future__ import annotations

from typing import Any

import requests

from wms.base.i18n import Text
from wms.channels.connectors.base import (
    Connector,
    ConnectorError,
    PayloadError,
    PlatformLine,
    PlatformOrder,
    PlatformProduct,
    PlatformRefused,
    PlatformUnavailable,
    PushResult,
    Shipment,
    ShippedLine,
    StockFigure,
    UnreadableOrder,
    WebhookCheck,
    load_json,
)
from wms.channels.connectors.prestashop import PrestaShopConnector, PrestaShopCredentials
from wms.channels.connectors.shopify import ShopifyConnector, ShopifyCredentials
from wms.channels.connectors.shopify_orders import parse_shopify_order
from wms.channels.connectors.woocommerce import WooCommerceConnector, WooCommerceCredentials
from wms.channels.connectors.woocommerce_orders import parse_woocommerce_order

__all__ = [
    "PLATFORMS",
    "Connector",
    "ConnectorError",
    "PayloadError",
    "PlatformLine",
    "PlatformOrder",
    "PlatformProduct",
    "PlatformRefused",
    "PlatformUnavailable",
    "PrestaShopConnector",
    "PrestaShopCredentials",
    "PushResult",
    "Shipment",
    "ShippedLine",
    "ShopifyConnector",
    "ShopifyCredentials",
    "StockFigure",
    "UnreadableOrder",
    "WebhookCheck",
    "WooCommerceConnector",
    "WooCommerceCredentials",
    "connector_for",
    "payload_problem",
]

_CONNECTORS: dict[str, tuple[type[Connector], type]] = {
    "shopify": (ShopifyConnector, ShopifyCredentials),
    "woocommerce": (WooCommerceConnector, WooCommerceCredentials),
    "prestashop": (PrestaShopConnector, PrestaShopCredentials),
}
PLATFORMS: tuple[str, ...] = ("generic", *_CONNECTORS)


def connector_for(
    platform: str, credentials: Any, http: requests.Session, **options: Any
) -> Connector | None:
    """The connector for a channel's platform; None for ``generic``.

    ``options`` go to the connector (``sleep``, ``max_wait``, ``timeout``, …).
    """
    if platform == "generic":
        return None
    if platform not in _CONNECTORS:
        raise ValueError(
            f"{platform!r} is not a platform the warehouse knows ({', '.join(PLATFORMS)})."
        )
    connector, expected = _CONNECTORS[platform]
    if not isinstance(credentials, expected):
        raise TypeError(
            f"A {platform} channel needs {expected.__name__}, not {type(credentials).__name__}."
        )
    return connector(credentials, http, **options)


# How each platform's webhook body is read: the same reading as ``parse_order``, with no
# connector (no credentials) needed. PrestaShop sends no webhooks.
_WEBHOOK_READERS = {
    "shopify": lambda raw: parse_shopify_order(load_json(raw, "order")),
    "woocommerce": lambda raw: parse_woocommerce_order(load_json(raw, "order")),
}


def payload_problem(platform: str, raw: bytes | None) -> Text | str | None:
    """Why a webhook body kept as unreadable cannot be read, said again now (so in the
    reader's language); None when it reads now or the platform has no such reader."""
    reader = _WEBHOOK_READERS.get(platform)
    if reader is None or raw is None:
        return None
    try:
        reader(raw)
    except PayloadError as exc:
        return exc.reason
    return None
