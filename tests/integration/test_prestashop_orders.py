"""PrestaShop orders in: the worker polls the shop (a fake PrestaShop webservice on
127.0.0.1 serving the documented order and address) and takes each order in once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask

from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.invariants import assert_invariants
from tests.shops import lines_of, shop_orders, warehouse_orders
from wms.channels.models import Channel
from wms.core.models import OrderStatus
from wms.extensions import db
from wms.inventory.models import ProductStock
from wms.worker import poll_shops


@pytest.fixture
def shop() -> Iterator[FakePrestaShop]:
    with FakePrestaShop() as server:
        yield server


@pytest.fixture
def make_fresh(fresh_app: Flask) -> Factories:
    return Factories(fresh_app)


def run_worker_once(app: Flask) -> str:
    """The real worker, one round: its chores (the poll among them), then deliveries."""
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def connect(make: Factories, shop: FakePrestaShop) -> Channel:
    return make.shop_channel("prestashop", shop_url=shop.url, webservice_key=shop.key)


def cursor_of(app: Flask, channel: Channel) -> str | None:
    with app.app_context():
        return db.session.get(Channel, channel.id).poll_cursor


def touch(shop: FakePrestaShop, order_id: int, **fields: str) -> None:
    """The merchant changes an order: its date_upd moves on."""
    shop.tick(5)
    with shop.lock:
        order = shop.tables["orders"][order_id]
        for name, value in {"date_upd": shop.stamp(), **fields}.items():
            order.find(name).text = value  # type: ignore[union-attr]


def test_a_first_poll_starts_at_the_newest_order_and_takes_none_of_the_history(
    fresh_app: Flask, make_fresh: Factories, shop: FakePrestaShop
) -> None:
    channel = connect(make_fresh, shop)
    run_worker_once(fresh_app)
    assert cursor_of(fresh_app, channel) == "2019-01-30 01:02:13|5"  # the documented order 5
    with fresh_app.app_context():
        assert shop_orders(channel) == [] and warehouse_orders(channel) == []


def test_a_new_order_is_taken_in_once_with_its_delivery_address(
    fresh_app: Flask, make_fresh: Factories, shop: FakePrestaShop
) -> None:
    channel = connect(make_fresh, shop)
    item = make_fresh.product()
    make_fresh.stock(item, make_fresh.location(), 5)
    run_worker_once(fresh_app)  # the cursor starts at the shop's newest order
    shop.tick()
    order_id = shop.add_order("WEBREF001", [(31, 0, item.sku, 2)])

    said = run_worker_once(fresh_app)

    assert f"shop {channel.code}: 1 order(s) taken in" in said
    with fresh_app.app_context():
        (kept,) = shop_orders(channel)
        (order,) = warehouse_orders(channel)
        assert kept.platform_order_id == str(order_id) and kept.name == "WEBREF001"
        assert order.external_id == str(order_id)
        assert order.ship_to["city"] == "Miami" and order.ship_to["state"] == "FL"
        assert order.ship_to["street1"] == "16, Main street"
        assert order.customer_email == "pub@prestashop.com"
        assert [(ln.product_id, ln.qty, ln.qty_reserved) for ln in lines_of(order.id)] == [
            (item.id, 2, 2)
        ]
    cursor = cursor_of(fresh_app, channel)
    assert cursor is not None and cursor.endswith(f"|{order_id}")

    # Seen again by a later poll (the merchant touched it): nothing changes.
    touch(shop, order_id)
    run_worker_once(fresh_app)
    run_worker_once(fresh_app)
    with fresh_app.app_context():
        assert len(shop_orders(channel)) == 1 and len(warehouse_orders(channel)) == 1
        assert db.session.get(ProductStock, item.id).qty_reserved == 2
    assert cursor_of(fresh_app, channel) != cursor  # past the touched order now
    assert_invariants(fresh_app)


def test_a_shop_that_fails_mid_poll_keeps_its_cursor_and_is_read_next_round(
    fresh_app: Flask, make_fresh: Factories, shop: FakePrestaShop
) -> None:
    channel = connect(make_fresh, shop)
    item = make_fresh.product()
    run_worker_once(fresh_app)
    before = cursor_of(fresh_app, channel)
    shop.tick()
    shop.add_order("WEBREF002", [(31, 0, item.sku, 1)])
    shop.fail_next("GET addresses", status=500)

    said = run_worker_once(fresh_app)

    assert f"shop {channel.code} not polled" in said
    assert cursor_of(fresh_app, channel) == before
    with fresh_app.app_context():
        assert shop_orders(channel) == []
    run_worker_once(fresh_app)
    with fresh_app.app_context():
        (kept,) = shop_orders(channel)
        assert kept.state == "accepted"  # no stock, backorders allowed: waits in line
    assert cursor_of(fresh_app, channel) != before


def test_an_unknown_reference_waits_on_the_desk_until_mapped_and_released(
    fresh_app: Flask, make_fresh: Factories, shop: FakePrestaShop
) -> None:
    channel = connect(make_fresh, shop)
    item = make_fresh.product()
    run_worker_once(fresh_app)
    shop.tick()
    shop.add_order("WEBREF003", [(77, 12, "demo_77", 3)])

    run_worker_once(fresh_app)

    with fresh_app.app_context():
        (kept,) = shop_orders(channel)
        assert kept.state == "needs_attention"
        assert "SKU demo_77" in kept.reason and "product 77" in kept.reason
    client = fresh_app.test_client()
    supervisor = make_fresh.user(role="supervisor")
    client.post("/login", data={"username": supervisor.username, "password": "secret-pass"})
    assert "WEBREF003" in client.get("/desk/shop-orders/").get_data(as_text=True)
    client.post(f"/desk/shop-orders/{kept.id}/lines/1/map", data={"sku": item.sku})
    client.post(f"/desk/shop-orders/{kept.id}/release")
    with fresh_app.app_context():
        (kept,) = shop_orders(channel)
        (order,) = warehouse_orders(channel)
        assert kept.state == "accepted" and kept.order_id == order.id
        assert [(ln.product_id, ln.qty) for ln in lines_of(order.id)] == [(item.id, 3)]


def test_an_order_cancelled_on_the_shop_is_cancelled_by_the_next_poll(
    fresh_app: Flask, make_fresh: Factories, shop: FakePrestaShop
) -> None:
    channel = connect(make_fresh, shop)
    item = make_fresh.product()
    make_fresh.stock(item, make_fresh.location(), 4)
    run_worker_once(fresh_app)
    shop.tick()
    order_id = shop.add_order("WEBREF004", [(31, 0, item.sku, 4)])
    run_worker_once(fresh_app)

    touch(shop, order_id, current_state="6")
    run_worker_once(fresh_app)

    with fresh_app.app_context():
        (kept,) = shop_orders(channel)
        (order,) = warehouse_orders(channel)
        assert kept.state == "cancelled" and order.status == OrderStatus.CANCELLED
        assert db.session.get(ProductStock, item.id).qty_reserved == 0
    assert_invariants(fresh_app)


@pytest.mark.postgres_only
def test_two_workers_polling_at_once_take_each_order_once(
    fresh_app: Flask, make_fresh: Factories, shop: FakePrestaShop
) -> None:
    channel = connect(make_fresh, shop)
    item = make_fresh.product()
    make_fresh.stock(item, make_fresh.location(), 10)
    run_worker_once(fresh_app)
    shop.tick()
    for n in range(3):
        shop.add_order(f"TWIN{n}", [(31, 0, item.sku, 1)])
    start = threading.Barrier(4)

    def poll() -> list[str]:
        with fresh_app.app_context():
            start.wait()
            try:
                return poll_shops()
            finally:
                db.session.remove()

    with ThreadPoolExecutor(4) as pool:
        said = [line for lines in pool.map(lambda _: poll(), range(4)) for line in lines]

    assert not [line for line in said if "not polled" in line], said
    with fresh_app.app_context():
        assert len(shop_orders(channel)) == 3 and len(warehouse_orders(channel)) == 3
        assert db.session.get(ProductStock, item.id).qty_reserved == 3
    assert_invariants(fresh_app)
