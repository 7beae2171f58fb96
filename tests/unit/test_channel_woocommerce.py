"""The WooCommerce connector against the fake WooCommerce REST API v3 on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.shop_base import FakeClock
from tests.fakes.woocommerce_server import FakeWooCommerce
from wms.channels.connectors import (
    PlatformRefused,
    PlatformUnavailable,
    Shipment,
    StockFigure,
    WooCommerceConnector,
    WooCommerceCredentials,
)

EXAMPLE = json.loads(Path("/work/shared/channels/woocommerce-order.json").read_bytes())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake() -> Iterator[FakeWooCommerce]:
    with FakeWooCommerce() as server:
        yield server


@pytest.fixture
def connect(fake: FakeWooCommerce, clock: FakeClock) -> Callable[..., WooCommerceConnector]:
    def make(max_wait: float = 30.0, **changes: Any) -> WooCommerceConnector:
        fields = {
            "site_url": fake.url,
            "consumer_key": fake.consumer_key,
            "consumer_secret": fake.consumer_secret,
            "webhook_secret": fake.webhook_secret,
            **changes,
        }
        return WooCommerceConnector(
            WooCommerceCredentials(**fields),
            requests.Session(),
            sleep=clock.sleep,
            max_wait=max_wait,
        )

    return make


def test_test_connection_counts_the_products(
    fake: FakeWooCommerce, connect: Callable[..., WooCommerceConnector]
) -> None:
    fake.add_product("ELEPHANT", 10)
    fake.add_product("GIRAFFE", 3)

    assert connect().test_connection() == f"Connected to WooCommerce at {fake.url}: 2 products."


def test_wrong_keys_are_a_refusal_with_woocommerces_words(
    connect: Callable[..., WooCommerceConnector],
) -> None:
    with pytest.raises(PlatformRefused) as caught:
        connect(consumer_secret="cs_wrong").test_connection()

    assert str(caught.value) == (
        "WooCommerce refused the credentials (HTTP 401): Consumer secret is invalid."
    )


def test_products_and_variations_are_listed_page_by_page(
    fake: FakeWooCommerce, connect: Callable[..., WooCommerceConnector]
) -> None:
    singles = [fake.add_product(f"SKU-{n:03d}", n) for n in range(150)]
    scarf = fake.add_variable("Scarf", {"SCARF-RED": 2, "SCARF-BLUE": None})

    products = connect().list_products()

    assert len(fake.requests_to("GET /products")) == 2  # 100 + 51 at per_page=100
    assert all(r.query["per_page"] == ["100"] for r in fake.requests_to("GET /products"))
    assert [p.key for p in products[:150]] == [str(s["id"]) for s in singles]
    red, blue = products[150:]
    red_id, blue_id = scarf["variations"]
    assert (red.key, red.sku, red.stock) == (f"{scarf['id']}/{red_id}", "SCARF-RED", 2)
    assert (blue.key, blue.variant_id, blue.stock) == (
        f"{scarf['id']}/{blue_id}",
        str(blue_id),
        None,
    )
    assert red.title == "Scarf - SCARF-RED"


def test_set_stock_then_read_stock_gives_the_figures_sent_in_batches_of_100(
    fake: FakeWooCommerce, connect: Callable[..., WooCommerceConnector]
) -> None:
    for n in range(230):
        fake.add_product(f"SKU-{n:03d}", 5)
    fake.add_variable("Scarf", {"SCARF-RED": 2, "SCARF-BLUE": None})
    connector = connect()
    figures = [StockFigure(p.key, i % 7) for i, p in enumerate(connector.list_products())]

    result = connector.set_stock(figures)

    assert result.refused == {}
    assert connector.read_stock() == {f.key: f.qty for f in figures}
    sizes = [len(json.loads(r.body)["update"]) for r in fake.requests_to("POST /products/batch")]
    assert sizes == [100, 100, 30]
    variation_batch = json.loads(fake.requests_to("POST /products/{id}/variations/batch")[0].body)
    assert all(u["manage_stock"] is True for u in variation_batch["update"])


def test_an_unknown_product_is_refused_while_the_rest_of_its_batch_lands(
    fake: FakeWooCommerce, connect: Callable[..., WooCommerceConnector]
) -> None:
    elephant = fake.add_product("ELEPHANT", 10)

    result = connect().set_stock([StockFigure("999999", 3), StockFigure(str(elephant["id"]), 4)])

    assert result.pushed == (str(elephant["id"]),)
    assert result.refused == {"999999": "WooCommerce refused this item's figure: Invalid ID."}
    assert fake.stock_of(str(elephant["id"])) == 4


def test_429_and_503_are_waited_out_as_told_then_sent_again(
    fake: FakeWooCommerce, connect: Callable[..., WooCommerceConnector], clock: FakeClock
) -> None:
    elephant = fake.add_product("ELEPHANT", 10)
    fake.fail_next("POST /products/batch", status=429, retry_after=3)
    fake.fail_next("POST /products/batch", status=503)  # no Retry-After: a short doubling wait

    connect().set_stock([StockFigure(str(elephant["id"]), 1)])

    assert clock.sleeps == [3.0, 2.0]
    assert fake.stock_of(str(elephant["id"])) == 1


def test_a_retry_after_beyond_the_allowed_wait_is_handed_back(
    fake: FakeWooCommerce, connect: Callable[..., WooCommerceConnector], clock: FakeClock
) -> None:
    elephant = fake.add_product("ELEPHANT", 10)
    fake.fail_next("POST /products/batch", status=429, retry_after=120)

    with pytest.raises(PlatformUnavailable) as caught:
        connect(max_wait=30).set_stock([StockFigure(str(elephant["id"]), 1)])

    assert caught.value.retry_after == 120
    assert clock.sleeps == []
    assert fake.stock_of(str(elephant["id"])) == 10


def test_fulfil_completes_the_order_with_a_customer_note_holding_the_tracking(
    fake: FakeWooCommerce, connect: Callable[..., WooCommerceConnector]
) -> None:
    fake.add_order(EXAMPLE)
    parcel = Shipment(
        "1Z999AA10123456784", "UPS", "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    )

    connect().fulfil("727", parcel)
    connect().fulfil("727", parcel)  # retried: no second note

    assert fake.orders[727]["status"] == "completed"
    assert [(n["note"], n["customer_note"]) for n in fake.notes[727]] == [
        (
            "Your order has shipped with UPS, tracking number 1Z999AA10123456784."
            " Follow it at https://www.ups.com/track?tracknum=1Z999AA10123456784",
            True,
        )
    ]


def test_a_parcel_that_is_not_the_last_leaves_the_order_processing(
    fake: FakeWooCommerce, connect: Callable[..., WooCommerceConnector]
) -> None:
    fake.add_order(EXAMPLE)

    connect().fulfil("727", Shipment("PART-1", "UPS", final=False))

    assert fake.orders[727]["status"] == "processing"
    assert [n["note"] for n in fake.notes[727]] == [
        "Your order has shipped with UPS, tracking number PART-1."
    ]


def test_a_delay_is_a_customer_note_and_a_remark_a_private_one(
    fake: FakeWooCommerce, connect: Callable[..., WooCommerceConnector]
) -> None:
    fake.add_order(EXAMPLE)

    connect().add_note("727", "Bar3 ships on 12 March.", customer_facing=True)
    connect().add_note("727", "Held for a count.", customer_facing=False)

    assert [(n["note"], n["customer_note"]) for n in fake.notes[727]] == [
        ("Bar3 ships on 12 March.", True),
        ("Held for a count.", False),
    ]


def test_fulfilling_an_unknown_order_is_refused(
    connect: Callable[..., WooCommerceConnector],
) -> None:
    with pytest.raises(PlatformRefused, match=r"no such record \(HTTP 404\): Invalid order ID"):
        connect().fulfil("4242", Shipment("T", "UPS"))
