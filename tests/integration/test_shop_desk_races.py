"""Two admins pressing the same shop button at once: one mapping per item, one
whole shipping table, no error answer (PostgreSQL, threads through the endpoints)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import Factories
from tests.fakes.shopify_server import FakeShopify
from wms.channels.models import ChannelProduct, ShippingMethod
from wms.extensions import db

pytestmark = pytest.mark.postgres_only

CLIENTS = 6


@pytest.fixture
def shopify() -> Iterator[FakeShopify]:
    with FakeShopify() as server:
        yield server


def admins(app: Flask, make: Factories) -> list[FlaskClient]:
    clients = []
    for _ in range(CLIENTS):
        user = make.user(role="admin")
        client = app.test_client()
        answer = client.post("/login", data={"username": user.username, "password": "secret-pass"})
        assert answer.status_code == 302
        clients.append(client)
    return clients


def test_an_import_pressed_at_once_maps_each_item_once(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    products = [make.product() for _ in range(5)]
    channel = make.shop_channel(
        "shopify",
        shop_url=shopify.url,
        access_token=shopify.access_token,
        client_secret=shopify.client_secret,
        location_id=str(shopify.location_id),
    )
    for product in products:
        shopify.add_variant(product.sku, 1)
    clients = admins(app, make)
    start = threading.Barrier(CLIENTS)

    def press(client: FlaskClient) -> int:
        start.wait()
        return client.post(f"/desk/shops/{channel.id}/import").status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(press, clients))

    assert statuses == [302] * CLIENTS
    with app.app_context():
        rows = db.session.execute(
            select(ChannelProduct.product_id, func.count())
            .where(ChannelProduct.channel_id == channel.id)
            .group_by(ChannelProduct.product_id)
        ).all()
    assert sorted(rows) == sorted((p.id, 1) for p in products)


def test_shipping_tables_saved_at_once_leave_one_whole_table(app: Flask, make: Factories) -> None:
    channel = make.shop_channel("woocommerce")
    clients = admins(app, make)
    tables = [
        {f"method-{n}-a": "express", f"method-{n}-b": "economy", "flat_rate": "priority"}
        for n in range(CLIENTS)
    ]
    start = threading.Barrier(CLIENTS)

    def save(n: int) -> int:
        start.wait()
        data = {"method": list(tables[n]), "level": list(tables[n].values())}
        return clients[n].post(f"/desk/shops/{channel.id}/shipping", data=data).status_code

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = list(pool.map(save, range(CLIENTS)))

    assert statuses == [302] * CLIENTS
    with app.app_context():
        table = dict(
            db.session.execute(
                select(ShippingMethod.platform_method, ShippingMethod.service_level).where(
                    ShippingMethod.channel_id == channel.id
                )
            ).all()
        )
    assert table in tables
