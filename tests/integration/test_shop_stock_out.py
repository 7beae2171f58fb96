"""Stock out: every change of a product's published figure reaches each shop that sells
it, through the outbox and the real worker, against fake Shopify, WooCommerce and
PrestaShop servers on 127.0.0.1 that answer (and throttle) as the platforms document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import update

from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shopify_server import FakeShopify
from tests.fakes.woocommerce_server import FakeWooCommerce
from tests.shop_fakes import (
    Shops,
    connect_all,
    events_of,
    list_everywhere,
    run_worker_once,
    set_calls,
    stock_keys,
)
from wms.base.clock import today, utcnow
from wms.channels.models import OutboxEvent, OutboxStatus
from wms.extensions import db


@pytest.fixture
def make_fresh(fresh_app: Flask) -> Factories:
    return Factories(fresh_app)


@pytest.fixture
def shops(make_fresh: Factories) -> Iterator[Shops]:
    with FakeShopify() as shopify, FakeWooCommerce() as woo, FakePrestaShop() as presta:
        yield connect_all(make_fresh, shopify, woo, presta)


def test_a_new_figure_reaches_every_shop_that_sells_the_product(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    item = make_fresh.product(safety_stock=2)
    listed = list_everywhere(make_fresh, shops, item, start=99)
    bin_ = make_fresh.location()

    make_fresh.stock(item, bin_, 10)
    run_worker_once(fresh_app)

    # 10 on hand less the safety stock of 2, on all three shops.
    assert listed.figures(shops) == (8, 8, 8)
    # Shopify's inventory item was learned from its product list, once, and kept.
    assert stock_keys(fresh_app, shops.shopify_channel) == {
        item.id: str(listed.variant.inventory_item_id)
    }
    for channel in shops.channels:
        (event,) = events_of(fresh_app, channel, "availability.changed")
        assert event.status == OutboxStatus.DELIVERED

    # An order for 3 from anywhere: every shop shows 5.
    channel, _ = make_fresh.channel()
    make_fresh.order(channel, [(item, 3)])
    run_worker_once(fresh_app)
    assert listed.figures(shops) == (5, 5, 5)
    listings = [r for r in shops.shopify.requests_to("POST graphql") if b"Variants" in r.body]
    assert len(listings) == 1


def test_a_burst_of_changes_sends_the_latest_figure_once_with_many_skus_per_call(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    items = [make_fresh.product() for _ in range(3)]
    listed = [list_everywhere(make_fresh, shops, item) for item in items]
    bin_ = make_fresh.location()
    channel, _ = make_fresh.channel()
    for n, item in enumerate(items):
        make_fresh.stock(item, bin_, 20 + n)
        for _ in range(4):
            make_fresh.order(channel, [(item, 1)])

    run_worker_once(fresh_app)

    assert [one.figures(shops) for one in listed] == [(16, 16, 16), (17, 17, 17), (18, 18, 18)]
    calls = {name: len(c) for name, c in set_calls(shops).items()}
    # Shopify and WooCommerce take the three SKUs in one call; PrestaShop one row each.
    assert calls == {"shopify": 1, "woo": 1, "presta": 3}
    for channel_ in shops.channels:
        sent = [
            e
            for e in events_of(fresh_app, channel_, "availability.changed")
            if e.status == OutboxStatus.DELIVERED
        ]
        assert len(sent) == 3  # fifteen changes, one figure per product


def test_a_product_not_sold_on_a_shop_sends_nothing_and_says_so(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    item = make_fresh.product()
    make_fresh.stock(item, make_fresh.location(), 4)

    said = run_worker_once(fresh_app)

    assert "nothing to send 3" in said
    for channel in shops.channels:
        (event,) = events_of(fresh_app, channel, "availability.changed")
        assert event.status == OutboxStatus.SKIPPED
        assert event.last_error.startswith(f"Nothing to send: no item of the shop {channel.code}")
    assert set_calls(shops) == {"shopify": [], "woo": [], "presta": []}


def test_a_preorder_product_publishes_what_is_left_of_its_preorder_cap(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    item = make_fresh.product(release_on=today() + timedelta(days=30), preorder_cap=40)
    listed = list_everywhere(make_fresh, shops, item, start=0)
    channel, _ = make_fresh.channel()
    make_fresh.order(channel, [(item, 6)])

    run_worker_once(fresh_app)

    assert listed.figures(shops) == (34, 34, 34)


def test_a_429_with_retry_after_makes_the_figure_wait_that_long_untried(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    item = make_fresh.product()
    listed = list_everywhere(make_fresh, shops, item, start=0)
    shops.woo.fail_next("POST /products/batch", count=1, status=429, retry_after=120)
    make_fresh.stock(item, make_fresh.location(), 7)

    run_worker_once(fresh_app)
    run_worker_once(fresh_app)  # not due yet: nothing is sent again

    assert len(set_calls(shops)["woo"]) == 1  # one call, no tight loop
    (event,) = events_of(fresh_app, shops.woo_channel, "availability.changed")
    assert event.status == OutboxStatus.PENDING and event.attempts == 1
    waits = (event.next_attempt_at - utcnow()).total_seconds()
    assert 100 < waits <= 120
    assert "HTTP 429" in event.last_error
    assert listed.figures(shops) == (7, 0, 7)

    # Once the wait is over the same event goes, with the figure as it is then.
    make_fresh.stock(item, make_fresh.location(), 1)
    with fresh_app.app_context():
        db.session.execute(
            update(OutboxEvent).where(OutboxEvent.id == event.id).values(next_attempt_at=utcnow())
        )
        db.session.commit()
    run_worker_once(fresh_app)
    assert listed.figures(shops) == (8, 8, 8)


def test_shopify_throttling_makes_the_figure_wait_for_the_bucket_to_refill(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    item = make_fresh.product()
    listed = list_everywhere(make_fresh, shops, item, start=0)
    make_fresh.stock(item, make_fresh.location(), 3)
    run_worker_once(fresh_app)  # the inventory item is learned; the bucket is full
    assert listed.figures(shops) == (3, 3, 3)
    # The shop's bucket runs dry (another app spends it): 1 point a second comes back.
    shops.shopify.throttle(maximum=1000, restore_rate=1, available=0)
    make_fresh.stock(item, make_fresh.location(), 2)

    run_worker_once(fresh_app)
    run_worker_once(fresh_app)

    assert shops.shopify.throttled == 1  # asked once, told to wait, did not ask again
    events = events_of(fresh_app, shops.shopify_channel, "availability.changed")
    waiting = events[-1]
    assert waiting.status == OutboxStatus.PENDING
    assert "throttl" in waiting.last_error.lower()
    waits = (waiting.next_attempt_at - utcnow()).total_seconds()
    # The mutation's cost (10 points and its answer's fields), refilled at 1 a second.
    assert 10 < waits <= 15
    assert listed.figures(shops) == (3, 5, 5)


def test_an_item_the_shop_refuses_fails_with_the_shops_sentence_and_the_rest_go(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    good, gone = make_fresh.product(), make_fresh.product()
    listed = list_everywhere(make_fresh, shops, good, start=0)
    make_fresh.map_item(shops.woo_channel, gone, "987654", "", gone.sku)  # deleted on the shop
    bin_ = make_fresh.location()
    make_fresh.stock(good, bin_, 4)
    make_fresh.stock(gone, bin_, 4)

    run_worker_once(fresh_app)

    assert listed.figures(shops) == (4, 4, 4)
    by_product = {e.payload["product_id"]: e for e in events_of(fresh_app, shops.woo_channel)}
    assert by_product[good.id].status == OutboxStatus.DELIVERED
    assert by_product[gone.id].status == OutboxStatus.FAILED
    assert by_product[gone.id].last_error.startswith("WooCommerce refused this item's figure")
