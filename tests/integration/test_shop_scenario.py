"""The brief's scenario, end to end, as it runs for real: the app under gunicorn, ``flask
worker`` in its own process, and fake Shopify, WooCommerce and PrestaShop shops on
127.0.0.1 that post signed webhooks and take the warehouse's calls.

10 knitted elephants on hand, sold on every shop. Five orders come from Shopify and
five from WooCommerce as signed webhooks: the warehouse and all three shops show 0.
An 11th, polled from PrestaShop, waits in line as a backorder, and its projected date
reaches that shop's customer; an order for the grey elephant, which takes no
backorders, is refused. ``flask verify`` then proves every counter from its rows.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import TEST_CHANNEL_KEY
from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shopify_server import FakeShopify
from tests.fakes.woocommerce_server import FakeWooCommerce
from tests.servers import WorkerProcess, app_server, server_log, verify, wait_for
from tests.shop_fakes import connect_all
from tests.shops import example
from wms.base.clock import local_date, utcnow
from wms.channels.models import Channel, ShopOrder
from wms.core.models import OrderLine
from wms.extensions import db
from wms.inventory.models import ProductStock

SHOPIFY_ORDER = json.loads(example("shopify-orders-create.json"))
WOO_ORDER = json.loads(example("woocommerce-order.json"))


def shopify_order(n: int, variant: Any) -> bytes:
    """The documented order, as order n of the sale: one elephant."""
    order = copy.deepcopy(SHOPIFY_ORDER)
    order_id = 2**53 + 1000 + n
    order.update(
        id=order_id,
        admin_graphql_api_id=f"gid://shopify/Order/{order_id}",
        name=f"#{2000 + n}",
        order_number=2000 + n,
        financial_status="paid",
    )
    line = next(li for li in order["line_items"] if li["sku"] == "IPOD2008RED")
    line.update(
        id=2**53 + 5000 + n,
        sku=variant.sku,
        variant_id=variant.id,
        product_id=variant.product_id,
        quantity=1,
        current_quantity=1,
    )
    order["line_items"] = [line]
    return json.dumps(order).encode()


def woo_order(n: int, product_id: int, sku: str) -> bytes:
    order = copy.deepcopy(WOO_ORDER)
    order.update(id=3000 + n, number=str(3000 + n))
    line = order["line_items"][1]
    line.update(id=9000 + n, product_id=product_id, variation_id=0, sku=sku, quantity=1)
    order["line_items"] = [line]
    return json.dumps(order).encode()


def messages_of(presta: FakePrestaShop, order_id: int) -> list[tuple[str, str]]:
    """The messages on a PrestaShop order's thread: (text, private)."""
    with presta.lock:
        threads = {
            t.findtext("id")
            for t in presta.tables["customer_threads"].values()
            if t.findtext("id_order") == str(order_id)
        }
        return [
            (m.findtext("message") or "", m.findtext("private") or "")
            for m in presta.tables["customer_messages"].values()
            if m.findtext("id_customer_thread") in threads
        ]


def test_ten_elephants_sold_on_three_shops_are_sold_once(
    fresh_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WMS_CHANNEL_KEY", TEST_CHANNEL_KEY)
    url = fresh_app.config["SQLALCHEMY_DATABASE_URI"]
    make = Factories(fresh_app)
    blue = make.product(sku="ELE-BLUE", name="Knitted elephant, blue")
    grey = make.product(sku="ELE-GREY", name="Knitted elephant, grey", allow_backorder=False)
    make.stock(blue, make.location(), 10)
    coming = utcnow() + timedelta(days=6)
    make.inbound([(blue, 20)], coming)

    with FakeShopify() as shopify, FakeWooCommerce() as woo, FakePrestaShop() as presta:
        shops = connect_all(make, shopify, woo, presta)
        # Each shop lists the elephant at the 10 it had before the sale.
        variant = shopify.add_variant("ELE-BLUE", 10, product="Knitted elephant")
        woo_item = woo.add_product("ELE-BLUE", 10, name="Knitted elephant")
        ids = presta.add_product(
            "ELE", name="Knitted elephant", combinations={"ELE-BLUE": 10, "ELE-GREY": 0}
        )
        make.map_item(
            shops.shopify_channel, blue, str(variant.product_id), str(variant.id), "ELE-BLUE"
        )
        make.map_item(shops.woo_channel, blue, str(woo_item["id"]), "", "ELE-BLUE")
        make.map_item(shops.presta_channel, blue, str(ids["ELE"]), str(ids["ELE-BLUE"]))
        make.map_item(shops.presta_channel, grey, str(ids["ELE"]), str(ids["ELE-GREY"]))

        with app_server(url, tmp_path / "server") as base:
            worker = WorkerProcess(url, tmp_path / "worker", "--idle", "0.2", "--chores-every", "1")
            try:
                # The worker's first poll starts PrestaShop's cursor at its newest order.
                wait_for(lambda: cursor_of(fresh_app, shops.presta_channel), "first poll")

                statuses = [
                    shopify.send_webhook(
                        f"{base}/api/v1/channels/{shops.shopify_channel.code}/shopify",
                        "orders/create",
                        shopify_order(n, variant),
                    )
                    for n in range(5)
                ] + [
                    woo.send_webhook(
                        f"{base}/api/v1/channels/{shops.woo_channel.code}/woocommerce",
                        "order.created",
                        woo_order(n, woo_item["id"], "ELE-BLUE"),
                    )
                    for n in range(5)
                ]
                assert statuses == [200] * 10, server_log(tmp_path / "server")

                def every_shop_shows_zero() -> bool:
                    return (
                        shopify.stock_of(variant.inventory_item_id),
                        woo.stock_of(str(woo_item["id"])),
                        presta.stock_of(ids["ELE"], ids["ELE-BLUE"]),
                    ) == (0, 0, 0)

                wait_for(every_shop_shows_zero, "every shop shows 0", seconds=60)
                assert figures(fresh_app, blue.id) == (10, 10, 0)

                # The 11th elephant, and a grey one, ordered on PrestaShop.
                presta.tick()
                eleventh = presta.add_order("WEB11", [(ids["ELE"], ids["ELE-BLUE"], "ELE-BLUE", 1)])
                presta.tick()
                grey_order = presta.add_order(
                    "WEBGREY", [(ids["ELE"], ids["ELE-GREY"], "ELE-GREY", 1)]
                )
                said = (
                    "About your order WEB11: 1 of ELE-BLUE is on backorder; we expect to send "
                    f"it by {coming.day} {coming.strftime('%B %Y')}."
                )
                wait_for(
                    lambda: (said, "0") in messages_of(presta, eleventh),
                    "the backorder's date reaches the PrestaShop customer",
                    seconds=60,
                )
            finally:
                code = worker.stop()
            assert code == 0, worker.output

    assert figures(fresh_app, blue.id) == (10, 10, 1)
    with fresh_app.app_context():
        states = dict(
            db.session.execute(
                select(ShopOrder.platform_order_id, ShopOrder.state).where(
                    ShopOrder.channel_id == shops.presta_channel.id
                )
            ).all()
        )
        assert states == {str(eleventh): "accepted", str(grey_order): "refused"}
        waiting = db.session.scalars(
            select(OrderLine).where(OrderLine.product_id == blue.id, OrderLine.qty_waiting > 0)
        ).one()
        assert waiting.projected_fill_on == local_date(coming)
    assert presta.stock_of(ids["ELE"], ids["ELE-BLUE"]) == 0  # nothing promised twice
    assert verify(url, tmp_path / "verify") == ""


def cursor_of(app: Flask, channel: Channel) -> str | None:
    with app.app_context():
        cursor = db.session.scalar(select(Channel.poll_cursor).where(Channel.id == channel.id))
        db.session.remove()
        return cursor


def figures(app: Flask, product_id: int) -> tuple[int, int, int]:
    """On hand, reserved, waiting."""
    with app.app_context():
        row = db.session.get(ProductStock, product_id)
        result = (row.qty_sellable, row.qty_reserved, row.qty_waiting)
        db.session.remove()
        return result
