"""The connectors stand alone; the registry; HTTP rules shared by every connector.

Where the channels package itself sits is checked with every other package in
``test_layers``.
"""

from __future__ import annotations

import ast
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

import wms.channels
from wms.channels.connectors import (
    PLATFORMS,
    PlatformRefused,
    PlatformUnavailable,
    PrestaShopConnector,
    PrestaShopCredentials,
    ShopifyConnector,
    ShopifyCredentials,
    StockFigure,
    WooCommerceConnector,
    WooCommerceCredentials,
    connector_for,
)
from wms.channels.connectors.http import check_base_url, parse_retry_after

CONNECTORS = Path(wms.channels.__file__).parent / "connectors"


# Plain Python with no imports of its own: a connector marks the sentences it says
# (why a payload cannot be read) so each reader reads them in their language.
STANDALONE = ("wms.channels.connectors", "wms.base.i18n")


def test_the_connectors_import_nothing_from_the_rest_of_wms() -> None:
    upward = []
    for path in sorted(CONNECTORS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("wms") and not name.startswith(STANDALONE):
                    upward.append(f"{path.relative_to(CONNECTORS)}: {name}")

    assert upward == []


def test_every_platform_has_its_connector_and_generic_has_none() -> None:
    session = requests.Session()

    assert PLATFORMS == ("generic", "shopify", "woocommerce", "prestashop")
    assert connector_for("generic", None, session) is None
    assert isinstance(
        connector_for(
            "shopify", ShopifyCredentials("https://a.myshopify.com", "t", "s", "1"), session
        ),
        ShopifyConnector,
    )
    assert isinstance(
        connector_for(
            "woocommerce", WooCommerceCredentials("https://a.example", "k", "s", "w"), session
        ),
        WooCommerceConnector,
    )
    assert isinstance(
        connector_for("prestashop", PrestaShopCredentials("https://a.example", "K"), session),
        PrestaShopConnector,
    )


def test_an_unknown_platform_or_the_wrong_credentials_say_so() -> None:
    session = requests.Session()

    with pytest.raises(ValueError, match="'magento' is not a platform the warehouse knows"):
        connector_for("magento", None, session)
    with pytest.raises(TypeError, match="A shopify channel needs ShopifyCredentials"):
        connector_for("shopify", PrestaShopCredentials("https://a.example", "K"), session)


def test_secrets_never_show_in_a_repr() -> None:
    shown = repr(ShopifyCredentials("https://a.myshopify.com", "shpat_TOKEN", "CLIENTSECRET", "1"))
    shown += repr(WooCommerceCredentials("https://a.example", "ck_KEY", "cs_SECRET", "WHSECRET"))
    shown += repr(PrestaShopCredentials("https://a.example", "WSKEY"))

    for secret in ("shpat_TOKEN", "CLIENTSECRET", "ck_KEY", "cs_SECRET", "WHSECRET", "WSKEY"):
        assert secret not in shown


def test_keys_travel_over_https_only_except_to_this_machine() -> None:
    assert check_base_url("https://shop.example/", "WooCommerce") == "https://shop.example"
    assert check_base_url("http://127.0.0.1:8080", "WooCommerce") == "http://127.0.0.1:8080"
    assert check_base_url("http://localhost:8080", "WooCommerce") == "http://localhost:8080"
    with pytest.raises(PlatformRefused, match="must start with https://"):
        check_base_url("http://shop.example", "WooCommerce")
    with pytest.raises(PlatformRefused, match="must be a web address"):
        check_base_url("shop.example", "WooCommerce")


def test_retry_after_is_read_in_seconds_or_as_a_date() -> None:
    now = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

    assert parse_retry_after("2.0") == 2.0
    assert parse_retry_after("Mon, 02 Mar 2026 09:00:30 GMT", now) == 30.0
    assert parse_retry_after("Mon, 02 Mar 2026 08:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_shop_that_cannot_be_reached_is_unavailable_not_an_error() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    connector = WooCommerceConnector(WooCommerceCredentials(url, "k", "s", "w"), requests.Session())

    with pytest.raises(PlatformUnavailable, match="WooCommerce could not be reached") as caught:
        connector.set_stock([StockFigure("1", 1)])

    assert caught.value.retry_after is None


def test_a_shop_that_does_not_answer_in_time_is_unavailable() -> None:
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        connector = PrestaShopConnector(
            PrestaShopCredentials(url, "K"), requests.Session(), timeout=0.2
        )

        with pytest.raises(PlatformUnavailable, match=r"did not answer within 0\.2 s"):
            connector.test_connection()
