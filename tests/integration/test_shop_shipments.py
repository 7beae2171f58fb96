"""Shipments back: a parcel packed and shipped at the station reaches the shop it was
sold on, through the outbox and the real worker: Shopify captures the authorised
payment when the parcel is packed and gets a fulfilment with the tracking; WooCommerce
a customer note with the tracking and the status completed; PrestaShop the order
carrier's tracking number and the shipped state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shopify_server import FakeShopify
from tests.fakes.woocommerce_server import FakeWooCommerce
from tests.integration.test_packing import number, order_state, pack_to_label, scan, text
from tests.invariants import assert_invariants
from tests.shop_fakes import Shops, connect_all, events_of, run_worker_once
from tests.shops import changed, example, post_shopify, post_woocommerce, warehouse_orders
from wms.channels.models import OutboxStatus
from wms.extensions import db
from wms.inventory.models import LocationKind
from wms.shipping.models import Parcel

SHOPIFY_ORDER = example("shopify-orders-create.json")
WOO_ORDER = example("woocommerce-order.json")


@pytest.fixture
def make_fresh(fresh_app: Flask) -> Factories:
    return Factories(fresh_app)


@pytest.fixture
def shops(make_fresh: Factories) -> Iterator[Shops]:
    with FakeShopify() as shopify, FakeWooCommerce() as woo, FakePrestaShop() as presta:
        yield connect_all(make_fresh, shopify, woo, presta)


@pytest.fixture
def desk(fresh_app: Flask, make_fresh: Factories) -> FlaskClient:
    """A packer signed in on the fresh app."""
    client = fresh_app.test_client()
    user = make_fresh.user(role="operator")
    response = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert response.status_code == 302
    return client


def pack(make: Factories, client: FlaskClient, order_id: int, codes: list[str]) -> Any:
    """Stage the order's units in a tote, scan them and a box at a station, weigh it."""
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    make.stage(order_id, tote)
    page = pack_to_label(client, station, tote, codes, make.box().code)
    return station, page


def buy_label_and_ship(app: Flask, client: FlaskClient, station: Any, order_id: int) -> Parcel:
    page = text(scan(client, station, number(order_id)))
    assert "Scan DONE to buy the label" in page, page
    scan(client, station, "CMD-DONE")
    scan(client, station, "CMD-DONE")
    assert order_state(app, order_id)[0] == "shipped"
    with app.app_context():
        parcel = db.session.query(Parcel).filter_by(order_id=order_id).one()
        db.session.expunge(parcel)
        return parcel


def test_shopify_payment_is_captured_at_packing_and_the_parcel_becomes_a_fulfilment(
    fresh_app: Flask, make_fresh: Factories, shops: Shops, desk: FlaskClient
) -> None:
    red = make_fresh.product()
    make_fresh.stock(red, make_fresh.location(), 5)
    # The documented order's one line left to ship, mapped by its product and variant.
    make_fresh.map_item(shops.shopify_channel, red, "632910392", "49148385", "IPOD2008RED")
    authorised = changed(SHOPIFY_ORDER, financial_status="authorized")
    shops.shopify.add_order(json.loads(authorised))
    assert (
        post_shopify(
            desk, shops.shopify_channel, authorised, secret=shops.shopify.client_secret
        ).status_code
        == 200
    )
    with fresh_app.app_context():
        (order,) = warehouse_orders(shops.shopify_channel)
        order_id = order.id
        assert order.capture_before_ship

    station, _ = pack(make_fresh, desk, order_id, [red.sku])
    assert order_state(fresh_app, order_id)[0] == "awaiting_payment"
    assert not shops.shopify.orders[450789469].fulfillments

    run_worker_once(fresh_app)

    captures = [t for t in shops.shopify.orders[450789469].transactions if t["kind"] == "CAPTURE"]
    assert (
        len(captures) == 1
        and captures[0]["amount"] == shops.shopify.orders[450789469].transactions[0]["amount"]
    )
    with fresh_app.app_context():
        (order,) = warehouse_orders(shops.shopify_channel)
        assert order.payment_captured_at is not None
    (ready,) = events_of(fresh_app, shops.shopify_channel, "order.ready_to_ship")
    assert ready.status == OutboxStatus.DELIVERED

    parcel = buy_label_and_ship(fresh_app, desk, station, order_id)
    run_worker_once(fresh_app)
    run_worker_once(fresh_app)  # nothing more to send: one fulfilment

    (fulfilment,) = shops.shopify.orders[450789469].fulfillments
    assert fulfilment["tracking"] == [
        {"number": parcel.tracking_number, "company": "WMS Local", "url": parcel.tracking_url}
    ]
    assert parcel.carrier == "WMS Local" and fulfilment["notify"] is True
    assert fulfilment["lines"] == [(518995019, 1)]
    (shipped,) = events_of(fresh_app, shops.shopify_channel, "order.shipped")
    assert shipped.status == OutboxStatus.DELIVERED
    assert_invariants(fresh_app)


def test_woocommerce_gets_a_customer_note_with_the_tracking_and_the_order_completed(
    fresh_app: Flask, make_fresh: Factories, shops: Shops, desk: FlaskClient
) -> None:
    single, black = make_fresh.product(), make_fresh.product()
    bin_ = make_fresh.location()
    make_fresh.stock(single, bin_, 5)
    make_fresh.stock(black, bin_, 5)
    # Line 1 has no SKU (mapped by its product id), line 2 is variation 23 of product 22.
    make_fresh.map_item(shops.woo_channel, single, "93")
    make_fresh.map_item(shops.woo_channel, black, "22", "23", "Bar3")
    shops.woo.add_order(json.loads(WOO_ORDER))
    response = post_woocommerce(desk, shops.woo_channel, WOO_ORDER, secret=shops.woo.webhook_secret)
    assert response.status_code == 200
    with fresh_app.app_context():
        (order,) = warehouse_orders(shops.woo_channel)
        order_id = order.id
        assert not order.capture_before_ship  # processing: paid

    station, _ = pack(make_fresh, desk, order_id, [single.sku, single.sku, black.sku])
    parcel = buy_label_and_ship(fresh_app, desk, station, order_id)
    run_worker_once(fresh_app)

    notes = shops.woo.notes[727]
    assert [n["customer_note"] for n in notes] == [True]
    assert parcel.tracking_number in notes[0]["note"] and "WMS Local" in notes[0]["note"]
    assert shops.woo.orders[727]["status"] == "completed"
    (shipped,) = events_of(fresh_app, shops.woo_channel, "order.shipped")
    assert shipped.status == OutboxStatus.DELIVERED


def test_prestashop_gets_the_tracking_number_and_the_shipped_state(
    fresh_app: Flask, make_fresh: Factories, shops: Shops, desk: FlaskClient
) -> None:
    item = make_fresh.product()
    make_fresh.stock(item, make_fresh.location(), 5)
    run_worker_once(fresh_app)  # the poll's cursor starts at the shop's newest order
    shops.presta.tick()
    presta_order = shops.presta.add_order("WEBSHIP1", [(31, 0, item.sku, 2)])
    run_worker_once(fresh_app)
    with fresh_app.app_context():
        (order,) = warehouse_orders(shops.presta_channel)
        order_id = order.id

    station, _ = pack(make_fresh, desk, order_id, [item.sku, item.sku])
    parcel = buy_label_and_ship(fresh_app, desk, station, order_id)
    run_worker_once(fresh_app)

    carriers = [
        c
        for c in shops.presta.tables["order_carriers"].values()
        if c.findtext("id_order") == str(presta_order)
    ]
    assert [c.findtext("tracking_number") for c in carriers] == [parcel.tracking_number]
    assert shops.presta.field("orders", presta_order, "current_state") == "4"
    assert (presta_order, "4") in shops.presta.emails


def test_a_shop_that_holds_no_authorisation_is_not_asked_to_capture_and_says_why(
    fresh_app: Flask, make_fresh: Factories, shops: Shops, desk: FlaskClient
) -> None:
    single, black = make_fresh.product(), make_fresh.product()
    bin_ = make_fresh.location()
    make_fresh.stock(single, bin_, 5)
    make_fresh.stock(black, bin_, 5)
    make_fresh.map_item(shops.woo_channel, single, "93")
    make_fresh.map_item(shops.woo_channel, black, "22", "23", "Bar3")
    on_hold = changed(WOO_ORDER, status="on-hold", date_paid=None, date_paid_gmt=None)
    shops.woo.add_order(json.loads(on_hold))
    post_woocommerce(desk, shops.woo_channel, on_hold, secret=shops.woo.webhook_secret)
    with fresh_app.app_context():
        (order,) = warehouse_orders(shops.woo_channel)
        order_id = order.id
        assert order.capture_before_ship

    pack(make_fresh, desk, order_id, [single.sku, single.sku, black.sku])
    run_worker_once(fresh_app)

    (ready,) = events_of(fresh_app, shops.woo_channel, "order.ready_to_ship")
    assert ready.status == OutboxStatus.SKIPPED
    assert ready.last_error.startswith("Nothing to capture: WooCommerce takes the payment")
    assert order_state(fresh_app, order_id)[0] == "awaiting_payment"
    assert [r for r in shops.woo.requests if "/orders" in r.path] == []

    # The shop says paid (order.updated): the label may be bought.
    paid = changed(WOO_ORDER, date_modified_gmt="2017-03-22T20:00:00")
    post_woocommerce(
        desk, shops.woo_channel, paid, topic="order.updated", secret=shops.woo.webhook_secret
    )
    with fresh_app.app_context():
        (order,) = warehouse_orders(shops.woo_channel)
        assert order.payment_captured_at is not None
