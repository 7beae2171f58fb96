"""Shopify orders in: the documented orders/create body, signed as Shopify signs it,
taken in once through the same intake as the API."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text

from tests.factories import Factories
from tests.invariants import assert_invariants
from tests.shops import (
    changed,
    example,
    lines_of,
    post_shopify,
    receipts,
    shop_orders,
    warehouse_orders,
)
from wms.channels.models import Channel, ShippingMethod
from wms.core.models import OrderStatus
from wms.extensions import db
from wms.inventory.models import ProductStock

ORDER = example("shopify-orders-create.json")
# The example's one line still to ship: IPOD2008RED (the other two have current_quantity 0).
RED_PRODUCT, RED_VARIANT = "632910392", "49148385"


def shop_with_red(make: Factories, on_hand: int = 5, **product: Any) -> tuple[Channel, Any]:
    channel = make.shop_channel("shopify")
    item = make.product(**product)
    if on_hand:
        make.stock(item, make.location(), on_hand)
    make.map_item(channel, item, RED_PRODUCT, RED_VARIANT)
    return channel, item


def test_the_documented_order_becomes_a_warehouse_order(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, item = shop_with_red(make)
    with app.app_context():
        db.session.add(
            ShippingMethod(
                channel_id=channel.id, platform_method="Free Shipping", service_level="economy"
            )
        )
        db.session.commit()

    response = post_shopify(client, channel, ORDER)

    assert response.status_code == 200, response.json
    assert response.json["state"] == "accepted"
    with app.app_context():
        (kept,) = shop_orders(channel)
        (order,) = warehouse_orders(channel)
        assert kept.platform_order_id == "450789469" and kept.name == "#1001"
        assert kept.order_id == order.id and kept.raw == ORDER
        assert order.external_id == "450789469"
        assert order.service_level == "economy"
        assert order.ship_to["city"] == "Louisville" and order.ship_to["country"] == "US"
        assert order.customer_name == "Bob Norman"
        assert not order.capture_before_ship  # partially_refunded: it was paid
        (line,) = lines_of(order.id)
        assert (line.product_id, line.qty, line.qty_reserved) == (item.id, 1, 1)
        assert db.session.get(ProductStock, item.id).qty_reserved == 1


def test_ids_beyond_2_to_the_53_keep_every_digit(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, _ = shop_with_red(make)
    big = 820982911946154508  # from Shopify's test notification; a float would end in ...500
    assert float(big) != big

    response = post_shopify(client, channel, changed(ORDER, id=big))

    assert response.json["state"] == "accepted"
    with app.app_context():
        (kept,) = shop_orders(channel)
        (order,) = warehouse_orders(channel)
        assert kept.platform_order_id == order.external_id == "820982911946154508"


def test_a_line_is_matched_by_its_sku_when_the_shop_has_no_mapping(
    fresh_app: Flask, make_fresh: Factories
) -> None:
    channel = make_fresh.shop_channel("shopify")
    item = make_fresh.product(sku="IPOD2008RED")
    make_fresh.stock(item, make_fresh.location(), 2)

    response = post_shopify(fresh_app.test_client(), channel, ORDER)

    assert response.json["state"] == "accepted"
    with fresh_app.app_context():
        (order,) = warehouse_orders(channel)
        assert [ln.product_id for ln in lines_of(order.id)] == [item.id]


@pytest.fixture
def make_fresh(fresh_app: Flask) -> Factories:
    return Factories(fresh_app)


def test_one_tampered_byte_is_refused_and_nothing_is_stored(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    channel, _ = shop_with_red(make)
    tampered = ORDER.replace(b'"quantity": 1', b'"quantity": 9', 1)
    assert tampered != ORDER and len(tampered) == len(ORDER)

    response = client.post(
        f"/api/v1/channels/{channel.code}/shopify",
        data=tampered,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": post_signature(channel, ORDER),
            "X-Shopify-Webhook-Id": "tampered-1",
        },
    )

    assert response.status_code == 401
    assert response.json["code"] == "bad_signature"
    with app.app_context():
        assert shop_orders(channel) == [] and warehouse_orders(channel) == []
        assert receipts(channel) == []
        assert db.session.get(Channel, channel.id).bad_signatures == 1
    login("supervisor")
    page = client.get("/desk/shop-orders/").get_data(as_text=True)
    assert f'{channel.code} (shopify)</td><td class="num">1</td>' in page


def post_signature(channel: Channel, raw: bytes) -> str:
    from tests.shops import signature

    return signature(f"secret-{channel.code}", raw)


def test_a_wrong_secret_is_refused(app: Flask, client: FlaskClient, make: Factories) -> None:
    channel, _ = shop_with_red(make)
    response = post_shopify(client, channel, ORDER, secret="someone-else")
    assert response.status_code == 401
    with app.app_context():
        assert shop_orders(channel) == []


def test_the_same_delivery_twice_changes_nothing(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, item = shop_with_red(make)
    first = post_shopify(client, channel, ORDER, webhook_id="delivery-1")
    again = post_shopify(client, channel, ORDER, webhook_id="delivery-1")
    # The same order in another delivery (orders/updated with nothing new): a repeat too.
    updated = post_shopify(client, channel, ORDER, topic="orders/updated")

    assert first.json["state"] == "accepted"
    assert again.status_code == 200 and again.json["status"] == "repeat"
    assert updated.status_code == 200 and updated.json["status"] == "repeat"
    with app.app_context():
        assert len(shop_orders(channel)) == 1
        assert len(warehouse_orders(channel)) == 1
        assert db.session.get(ProductStock, item.id).qty_reserved == 1


@pytest.mark.postgres_only
def test_the_same_order_delivered_eight_times_at_once_is_one_order(
    app: Flask, make: Factories
) -> None:
    channel, item = shop_with_red(make)
    start = threading.Barrier(8)

    def deliver(n: int) -> int:
        client = app.test_client()
        start.wait()
        # Half are Shopify's retries of one delivery, half other deliveries of the order.
        webhook_id = "same-delivery" if n % 2 else f"delivery-{n}"
        return post_shopify(client, channel, ORDER, webhook_id=webhook_id).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(deliver, range(8)))

    assert statuses == [200] * 8
    with app.app_context():
        assert len(shop_orders(channel)) == 1
        (order,) = warehouse_orders(channel)
        assert [ln.qty_reserved for ln in lines_of(order.id)] == [1]
        assert db.session.get(ProductStock, item.id).qty_reserved == 1
    verified = app.test_cli_runner().invoke(args=["verify"])
    assert verified.exit_code == 0, verified.output


@pytest.mark.postgres_only
def test_one_delivery_sent_eight_times_at_once_is_taken_once(app: Flask, make: Factories) -> None:
    channel, item = shop_with_red(make)
    start = threading.Barrier(8)

    def deliver(_n: int) -> tuple[int, str]:
        client = app.test_client()
        start.wait()
        answer = post_shopify(client, channel, ORDER, webhook_id="one-delivery")
        return answer.status_code, answer.json["status"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(deliver, range(8)))

    assert sorted(answers) == [(200, "accepted")] + [(200, "repeat")] * 7
    with app.app_context():
        assert len(receipts(channel)) == 1
        assert len(shop_orders(channel)) == 1
        (order,) = warehouse_orders(channel)
        assert [ln.qty_reserved for ln in lines_of(order.id)] == [1]
        assert db.session.get(ProductStock, item.id).qty_reserved == 1
    verified = app.test_cli_runner().invoke(args=["verify"])
    assert verified.exit_code == 0, verified.output


@pytest.mark.postgres_only
def test_orders_create_and_orders_updated_of_one_order_at_once_make_one_order(
    app: Flask, make: Factories
) -> None:
    channel, item = shop_with_red(make)
    updated = changed(ORDER, updated_at="2008-01-10T12:00:00-05:00", note="leave at the door")
    start = threading.Barrier(8)

    def deliver(n: int) -> tuple[int, str]:
        client = app.test_client()
        start.wait()
        if n % 2:
            answer = post_shopify(client, channel, updated, topic="orders/updated")
        else:
            answer = post_shopify(client, channel, ORDER)
        return answer.status_code, answer.json["state"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(deliver, range(8)))

    assert answers == [(200, "accepted")] * 8
    with app.app_context():
        (row,) = shop_orders(channel)
        (order,) = warehouse_orders(channel)
        assert (row.state, row.order_id) == ("accepted", order.id)
        assert [ln.qty_reserved for ln in lines_of(order.id)] == [1]
        assert db.session.get(ProductStock, item.id).qty_reserved == 1
    verified = app.test_cli_runner().invoke(args=["verify"])
    assert verified.exit_code == 0, verified.output


@pytest.mark.postgres_only
def test_orders_create_and_orders_cancelled_of_one_order_at_once_leave_it_cancelled(
    app: Flask, make: Factories
) -> None:
    channel, item = shop_with_red(make)
    cancelled = changed(
        ORDER, cancelled_at="2008-01-10T12:00:00-05:00", updated_at="2008-01-10T12:00:00-05:00"
    )
    start = threading.Barrier(2)

    def deliver(n: int) -> int:
        client = app.test_client()
        start.wait()
        if n:
            return post_shopify(client, channel, cancelled, topic="orders/cancelled").status_code
        return post_shopify(client, channel, ORDER).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(deliver, range(2)))

    assert statuses == [200, 200]
    with app.app_context():
        (row,) = shop_orders(channel)
        assert row.state == "cancelled"
        assert [o.status for o in warehouse_orders(channel)] in ([], [OrderStatus.CANCELLED])
        assert db.session.get(ProductStock, item.id).qty_reserved == 0
    verified = app.test_cli_runner().invoke(args=["verify"])
    assert verified.exit_code == 0, verified.output


@pytest.mark.postgres_only
def test_a_webhook_order_in_stock_is_taken_in_with_five_statements(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    """The receipt, the shop order's row (with the state and the warehouse order's id
    the common case ends in) and the lookups of its lines and their product are one
    statement; the rest is the API's own intake (order, lines, reservation, figures),
    as many statements as the API's: no savepoint, nothing read or written twice."""
    channel, item = shop_with_red(make)
    warm = post_shopify(client, channel, changed(ORDER, id=450789470, name="#7001"))
    assert warm.json["state"] == "accepted"  # the channel is known, its caches are warm
    response, statements = with_statements(app, lambda: post_shopify(client, channel, ORDER))

    assert response.json["state"] == "accepted"
    assert len(statements) <= 5, statements
    assert not [s for s in statements if s.startswith(("SAVEPOINT", "DELETE"))], statements
    with app.app_context():
        assert db.session.get(ProductStock, item.id).qty_reserved == 2
        (row,) = [r for r in shop_orders(channel) if r.platform_order_id == "450789469"]
        assert row.state == "accepted"
        assert row.order_id == response.json["order_id"]
        assert row.order_id in [o.id for o in warehouse_orders(channel)]


@pytest.mark.postgres_only
def test_an_order_for_a_sold_out_product_is_refused_without_writing_it_first(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, item = shop_with_red(make, on_hand=1, allow_backorder=False)
    first = post_shopify(client, channel, changed(ORDER, id=450789470, name="#7001"))
    assert first.json["state"] == "accepted"
    sold_out = changed(ORDER, id=450789471, name="#7002")

    response, statements = with_statements(app, lambda: post_shopify(client, channel, sold_out))

    assert response.json["state"] == "refused"
    # The free units read with the product say there is nothing to take: the order is
    # not written and taken back before the intake says no.
    assert not [s for s in statements if s.startswith("DELETE")], statements
    with app.app_context():
        assert len(warehouse_orders(channel)) == 1
        assert db.session.get(ProductStock, item.id).qty_reserved == 1
    assert_invariants(app)


@pytest.mark.postgres_only
def test_an_order_for_a_sold_out_product_is_refused_in_two_statements(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    """The delivery's statement reads the product's free units with its lookups; when
    they cannot cover the order and the product takes no backorders, the row is written
    refused: no savepoint, no order written, nothing locked."""
    channel, item = shop_with_red(make, on_hand=1, allow_backorder=False)
    first = post_shopify(client, channel, changed(ORDER, id=450789470, name="#7001"))
    assert first.json["state"] == "accepted"
    sold_out = changed(ORDER, id=450789471, name="#7002")

    response, statements = with_statements(app, lambda: post_shopify(client, channel, sold_out))

    assert response.status_code == 200
    assert response.json["state"] == "refused"
    refusal = f"Not enough stock for {item.sku} (short 1)."
    assert response.json["reason"] == refusal
    assert len(statements) <= 2, statements
    assert not [s for s in statements if s.startswith(("SAVEPOINT", "INSERT INTO orders"))]
    with app.app_context():
        (row,) = [r for r in shop_orders(channel) if r.platform_order_id == "450789471"]
        assert (row.state, row.order_id) == ("refused", None)
        assert row.reason == refusal
        assert len(warehouse_orders(channel)) == 1
        assert db.session.get(ProductStock, item.id).qty_reserved == 1
    assert_invariants(app)


@pytest.mark.postgres_only
def test_the_raw_order_is_kept_whole_and_compressed_with_lz4_where_the_server_offers_it(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    """The body the shop signed stays readable to the byte for the desk; the server
    compresses it with lz4 (cheaper than its default) when it was built with lz4."""
    channel, _item = shop_with_red(make)

    assert post_shopify(client, channel, ORDER).json["state"] == "accepted"

    with app.app_context():
        offered = db.session.scalar(
            text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
        )
        (kept,) = shop_orders(channel)
        method = db.session.scalar(
            text("SELECT pg_column_compression(raw) FROM shop_orders WHERE id = :id"),
            {"id": kept.id},
        )
    assert kept.raw == ORDER
    assert method == ("lz4" if "lz4" in offered else "pglz")


def with_statements(app: Flask, action: Callable[[], Any]) -> tuple[Any, list[str]]:
    """What ``action`` returned, and the statements it ran (their first words)."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()[:3]))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    try:
        return action(), statements
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", count)


def test_an_unmapped_line_waits_on_the_desk_until_mapped_and_released(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    channel = make.shop_channel("shopify")
    item = make.product()
    make.stock(item, make.location(), 3)

    response = post_shopify(client, channel, ORDER)

    assert response.status_code == 200
    assert response.json["state"] == "needs_attention"
    assert "IPOD2008RED" in response.json["reason"]
    with app.app_context():
        (kept,) = shop_orders(channel)
        assert warehouse_orders(channel) == []
    login("supervisor")
    listed = client.get("/desk/shop-orders/").get_data(as_text=True)
    assert "#1001" in listed and "SKU IPOD2008RED" in listed

    mapped = client.post(f"/desk/shop-orders/{kept.id}/lines/1/map", data={"sku": item.sku})
    assert mapped.status_code == 302
    released = client.post(f"/desk/shop-orders/{kept.id}/release")
    assert released.status_code == 302

    with app.app_context():
        (kept,) = shop_orders(channel)
        (order,) = warehouse_orders(channel)
        assert kept.state == "accepted" and kept.order_id == order.id
        assert [(ln.product_id, ln.qty_reserved) for ln in lines_of(order.id)] == [(item.id, 1)]
    assert "#1001" not in client.get("/desk/shop-orders/").get_data(as_text=True)
    # Released once: a second press finds nothing to release.
    assert client.post(f"/desk/shop-orders/{kept.id}/release").status_code == 409
    # The mapping stays: the shop's next order of that item is taken in at once.
    second = post_shopify(client, channel, changed(ORDER, id=450789470, name="#1002"))
    assert second.json["state"] == "accepted"


def test_an_authorised_payment_waits_for_capture_and_orders_paid_records_it(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, _ = shop_with_red(make)
    authorised = changed(ORDER, financial_status="authorized")

    post_shopify(client, channel, authorised)
    with app.app_context():
        (order,) = warehouse_orders(channel)
        assert order.capture_before_ship and order.payment_captured_at is None

    paid = changed(ORDER, financial_status="paid", updated_at="2008-01-10T12:00:00-05:00")
    response = post_shopify(client, channel, paid, topic="orders/paid")
    assert response.status_code == 200
    with app.app_context():
        (order,) = warehouse_orders(channel)
        assert order.payment_captured_at is not None


def test_orders_cancelled_cancels_the_warehouse_order_and_frees_its_units(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, item = shop_with_red(make)
    post_shopify(client, channel, ORDER)
    cancelled = changed(
        ORDER, cancelled_at="2008-01-10T12:00:00-05:00", updated_at="2008-01-10T12:00:00-05:00"
    )

    response = post_shopify(client, channel, cancelled, topic="orders/cancelled")

    assert response.json["state"] == "cancelled"
    with app.app_context():
        (order,) = warehouse_orders(channel)
        assert order.status == OrderStatus.CANCELLED
        assert db.session.get(ProductStock, item.id).qty_reserved == 0
    assert_invariants(app)


def test_an_order_short_of_a_product_without_backorders_is_refused_and_kept(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, item = shop_with_red(make, on_hand=0, allow_backorder=False)

    response = post_shopify(client, channel, ORDER)

    assert response.status_code == 200  # a retry would not change it: the desk shows it
    assert response.json["state"] == "refused"
    assert "short 1" in response.json["reason"]
    with app.app_context():
        assert warehouse_orders(channel) == []
        assert db.session.get(ProductStock, item.id).qty_reserved == 0
    assert_invariants(app)


def test_an_order_short_of_a_product_that_takes_backorders_waits_in_line(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, _ = shop_with_red(make, on_hand=0)
    assert post_shopify(client, channel, ORDER).json["state"] == "accepted"
    with app.app_context():
        (order,) = warehouse_orders(channel)
        assert order.status == OrderStatus.WAITING
        assert [ln.qty_waiting for ln in lines_of(order.id)] == [1]


def test_a_verified_but_unreadable_body_is_503_kept_on_the_desk_and_taken_on_retry(
    app: Flask, client: FlaskClient, make: Factories, login: Any
) -> None:
    channel, _ = shop_with_red(make)
    broken = changed(ORDER, line_items="three iPods")

    response = post_shopify(client, channel, broken, webhook_id="flaky-1")

    assert response.status_code == 503  # Shopify sends it again
    assert response.json["code"] == "payload_unreadable"
    with app.app_context():
        assert shop_orders(channel) == []
        (receipt,) = receipts(channel)
        assert receipt.state == "unreadable" and "no line items" in receipt.reason
    login("supervisor")
    assert "no line items" in client.get("/desk/shop-orders/").get_data(as_text=True)

    retried = post_shopify(client, channel, ORDER, webhook_id="flaky-1")
    assert retried.json["state"] == "accepted"
    with app.app_context():
        (receipt,) = receipts(channel)
        assert receipt.state == "taken" and receipt.attempts == 2


def test_a_channel_of_another_platform_or_code_is_not_found(
    client: FlaskClient, make: Factories
) -> None:
    woo = make.shop_channel("woocommerce")
    assert post_shopify(client, woo, ORDER).status_code == 404


def test_a_cancel_after_packing_is_kept_for_the_desk_with_the_refusal_as_written(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel, _ = shop_with_red(make)
    post_shopify(client, channel, ORDER)
    with app.app_context():
        (order,) = warehouse_orders(channel)
        order.status = OrderStatus.PACKED
        db.session.commit()
        number = order.number
    cancelled = changed(
        ORDER, cancelled_at="2008-01-10T12:00:00-05:00", updated_at="2008-01-10T12:00:00-05:00"
    )

    response = post_shopify(client, channel, cancelled, topic="orders/cancelled")

    assert response.status_code == 200
    assert response.json["reason"] == (
        "Cancelled on the shop, but the warehouse could not stop it: "
        f"Order {number} is packed and can no longer be cancelled."
    )
    with app.app_context():
        (order,) = warehouse_orders(channel)
        assert order.status == OrderStatus.PACKED
