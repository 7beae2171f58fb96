"""Webhook signatures, each platform's way, over the documented example bodies byte for byte.

The unit tests sign by hand, from the platforms' documented formulas; the delivery
tests have the fake platforms sign and post, to an endpoint that answers as the
app's will: 200 for a verified delivery or a ping, 401 for a bad signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from tests.fakes.shop_base import HookCatcher
from tests.fakes.shopify_server import FakeShopify
from tests.fakes.woocommerce_server import FakeWooCommerce
from wms.channels.connectors import (
    Connector,
    PrestaShopConnector,
    PrestaShopCredentials,
    ShopifyConnector,
    ShopifyCredentials,
    WooCommerceConnector,
    WooCommerceCredentials,
)

EXAMPLES = Path("/work/shared/channels")
SHOPIFY_BODY = (EXAMPLES / "shopify-orders-create.json").read_bytes()
WOO_BODY = (EXAMPLES / "woocommerce-order.json").read_bytes()


def sign(key: bytes, body: bytes) -> str:
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()


def tampered(body: bytes, at: int) -> bytes:
    return body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]


def shopify_with(secret: str) -> ShopifyConnector:
    credentials = ShopifyCredentials("https://knit.myshopify.com", "token", secret, "1")
    return ShopifyConnector(credentials, requests.Session())


def woocommerce_with(secret: str) -> WooCommerceConnector:
    credentials = WooCommerceCredentials("https://shop.example", "ck", "cs", secret)
    return WooCommerceConnector(credentials, requests.Session())


# ------------------------------------------------------------------ Shopify


def shopify_headers(body: bytes, secret: str = "hush", topic: str = "orders/create") -> dict:
    return {
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(secret.encode(), body),
        "X-Shopify-Shop-Domain": "knit.myshopify.com",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
    }


def test_a_shopify_webhook_signed_with_the_client_secret_verifies() -> None:
    check = shopify_with("hush").verify_webhook(shopify_headers(SHOPIFY_BODY), SHOPIFY_BODY)

    assert check.status == "ok"
    assert check.topic == "orders/create"
    assert check.dedup_key == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert check.event_id == "98880550-7158-44d4-b7cd-2c97c8a091b5"


@pytest.mark.parametrize("at", [0, len(SHOPIFY_BODY) // 2, len(SHOPIFY_BODY) - 1])
def test_one_tampered_byte_in_a_shopify_body_fails_the_signature(at: int) -> None:
    headers = shopify_headers(SHOPIFY_BODY)

    check = shopify_with("hush").verify_webhook(headers, tampered(SHOPIFY_BODY, at))

    assert check.status == "bad-signature"


def test_a_shopify_webhook_signed_with_another_secret_or_unsigned_is_refused() -> None:
    connector = shopify_with("hush")
    headers = shopify_headers(SHOPIFY_BODY, secret="not-ours")
    unsigned = {k: v for k, v in headers.items() if k != "X-Shopify-Hmac-Sha256"}

    assert connector.verify_webhook(headers, SHOPIFY_BODY).status == "bad-signature"
    assert connector.verify_webhook(unsigned, SHOPIFY_BODY).status == "bad-signature"
    assert (
        connector.verify_webhook(
            {**headers, "X-Shopify-Hmac-Sha256": "not base64!"}, SHOPIFY_BODY
        ).status
        == "bad-signature"
    )


def test_shopify_header_names_are_read_whatever_their_case() -> None:
    headers = {k.lower(): v for k, v in shopify_headers(SHOPIFY_BODY).items()}

    assert shopify_with("hush").verify_webhook(headers, SHOPIFY_BODY).status == "ok"


def test_a_verified_shopify_topic_the_warehouse_does_not_act_on_is_not_applicable() -> None:
    headers = shopify_headers(SHOPIFY_BODY, topic="products/update")

    check = shopify_with("hush").verify_webhook(headers, SHOPIFY_BODY)

    assert check.status == "not-applicable"
    assert "products/update" in check.reason


# -------------------------------------------------------------- WooCommerce


def woo_headers(body: bytes, key: bytes, topic: str = "order.created") -> dict:
    return {
        "X-WC-Webhook-Topic": topic,
        "X-WC-Webhook-Resource": topic.split(".")[0],
        "X-WC-Webhook-Event": topic.split(".")[1],
        "X-WC-Webhook-Signature": sign(key, body),
        "X-WC-Webhook-ID": "7",
        "X-WC-Webhook-Delivery-ID": "3b5a1c1f0c6e8b1d6c0e0f3e2a1b9c8d",
    }


def test_a_woocommerce_webhook_signed_with_its_secret_verifies() -> None:
    check = woocommerce_with("whsec").verify_webhook(woo_headers(WOO_BODY, b"whsec"), WOO_BODY)

    assert check.status == "ok"
    assert check.topic == "order.created"
    assert check.dedup_key == "3b5a1c1f0c6e8b1d6c0e0f3e2a1b9c8d"


def test_woocommerce_signs_with_the_secret_after_decoding_its_html_entities() -> None:
    # WordPress stores "s3cr&amp;t" for a typed "s3cr&t" and signs with wp_specialchars_decode.
    connector = woocommerce_with("s3cr&amp;t&#039;x")

    assert connector.verify_webhook(woo_headers(WOO_BODY, b"s3cr&t'x"), WOO_BODY).status == "ok"
    assert (
        connector.verify_webhook(woo_headers(WOO_BODY, b"s3cr&amp;t&#039;x"), WOO_BODY).status
        == "bad-signature"
    )


@pytest.mark.parametrize("at", [0, len(WOO_BODY) // 2, len(WOO_BODY) - 1])
def test_one_tampered_byte_in_a_woocommerce_body_fails_the_signature(at: int) -> None:
    check = woocommerce_with("whsec").verify_webhook(
        woo_headers(WOO_BODY, b"whsec"), tampered(WOO_BODY, at)
    )

    assert check.status == "bad-signature"


def test_the_woocommerce_creation_ping_is_recognised_without_a_signature() -> None:
    connector = woocommerce_with("whsec")

    assert connector.verify_webhook({}, b"webhook_id=12").status == "ping"
    assert connector.verify_webhook({}, b"webhook_id=12&x=1").status == "bad-signature"
    assert connector.verify_webhook({}, WOO_BODY).status == "bad-signature"


def test_prestashop_has_no_webhook_to_verify() -> None:
    credentials = PrestaShopCredentials("https://boutique.example", "KEY")
    connector = PrestaShopConnector(credentials, requests.Session())

    assert connector.verify_webhook({}, b"anything").status == "not-applicable"


# ------------------------------------------------- deliveries from the fakes


def answering(connector: Connector) -> Callable[[dict[str, str], bytes], int]:
    """The status the app's endpoint gives: 401 for a bad signature, 200 otherwise."""

    def reply(headers: dict[str, str], raw: bytes) -> int:
        check = connector.verify_webhook(headers, raw)
        if check.status == "ok":
            connector.parse_order(raw)
        return 401 if check.status == "bad-signature" else 200

    return reply


def test_the_fake_shopify_delivers_the_example_signed_and_one_tampered_byte_is_401() -> None:
    with (
        FakeShopify(client_secret="hush") as fake,
        HookCatcher(answering(shopify_with("hush"))) as hook,
    ):
        assert fake.send_webhook(hook.url, "orders/create", SHOPIFY_BODY) == 200
        assert fake.send_webhook(hook.url, "orders/create", SHOPIFY_BODY, tamper_at=500) == 401

    first, second = hook.received
    assert first[1] == SHOPIFY_BODY  # the body arrives byte for byte
    assert sum(a != b for a, b in zip(second[1], SHOPIFY_BODY, strict=True)) == 1


def test_the_fake_woocommerce_ping_gets_exactly_200_and_its_deliveries_verify() -> None:
    connector = woocommerce_with("s3cr&amp;t")
    with (
        FakeWooCommerce(webhook_secret="s3cr&amp;t") as fake,
        HookCatcher(answering(connector)) as hook,
    ):
        assert fake.send_ping(hook.url, webhook_id=12) is True
        assert fake.send_webhook(hook.url, "order.created", WOO_BODY) == 200
        assert fake.send_webhook(hook.url, "order.updated", WOO_BODY, tamper_at=42) == 401

    assert [raw for _, raw, _ in hook.received][:2] == [b"webhook_id=12", WOO_BODY]
