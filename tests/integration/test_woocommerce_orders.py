"""WooCommerce orders in: the documented order body, signed as WooCommerce signs it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.invariants import assert_invariants
from tests.shops import (
    changed,
    example,
    lines_of,
    post_woocommerce,
    receipts,
    shop_orders,
    signature,
    warehouse_orders,
)
from wms.channels.models import Channel, ShippingMethod
from wms.core.models import OrderStatus
from wms.extensions import db
from wms.inventory.models import ProductStock

ORDER = example("woocommerce-order.json")
# Line 1: no SKU, product 93 (no variation). Line 2: SKU Bar3, product 22, variation 23.


def shop_with_both(make: Factories, on_hand: int = 5) -> tuple[Channel, Any, Any]:
    channel = make.shop_channel("woocommerce")
    single, shirt = make.product(), make.product()
    location = make.location()
    make.stock(single, location, on_hand)
    make.stock(shirt, location, on_hand)
    make.map_item(channel, single, "93")
    make.map_item(channel, shirt, "22", "23", sku="Bar3")
    return channel, single, shirt


def test_the_documented_order_becomes_a_warehouse_order(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, single, shirt = shop_with_both(make)
    with app.app_context():
        db.session.add(
            ShippingMethod(
                channel_id=channel.id, platform_method="flat_rate", service_level="express"
            )
        )
        db.session.commit()

    response = post_woocommerce(client, channel, ORDER)

    assert response.status_code == 200, response.json
    assert response.json["state"] == "accepted"
    with app.app_context():
        (kept,) = shop_orders(channel)
        (order,) = warehouse_orders(channel)
        assert kept.platform_order_id == "727" and kept.name == "#727" and kept.raw == ORDER
        assert order.external_id == "727" and order.service_level == "express"
        assert order.ship_to["city"] == "San Francisco"
        assert not order.capture_before_ship  # processing: paid
        lines = [(ln.product_id, ln.qty, ln.qty_reserved) for ln in lines_of(order.id)]
        assert sorted(lines) == sorted([(single.id, 2, 2), (shirt.id, 1, 1)])


def test_the_creation_ping_is_answered_exactly_200(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel = make.shop_channel("woocommerce")
    response = client.post(
        f"/api/v1/channels/{channel.code}/woocommerce",
        data=b"webhook_id=12",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    with app.app_context():
        assert shop_orders(channel) == [] and receipts(channel) == []
        assert db.session.get(Channel, channel.id).bad_signatures == 0


def test_one_tampered_byte_is_refused_and_nothing_is_stored(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, _, _ = shop_with_both(make)
    tampered = ORDER.replace(b'"quantity": 2', b'"quantity": 3', 1)
    assert tampered != ORDER and len(tampered) == len(ORDER)

    response = client.post(
        f"/api/v1/channels/{channel.code}/woocommerce",
        data=tampered,
        headers={
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": "order.created",
            "X-WC-Webhook-Signature": signature(f"secret-{channel.code}", ORDER),
            "X-WC-Webhook-Delivery-ID": "tampered",
        },
    )

    assert response.status_code == 401 and response.json["code"] == "bad_signature"
    with app.app_context():
        assert shop_orders(channel) == [] and warehouse_orders(channel) == []
        assert receipts(channel) == []
        assert db.session.get(Channel, channel.id).bad_signatures == 1


def test_an_unsigned_order_is_refused(app: Flask, client: FlaskClient, make: Factories) -> None:
    channel, _, _ = shop_with_both(make)
    response = client.post(
        f"/api/v1/channels/{channel.code}/woocommerce",
        data=ORDER,
        headers={"Content-Type": "application/json", "X-WC-Webhook-Topic": "order.created"},
    )
    assert response.status_code == 401
    with app.app_context():
        assert shop_orders(channel) == []


def test_the_secret_signs_with_its_html_entities_decoded(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel = make.shop_channel("woocommerce", webhook_secret="fish&amp;chips")
    response = post_woocommerce(client, channel, ORDER, secret="fish&chips")
    assert response.status_code == 200  # verified; its lines are not mapped yet
    assert response.json["state"] == "needs_attention"


def test_the_same_delivery_twice_and_order_updated_change_nothing(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, single, shirt = shop_with_both(make)
    post_woocommerce(client, channel, ORDER, delivery_id="d-1")
    again = post_woocommerce(client, channel, ORDER, delivery_id="d-1")
    updated = post_woocommerce(
        client,
        channel,
        changed(ORDER, date_modified_gmt="2017-03-23T10:00:00", customer_note="leave at door"),
        topic="order.updated",
    )

    assert again.json["status"] == "repeat"
    assert updated.status_code == 200 and updated.json["status"] == "repeat"
    with app.app_context():
        assert len(shop_orders(channel)) == 1 and len(warehouse_orders(channel)) == 1
        assert db.session.get(ProductStock, single.id).qty_reserved == 2
        assert db.session.get(ProductStock, shirt.id).qty_reserved == 1


@pytest.mark.postgres_only
def test_the_same_order_delivered_eight_times_at_once_is_one_order(
    app: Flask, make: Factories
) -> None:
    channel, single, _ = shop_with_both(make)
    start = threading.Barrier(8)

    def deliver(n: int) -> int:
        client = app.test_client()
        start.wait()
        return post_woocommerce(client, channel, ORDER, delivery_id=f"d-{n % 3}").status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(deliver, range(8)))

    assert statuses == [200] * 8
    with app.app_context():
        assert len(shop_orders(channel)) == 1 and len(warehouse_orders(channel)) == 1
        assert db.session.get(ProductStock, single.id).qty_reserved == 2
    assert_invariants(app)


def test_an_empty_sku_without_a_mapping_waits_on_the_desk(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    channel = make.shop_channel("woocommerce")
    single, shirt = make.product(), make.product()
    make.map_item(channel, shirt, "22", "23", sku="Bar3")

    response = post_woocommerce(client, channel, ORDER)

    assert response.json["state"] == "needs_attention"
    assert response.json["reason"].startswith("Line 1 (no SKU")
    assert "product 93" in response.json["reason"]
    with app.app_context():
        (kept,) = shop_orders(channel)
    login("supervisor")
    client.post(f"/desk/shop-orders/{kept.id}/lines/1/map", data={"sku": single.sku})
    client.post(f"/desk/shop-orders/{kept.id}/release")
    with app.app_context():
        (kept,) = shop_orders(channel)
        (order,) = warehouse_orders(channel)
        assert kept.state == "accepted"
        # No stock yet, backorders allowed: both lines wait in line.
        assert order.status == OrderStatus.WAITING
        assert sorted(ln.product_id for ln in lines_of(order.id)) == sorted([single.id, shirt.id])


def test_order_updated_to_cancelled_cancels_the_warehouse_order(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, single, _ = shop_with_both(make)
    post_woocommerce(client, channel, ORDER)

    response = post_woocommerce(
        client,
        channel,
        changed(ORDER, status="cancelled", date_modified_gmt="2017-03-23T10:00:00"),
        topic="order.updated",
    )

    assert response.json["state"] == "cancelled"
    with app.app_context():
        (order,) = warehouse_orders(channel)
        assert order.status == OrderStatus.CANCELLED
        assert db.session.get(ProductStock, single.id).qty_reserved == 0
    assert_invariants(app)


def test_an_on_hold_order_waits_for_payment_until_it_is_processing(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, _, _ = shop_with_both(make)
    post_woocommerce(client, channel, changed(ORDER, status="on-hold", date_paid_gmt=None))
    with app.app_context():
        (order,) = warehouse_orders(channel)
        assert order.capture_before_ship and order.payment_captured_at is None

    post_woocommerce(
        client,
        channel,
        changed(ORDER, date_modified_gmt="2017-03-23T10:00:00"),
        topic="order.updated",
    )
    with app.app_context():
        (order,) = warehouse_orders(channel)
        assert order.payment_captured_at is not None


def test_a_verified_but_unreadable_body_is_202_and_kept_on_the_desk(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    channel, _, _ = shop_with_both(make)

    response = post_woocommerce(client, channel, b'{"id": 728, "line_items": [', delivery_id="x")

    # WooCommerce never sends a delivery again; a failure only counts toward disabling
    # the webhook. So: accepted for the desk, not failed.
    assert response.status_code == 202
    assert response.json["code"] == "payload_unreadable"
    with app.app_context():
        assert shop_orders(channel) == []
        (receipt,) = receipts(channel)
        assert receipt.state == "unreadable" and "not valid JSON" in receipt.reason
    login("supervisor")
    assert "not valid JSON" in client.get("/desk/shop-orders/").get_data(as_text=True)
