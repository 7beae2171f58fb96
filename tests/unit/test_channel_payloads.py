"""Each platform's documented example payload, read byte for byte from ../shared/channels."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from wms.channels.connectors import (
    PayloadError,
    PlatformLine,
    PrestaShopConnector,
    PrestaShopCredentials,
    ShopifyConnector,
    ShopifyCredentials,
    WooCommerceConnector,
    WooCommerceCredentials,
)
from wms.channels.connectors.prestashop_xml import (
    parse_prestashop_address,
    parse_xml,
    records,
)

EXAMPLES = Path("/work/shared/channels")


def example(name: str) -> bytes:
    return (EXAMPLES / name).read_bytes()


@pytest.fixture
def shopify() -> ShopifyConnector:
    credentials = ShopifyCredentials("https://knit.myshopify.com", "token", "secret", "655441491")
    return ShopifyConnector(credentials, requests.Session())


@pytest.fixture
def woocommerce() -> WooCommerceConnector:
    credentials = WooCommerceCredentials("https://shop.example", "ck", "cs", "whsec")
    return WooCommerceConnector(credentials, requests.Session())


@pytest.fixture
def prestashop() -> PrestaShopConnector:
    credentials = PrestaShopCredentials("https://boutique.example", "KEY", timezone="Europe/Paris")
    return PrestaShopConnector(credentials, requests.Session())


# ------------------------------------------------------------------ Shopify


def test_the_shopify_example_order_reads_with_its_ids_names_and_address(
    shopify: ShopifyConnector,
) -> None:
    order = shopify.parse_order(example("shopify-orders-create.json"))

    assert order.order_id == "450789469"
    assert (order.name, order.number) == ("#1001", "1001")
    assert order.customer_name == "Bob Norman"
    assert order.customer_email == "bob.norman@mail.example.com"
    assert dict(order.ship_to) == {
        "name": "Bob Norman",
        "company": "",
        "street1": "Chestnut Street 92",
        "street2": "",
        "city": "Louisville",
        "state": "KY",
        "zip": "40202",
        "country": "US",
        "phone": "+1(502)-459-2181",
        "email": "bob.norman@mail.example.com",
    }
    assert (order.shipping_code, order.shipping_title) == ("Free Shipping", "Free Shipping")
    assert order.placed_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert order.payment == "paid"  # partially_refunded: it was paid
    assert order.cancelled is False
    assert order.raw_updated_at == "2008-01-10T11:00:00-05:00"
    assert (order.currency, order.total) == ("USD", Decimal("598.94"))


def test_shopify_lines_refunded_in_full_are_not_part_of_the_warehouse_order(
    shopify: ShopifyConnector,
) -> None:
    # The example's green and black iPods were refunded (current_quantity 0); the red one stands.
    order = shopify.parse_order(example("shopify-orders-create.json"))

    assert order.lines == (
        PlatformLine(
            sku="IPOD2008RED",
            qty=1,
            product_id="632910392",
            variant_id="49148385",
            line_id="518995019",
            title="IPod Nano - 8gb - red",
        ),
    )


def test_a_shopify_order_as_created_keeps_every_line_and_an_authorisation_is_to_capture(
    shopify: ShopifyConnector,
) -> None:
    data = json.loads(example("shopify-orders-create.json"))
    for item in data["line_items"]:
        item["current_quantity"] = item["quantity"]
    data["financial_status"] = "authorized"

    order = shopify.parse_order(data)

    assert [(line.sku, line.qty, line.variant_id) for line in order.lines] == [
        ("IPOD2008GREEN", 1, "39072856"),
        ("IPOD2008RED", 1, "49148385"),
        ("IPOD2008BLACK", 1, "457924702"),
    ]
    assert order.payment == "authorized"


def test_a_64_bit_shopify_id_is_kept_to_the_last_digit(shopify: ShopifyConnector) -> None:
    raw = example("shopify-orders-create.json")
    # 2**63 - 1 and a variant id past 2**53: a float would round both.
    raw = raw.replace(b'"id": 450789469,', b'"id": 9223372036854775807,', 1)
    raw = raw.replace(b'"variant_id": 49148385,', b'"variant_id": 9007199254740993,')

    order = shopify.parse_order(raw)

    assert order.order_id == "9223372036854775807"
    assert order.lines[0].variant_id == "9007199254740993"
    assert float(order.lines[0].variant_id) == 9007199254740992  # what a float would have said


def test_an_id_that_came_through_a_float_is_refused_not_rounded(shopify: ShopifyConnector) -> None:
    raw = example("shopify-orders-create.json").replace(
        b'"id": 450789469,', b'"id": 4.50789469e8,', 1
    )

    with pytest.raises(PayloadError, match="The field id is not a whole number"):
        shopify.parse_order(raw)


def test_an_unreadable_shopify_payload_says_why_in_one_sentence(shopify: ShopifyConnector) -> None:
    with pytest.raises(PayloadError, match=r"^The order is not valid JSON"):
        shopify.parse_order(b'{"id": 1,')
    with pytest.raises(PayloadError, match="has no line items"):
        shopify.parse_order(b'{"id": 1, "line_items": [], "created_at": "2026-01-01T00:00:00Z"}')


# -------------------------------------------------------------- WooCommerce


def test_the_woocommerce_example_order_reads_with_its_lines_and_address(
    woocommerce: WooCommerceConnector,
) -> None:
    order = woocommerce.parse_order(example("woocommerce-order.json"))

    assert (order.order_id, order.name, order.number) == ("727", "#727", "727")
    assert order.customer_name == "John Doe"
    assert order.customer_email == "john.doe@example.com"
    assert dict(order.ship_to) == {
        "name": "John Doe",
        "company": "",
        "street1": "969 Market",
        "street2": "",
        "city": "San Francisco",
        "state": "CA",
        "zip": "94103",
        "country": "US",
        "phone": "(555) 555-5555",
        "email": "john.doe@example.com",
    }
    assert (order.shipping_code, order.shipping_title) == ("flat_rate", "Flat Rate")
    assert order.placed_at == datetime(2017, 3, 22, 19, 28, 2, tzinfo=UTC)  # date_created_gmt
    assert order.payment == "paid"  # processing
    assert order.cancelled is False
    assert (order.currency, order.total) == ("USD", Decimal("29.35"))


def test_a_woocommerce_line_without_a_sku_keeps_its_product_and_variation_ids(
    woocommerce: WooCommerceConnector,
) -> None:
    order = woocommerce.parse_order(example("woocommerce-order.json"))

    assert order.lines == (
        PlatformLine(
            sku="", qty=2, product_id="93", variant_id="", line_id="315", title="Woo Single #1"
        ),
        PlatformLine(
            sku="Bar3",
            qty=1,
            product_id="22",
            variant_id="23",
            line_id="316",
            title="Ship Your Idea \u2013 Color: Black, Size: M Test",  # &ndash; decoded
        ),
    )


@pytest.mark.parametrize(
    ("status", "payment", "cancelled"),
    [
        ("pending", "pending", False),
        ("on-hold", "pending", False),
        ("completed", "paid", False),
        ("cancelled", "pending", True),
        ("failed", "pending", True),
    ],
)
def test_woocommerce_statuses_map_to_payment_and_cancellation(
    woocommerce: WooCommerceConnector, status: str, payment: str, cancelled: bool
) -> None:
    data = json.loads(example("woocommerce-order.json"))
    data.update(
        status=status, date_paid_gmt=None if payment == "pending" else "2017-03-22T19:28:08"
    )

    order = woocommerce.parse_order(data)

    assert (order.payment, order.cancelled) == (payment, cancelled)


def test_a_woocommerce_order_shipped_to_no_name_is_addressed_to_the_buyer(
    woocommerce: WooCommerceConnector,
) -> None:
    data = json.loads(example("woocommerce-order.json"))
    data["shipping"].update(first_name="", last_name="")
    data["billing"].update(first_name="Ada", last_name="Lovelace")

    order = woocommerce.parse_order(data)

    assert (order.customer_name, order.ship_to["name"]) == ("Ada Lovelace", "Ada Lovelace")


def test_a_line_that_is_not_an_object_makes_the_order_unreadable(
    shopify: ShopifyConnector, woocommerce: WooCommerceConnector
) -> None:
    shop = json.loads(example("shopify-orders-create.json"))
    shop["line_items"].append("a string")
    woo = json.loads(example("woocommerce-order.json"))
    woo["line_items"].insert(0, 7)

    with pytest.raises(PayloadError, match=r"Line \d+ of order 450789469 is not an object"):
        shopify.parse_order(json.dumps(shop).encode())
    with pytest.raises(PayloadError, match="Line 1 of order 727 is not an object"):
        woocommerce.parse_order(woo)


# --------------------------------------------------------------- PrestaShop


def test_the_prestashop_example_order_reads_with_its_references(
    prestashop: PrestaShopConnector,
) -> None:
    order = prestashop.parse_order(example("prestashop-order.xml"))

    assert (order.order_id, order.name) == ("5", "KHWLILZLL")
    assert [
        (line.sku, line.qty, line.product_id, line.variant_id, line.line_id) for line in order.lines
    ] == [
        ("demo_1", 1, "1", "1", "13"),
        ("demo_2", 1, "2", "7", "14"),
        ("demo_3", 1, "3", "13", "15"),
    ]
    assert order.lines[1].title == "Blouse - Color : Black, Size : S"
    assert order.shipping_code == "2"  # id_carrier, for the channel's service-level table
    # date_add is the shop's local time: 01:02:12 in Paris is 00:02:12 UTC in January.
    assert order.placed_at == datetime(2019, 1, 30, 0, 2, 12, tzinfo=UTC)
    assert order.raw_updated_at == "2019-01-30 01:02:13"
    assert order.payment == "pending"  # valid 0: awaiting the bank wire
    assert order.cancelled is False
    assert order.total == Decimal("71.510000")


def test_the_prestashop_example_address_reads_into_the_warehouse_address() -> None:
    element = records(parse_xml(example("prestashop-address.xml")), "addresses", "address")[0]

    address = parse_prestashop_address(element, countries={"21": "US"}, states={"9": "FL"})

    assert address == {
        "name": "John DOE",
        "company": "My Company",
        "street1": "16, Main street",
        "street2": "2nd floor",
        "city": "Miami",
        "state": "FL",
        "zip": "33133",
        "country": "US",
        "phone": "0102030405",
    }


def test_a_cancelled_prestashop_order_is_flagged(prestashop: PrestaShopConnector) -> None:
    raw = example("prestashop-order.xml").replace(
        b'/order_states/10"><![CDATA[10]]>', b'/order_states/6"><![CDATA[6]]>'
    )

    assert prestashop.parse_order(raw).cancelled is True


def test_xml_declaring_entities_is_refused_before_any_is_expanded(
    prestashop: PrestaShopConnector,
) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><prestashop><order><id>&lol2;</id>'
        b"</order></prestashop>"
    )

    with pytest.raises(PayloadError, match="declares a document type"):
        prestashop.parse_order(bomb)


def test_broken_prestashop_xml_is_one_sentence(prestashop: PrestaShopConnector) -> None:
    with pytest.raises(PayloadError, match=r"^The order is not valid XML"):
        prestashop.parse_order(b"<prestashop><order><id>5</id>")
