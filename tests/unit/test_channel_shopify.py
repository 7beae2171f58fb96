"""The Shopify connector against the fake Shopify's GraphQL Admin API on 127.0.0.1.

Waits are taken on a FakeClock the fake shares, so a throttled test runs at once
and the test reads exactly how long the connector chose to wait.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.fakes.shop_base import FakeClock
from tests.fakes.shopify_server import BIG_ID, FakeShopify
from wms.base.i18n import Number
from wms.channels.connectors import (
    PlatformRefused,
    PlatformUnavailable,
    Shipment,
    ShippedLine,
    ShopifyConnector,
    ShopifyCredentials,
    StockFigure,
)

EXAMPLE = json.loads(Path("/work/shared/channels/shopify-orders-create.json").read_bytes())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeShopify]:
    with FakeShopify(clock=clock) as server:
        yield server


@pytest.fixture
def connect(fake: FakeShopify, clock: FakeClock) -> Callable[..., ShopifyConnector]:
    def make(**changes: Any) -> ShopifyConnector:
        options = {"max_wait": changes.pop("max_wait", 30.0)}
        fields = {
            "shop_url": fake.url,
            "access_token": fake.access_token,
            "client_secret": fake.client_secret,
            "location_id": str(fake.location_id),
            **changes,
        }
        return ShopifyConnector(
            ShopifyCredentials(**fields),
            requests.Session(),
            sleep=clock.sleep,
            clock=clock,
            **options,
        )

    return make


def as_created(**changes: Any) -> dict[str, Any]:
    """The docs' example order as it was when placed: every line still to ship."""
    order = json.loads(json.dumps(EXAMPLE))
    for item in order["line_items"]:
        item["current_quantity"] = item["quantity"]
    order.update(changes)
    return order


# ----------------------------------------------------------- connection


def test_test_connection_names_the_shop_its_location_and_its_product_count(
    connect: Callable[..., ShopifyConnector], fake: FakeShopify
) -> None:
    fake.add_variant("A-1", product="Elephant")
    fake.add_variant("A-2", product="Giraffe")
    fake.add_variant("A-3", product="Owl")

    answer = connect().test_connection()

    assert answer == (
        "Connected to the Shopify shop “Knit Shop” (knit-shop.myshopify.com), 3 products; "
        "stock figures go to the location “Warehouse”."
    )
    assert len(fake.requests_to("POST graphql")) == 1  # one read call


def test_test_connection_says_at_least_when_the_count_reached_shopifys_limit(
    connect: Callable[..., ShopifyConnector], fake: FakeShopify
) -> None:
    for n in range(10_001):  # Shopify stops counting at 10,000 unless told otherwise
        fake.add_variant(f"B-{n}")

    # The number is written the reader's way ("10,000", "10 000") where it is shown.
    assert f", at least {Number(10_000)} products; " in connect().test_connection()


def test_a_wrong_location_or_token_is_a_refusal_in_a_sentence(
    connect: Callable[..., ShopifyConnector],
) -> None:
    with pytest.raises(PlatformRefused, match="has no location with id 42"):
        connect(location_id="42").test_connection()
    with pytest.raises(PlatformRefused, match=r"refused the credentials \(HTTP 401\)"):
        connect(access_token="wrong").test_connection()


# --------------------------------------------------------------- stock


def test_product_listing_pages_through_every_variant_with_exact_ids(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector]
) -> None:
    variants = [fake.add_variant(f"SKU-{n:03d}", n) for n in range(250)]

    products = connect().list_products()

    assert len(fake.requests_to("POST graphql")) == 3  # 100 + 100 + 50
    assert [p.sku for p in products] == [v.sku for v in variants]
    first = products[0]
    assert first.variant_id == str(variants[0].id) and int(first.variant_id) > BIG_ID - 1
    assert first.key == first.inventory_item_id == str(variants[0].inventory_item_id)
    assert [p.stock for p in products] == list(range(250))


def test_an_untracked_or_unstocked_variant_has_no_figure(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector]
) -> None:
    fake.add_variant("GIFT-CARD", 0, tracked=False)
    fake.add_variant("ELSEWHERE", 5, stocked=False)

    assert [p.stock for p in connect().list_products()] == [None, None]


@pytest.mark.parametrize("version", ["2026-07", "2025-10"])
def test_set_stock_then_read_stock_gives_the_figures_sent(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector], version: str
) -> None:
    elephant = fake.add_variant("ELEPHANT", 10)
    giraffe = fake.add_variant("GIRAFFE", 3)
    connector = connect(api_version=version)

    result = connector.set_stock(
        [
            StockFigure(str(elephant.inventory_item_id), 0, "ELEPHANT"),
            StockFigure(str(giraffe.inventory_item_id), 7, "GIRAFFE"),
        ]
    )

    assert result.refused == {}
    assert connector.read_stock() == {
        str(elephant.inventory_item_id): 0,
        str(giraffe.inventory_item_id): 7,
    }
    written = fake.stock_writes[-1]
    assert (written["name"], written["reason"]) == ("available", "correction")


def test_an_unknown_item_is_refused_and_the_rest_of_the_batch_still_lands(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector]
) -> None:
    elephant = fake.add_variant("ELEPHANT", 10)

    result = connect().set_stock(
        [StockFigure("123", 1), StockFigure(str(elephant.inventory_item_id), 4)]
    )

    assert result.pushed == (str(elephant.inventory_item_id),)
    assert result.refused == {
        "123": "Shopify refused this item's figure: "
        "The specified inventory item could not be found."
    }
    assert fake.stock_of(elephant.inventory_item_id) == 4


# ------------------------------------------------------------ throttling


def test_the_connector_waits_for_the_cost_bucket_instead_of_being_throttled(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector], clock: FakeClock
) -> None:
    for n in range(250):
        fake.add_variant(f"SKU-{n:03d}", n)
    fake.throttle(maximum=600, restore_rate=50)

    products = connect().list_products()

    assert len(products) == 250
    # A page costs 502: after the first, 98 points are left; (502 - 98) / 50 = 8.08 s to refill,
    # then (502 - 6) / 50 = 9.92 s; each wait is rounded up to the next tenth past a margin.
    assert clock.sleeps == [8.2, 10.0]
    assert fake.throttled == 0


def test_a_throttled_answer_is_waited_out_and_sent_again(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector], clock: FakeClock
) -> None:
    elephant = fake.add_variant("ELEPHANT", 10)
    fake.throttle(maximum=1000, restore_rate=100, available=0)  # drained by another app

    connect().set_stock([StockFigure(str(elephant.inventory_item_id), 2)])

    assert fake.throttled == 1
    assert clock.sleeps == [0.2]  # the mutation asked for 12 points; 0.12 s, rounded up
    assert fake.stock_of(elephant.inventory_item_id) == 2


def test_a_wait_longer_than_allowed_is_left_to_the_caller_with_retry_after(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector], clock: FakeClock
) -> None:
    for n in range(3):
        fake.add_variant(f"SKU-{n}", n)
    fake.throttle(maximum=1000, restore_rate=10, available=0)

    with pytest.raises(PlatformUnavailable) as caught:
        connect(max_wait=5).list_products()

    assert caught.value.retry_after == pytest.approx(50.3)  # 502 points at 10 a second
    assert clock.sleeps == []


def test_a_429_is_retried_after_the_retry_after_it_gives(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector], clock: FakeClock
) -> None:
    elephant = fake.add_variant("ELEPHANT", 10)
    fake.fail_next("POST graphql", count=2, status=429, retry_after=2)

    connect().set_stock([StockFigure(str(elephant.inventory_item_id), 1)])

    assert clock.sleeps == [2.0, 2.0]
    assert fake.stock_of(elephant.inventory_item_id) == 1


def test_429s_beyond_the_attempts_or_a_5xx_raise_unavailable_and_change_nothing(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector], clock: FakeClock
) -> None:
    elephant = fake.add_variant("ELEPHANT", 10)
    figure = StockFigure(str(elephant.inventory_item_id), 1)
    fake.fail_next("POST graphql", count=4, status=429, retry_after=1)
    with pytest.raises(PlatformUnavailable) as caught:
        connect().set_stock([figure])
    assert caught.value.retry_after == 1.0

    fake.fail_next("POST graphql", status=502)
    with pytest.raises(PlatformUnavailable, match="HTTP 502"):
        connect().set_stock([figure])

    assert fake.stock_of(elephant.inventory_item_id) == 10
    assert len(fake.requests_to("POST graphql")) == 5  # a 5xx is not retried blindly


# ---------------------------------------------------- shipments and payment


def test_fulfil_creates_one_fulfilment_with_the_parcels_one_tracking_number(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector]
) -> None:
    order = fake.add_order(as_created())
    parcel = Shipment(
        "1Z999AA10123456784", "UPS", "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    )

    connect().fulfil("450789469", parcel)
    connect().fulfil("450789469", parcel)  # the outbox retried: nothing more is created

    assert len(order.fulfillments) == 1
    fulfilment = order.fulfillments[0]
    assert fulfilment["tracking"] == [
        {
            "number": "1Z999AA10123456784",
            "company": "UPS",
            "url": "https://www.ups.com/track?tracknum=1Z999AA10123456784",
        }
    ]
    assert sorted(fulfilment["lines"]) == [(466157049, 1), (518995019, 1), (703073504, 1)]
    assert fulfilment["notify"] is True
    assert order.fulfillment_orders[0]["status"] == "CLOSED"


def test_a_parcel_with_some_lines_fulfils_those_lines_only(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector]
) -> None:
    order = fake.add_order(as_created())
    first = Shipment("TRACK-1", "USPS", lines=(ShippedLine(1, line_id="518995019"),))
    second = Shipment("TRACK-2", "USPS", lines=(ShippedLine(1, sku="IPOD2008BLACK"),))

    connect().fulfil("450789469", first)
    connect().fulfil("450789469", second)

    assert [(f["tracking"][0]["number"], f["lines"]) for f in order.fulfillments] == [
        ("TRACK-1", [(518995019, 1)]),
        ("TRACK-2", [(703073504, 1)]),
    ]
    assert order.fulfillment_orders[0]["status"] == "IN_PROGRESS"


def test_fulfilling_an_unknown_order_is_refused(connect: Callable[..., ShopifyConnector]) -> None:
    with pytest.raises(PlatformRefused, match="Shopify has no order 77"):
        connect().fulfil("77", Shipment("T", "UPS"))


def test_an_authorised_payment_is_captured_once(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector]
) -> None:
    order = fake.add_order(as_created(financial_status="authorized"))

    connect().capture_payment("450789469")
    connect().capture_payment("450789469")

    captures = [t for t in order.transactions if t["kind"] == "CAPTURE"]
    assert [c["amount"] for c in captures] == [Decimal("598.94")]


def test_an_order_paid_at_checkout_has_nothing_to_capture(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector]
) -> None:
    order = fake.add_order(as_created(financial_status="paid"))

    connect().capture_payment("450789469")

    assert [t["kind"] for t in order.transactions] == ["SALE"]


def test_a_note_is_added_to_the_order_once(
    fake: FakeShopify, connect: Callable[..., ShopifyConnector]
) -> None:
    order = fake.add_order(as_created())
    order.note = "Gift wrap"

    connect().add_note(
        "450789469", "IPOD2008RED is backordered until 12 March.", customer_facing=True
    )
    connect().add_note(
        "450789469", "IPOD2008RED is backordered until 12 March.", customer_facing=True
    )

    assert order.note == "Gift wrap\nIPOD2008RED is backordered until 12 March."
