"""Delays back: a line that waits for stock, and a change of the date it is expected,
reach the customer through the shop it was bought on (a WooCommerce customer note; a
note on the Shopify order, which has no customer-facing one), through the real worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shopify_server import FakeShopify
from tests.fakes.woocommerce_server import FakeWooCommerce
from tests.shop_fakes import Shops, connect_all, events_of, run_worker_once
from tests.shops import changed, example, post_shopify, post_woocommerce
from wms.base.clock import local_date, travel, utcnow
from wms.channels.models import OutboxStatus
from wms.channels.pushes import tracking_note
from wms.extensions import db
from wms.i18n import format_date, in_language
from wms.inbounds.services import change_expected_at


@pytest.fixture
def make_fresh(fresh_app: Flask) -> Factories:
    return Factories(fresh_app)


@pytest.fixture
def shops(make_fresh: Factories) -> Iterator[Shops]:
    with FakeShopify() as shopify, FakeWooCommerce() as woo, FakePrestaShop() as presta:
        yield connect_all(make_fresh, shopify, woo, presta)


def spelt(day: timedelta) -> str:
    when = local_date(utcnow() + day)
    return f"{when.day} {when.strftime('%B %Y')}"


def test_a_woocommerce_customer_hears_of_a_backorder_and_of_its_date_moving(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    single, black = make_fresh.product(), make_fresh.product()
    make_fresh.stock(black, make_fresh.location(), 5)
    inbound = make_fresh.inbound([(single, 10)], utcnow() + timedelta(days=4))
    make_fresh.map_item(shops.woo_channel, single, "93")
    make_fresh.map_item(shops.woo_channel, black, "22", "23", "Bar3")
    order = example("woocommerce-order.json")
    shops.woo.add_order(json.loads(order))
    client: FlaskClient = fresh_app.test_client()
    answer = post_woocommerce(client, shops.woo_channel, order, secret=shops.woo.webhook_secret)
    assert answer.status_code == 200 and answer.json["state"] == "accepted"

    run_worker_once(fresh_app)

    first = (
        "About your order #727: 2 of Woo Single #1 is on backorder; "
        f"we expect to send it by {spelt(timedelta(days=4))}."
    )
    assert [(n["note"], n["customer_note"]) for n in shops.woo.notes[727]] == [(first, True)]

    with fresh_app.app_context():
        change_expected_at(inbound, utcnow() + timedelta(days=9))
        db.session.commit()
    run_worker_once(fresh_app)
    run_worker_once(fresh_app)

    moved = (
        "About your order #727: 2 of Woo Single #1 is now expected to be sent by "
        f"{spelt(timedelta(days=9))}."
    )
    assert [n["note"] for n in shops.woo.notes[727]] == [first, moved]
    assert all(n["customer_note"] for n in shops.woo.notes[727])
    for kind in ("order.backordered", "order.projection_changed"):
        (event,) = events_of(fresh_app, shops.woo_channel, kind)
        assert event.status == OutboxStatus.DELIVERED


def test_a_shopify_backorder_is_noted_on_the_order(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    red = make_fresh.product()  # nothing on hand, nothing coming: no date yet
    make_fresh.map_item(shops.shopify_channel, red, "632910392", "49148385", "IPOD2008RED")
    order = changed(example("shopify-orders-create.json"), note=None)
    shops.shopify.add_order(json.loads(order))
    client = fresh_app.test_client()
    post_shopify(client, shops.shopify_channel, order, secret=shops.shopify.client_secret)

    run_worker_once(fresh_app)

    assert shops.shopify.orders[450789469].note == (
        "About your order #1001: 1 of IPod Nano - 8gb - red is on backorder; "
        "we will send it as soon as it is back in stock."
    )


def _french_order_waiting_for_a_truck(
    fresh_app: Flask, make_fresh: Factories, shops: Shops, due: datetime
) -> None:
    """WooCommerce's documented order from a French customer: one line in stock, one
    waiting for a truck ``due``; taken, and the worker run once to send the note."""
    single, black = make_fresh.product(), make_fresh.product()
    make_fresh.stock(black, make_fresh.location(), 5)
    make_fresh.inbound([(single, 10)], due)
    make_fresh.map_item(shops.woo_channel, single, "93")
    make_fresh.map_item(shops.woo_channel, black, "22", "23", "Bar3")
    # a multilingual plugin says the customer's language; the suite's warehouse speaks English
    order = changed(
        example("woocommerce-order.json"),
        meta_data=[{"id": 1, "key": "wpml_language", "value": "fr"}],
    )
    shops.woo.add_order(json.loads(order))
    client: FlaskClient = fresh_app.test_client()
    answer = post_woocommerce(client, shops.woo_channel, order, secret=shops.woo.webhook_secret)
    assert answer.status_code == 200 and answer.json["state"] == "accepted"
    run_worker_once(fresh_app)


def test_a_french_customer_reads_the_backorder_note_in_french(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    _french_order_waiting_for_a_truck(
        fresh_app, make_fresh, shops, due=utcnow() + timedelta(days=4)
    )

    with fresh_app.app_context(), in_language("fr"):
        day = format_date(utcnow() + timedelta(days=4), "d MMMM y")
    assert day.split()[1] in FRENCH_MONTHS
    said = (
        "À propos de votre commande #727\u202f: 2 \u00d7 Woo Single #1 "
        "est en attente de stock\u202f; "
        f"nous prévoyons de l’expédier d’ici le {day}."
    )
    assert [(n["note"], n["customer_note"]) for n in shops.woo.notes[727]] == [(said, True)]


def test_a_truck_due_after_the_warehouses_midnight_is_promised_on_the_warehouses_day(
    fresh_app: Flask, make_fresh: Factories, shops: Shops
) -> None:
    # The note is sent at 23:30 UTC for a truck due four days later at 23:30 UTC: on 11
    # December that is 00:30 on 12 December in the warehouse (Europe/Paris), its promise.
    now = utcnow()
    evening = datetime(now.year + 1, 12, 7, 23, 30)
    with travel(evening - now):
        _french_order_waiting_for_a_truck(
            fresh_app, make_fresh, shops, due=evening + timedelta(days=4)
        )

    said = (
        "À propos de votre commande #727\u202f: 2 \u00d7 Woo Single #1 "
        "est en attente de stock\u202f; "
        f"nous prévoyons de l’expédier d’ici le 12 décembre {evening.year}."
    )
    assert [(n["note"], n["customer_note"]) for n in shops.woo.notes[727]] == [(said, True)]


FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def test_the_tracking_note_is_written_in_the_language_in_force(fresh_app: Flask) -> None:
    parcel = {"carrier": "UPS", "tracking_number": "1Z9", "tracking_url": "https://t.example/1Z9"}
    with fresh_app.app_context():
        with in_language("fr"):
            french = tracking_note(parcel)
        with in_language("en"):
            english = tracking_note(parcel)
    assert french == (
        "Votre commande est partie avec UPS, numéro de suivi 1Z9. "
        "Suivez-la sur https://t.example/1Z9"
    )
    assert english == (
        "Your order has shipped with UPS, tracking number 1Z9. Follow it at https://t.example/1Z9"
    )
