"""A French supervisor reads a shop's import and reconciliation reports, and the reasons
shop orders wait on the desk, in French: the reports keep their facts, worded when shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shopify_server import FakeShopify
from tests.integration.test_prestashop_orders import run_worker_once
from tests.integration.test_shop_desk import connect, text_of
from tests.integration.test_shopify_orders import ORDER, shop_with_red
from tests.shops import changed, post_shopify, shop_orders, warehouse_orders
from wms.channels.models import ChannelReport, ShopOrder
from wms.core.models import OrderStatus
from wms.extensions import db


@pytest.fixture
def shopify() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        yield shop


def signed_in(app: Flask, make: Factories, language: str = "fr") -> FlaskClient:
    user = make.user(role="admin", language=language)
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert response.status_code == 302
    return client


def test_a_french_admin_reads_the_import_report_and_each_items_why_in_french(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    known, twin = make.product(), make.product()
    channel = connect(make, shopify)
    shopify.add_variant(known.sku, 3, product="Éléphant")
    shopify.add_variant(twin.sku, 1, product="Girafe", title="Bleue")
    shopify.add_variant(twin.sku, 1, product="Girafe", title="Rouge")
    shopify.add_variant("PAS-ICI", 5, product="Hibou")
    shopify.add_variant("", 2, product="Carte cadeau")
    client = signed_in(app, make)

    said = text_of(client.post(f"/desk/shops/{channel.id}/import", follow_redirects=True))
    said = said.replace("\u202f", " ")

    expected = (
        "5 articles sur la boutique. Associés maintenant : 1 ; déjà associés : 0 ; "
        "sans correspondance : 2 ; SKU en double laissés sans association : 2."
    )
    assert said.count(expected) == 2  # the flash and the report
    assert "Aucun produit n’a le SKU PAS-ICI." in said
    assert "Il n’a pas de SKU sur la boutique." in said
    assert f"2 articles de la boutique ont le SKU {twin.sku}." in said
    for english in ("on the shop", "matched now", "No product has", "no SKU", "have the SKU"):
        assert english not in said, english

    # The same report, read by an English admin.
    english = text_of(signed_in(app, make, language="en").get(f"/desk/shops/{channel.id}"))
    assert (
        "5 items on the shop. Matched now: 1; mapped before: 0; unmatched: 2; "
        "duplicate SKUs left unmapped: 2." in english
    )
    assert "No product has the SKU PAS-ICI." in english


def test_a_french_admin_reads_the_reconciliation_in_french(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    bin_ = make.location()
    right, drifted = make.product(), make.product()
    make.stock(right, bin_, 4)
    make.stock(drifted, bin_, 7)
    channel = connect(make, shopify)
    for product, qty in ((right, 4), (drifted, 9)):
        v = shopify.add_variant(product.sku, qty, product=product.name)
        make.map_item(channel, product, str(v.product_id), str(v.id))
    shopify.add_variant("AUTRE-CHOSE", 3)
    client = signed_in(app, make)

    said = text_of(client.post(f"/desk/shops/{channel.id}/reconcile", follow_redirects=True))
    said = said.replace("\u202f", " ")

    expected = "1 chiffre corrigé sur 2 comparés. 1 article non associé laissé tel quel."
    assert said.count(expected) == 2  # the flash and the report
    assert "corrected" not in said and "left alone" not in said


def test_a_shop_that_cannot_be_read_is_reported_in_french(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    channel = connect(make, shopify)
    shopify.fail_next("POST graphql", count=5, status=503)
    client = signed_in(app, make)
    client.post(f"/desk/shops/{channel.id}/import")

    said = text_of(client.get(f"/desk/shops/{channel.id}")).replace("\u202f", " ")

    assert "La boutique n’a pas pu être lue :" in said
    assert "The shop could not be read" not in said


def test_a_report_kept_before_its_facts_reads_as_it_was_written(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    channel = connect(make, shopify)
    with app.app_context():
        db.session.add(
            ChannelReport(
                channel_id=channel.id,
                kind="reconcile",
                summary="3 figure(s) corrected of 5 compared.",
                lines=[],
            )
        )
        db.session.commit()
    said = text_of(signed_in(app, make).get(f"/desk/shops/{channel.id}"))
    assert "3 figure(s) corrected of 5 compared." in said


# ------------------------------------------------ shop orders on the desk


def shop_order_page(client: FlaskClient, shop_order_id: int) -> str:
    response = client.get(f"/desk/shop-orders/{shop_order_id}")
    assert response.status_code == 200
    return text_of(response).replace("\u202f", " ")


def test_a_french_supervisor_reads_why_a_shop_order_waits_in_french(fresh_app: Flask) -> None:
    make = Factories(fresh_app)
    channel = make.shop_channel("shopify")
    make.stock(make.product(), make.location(), 3)
    response = post_shopify(fresh_app.test_client(), channel, ORDER)
    assert response.json["state"] == "needs_attention"
    # The API keeps speaking English.
    assert "matches no product" in response.json["reason"]
    with fresh_app.app_context():
        (kept,) = shop_orders(channel)
    client = signed_in(fresh_app, make)

    listed = text_of(client.get("/desk/shop-orders/")).replace("\u202f", " ")
    shown = shop_order_page(client, kept.id)

    for said in (listed, shown):
        assert "La ligne 1 (SKU IPOD2008RED, « IPod Nano - 8gb - red »" in said
        assert "produit 632910392, variante 49148385) ne correspond à aucun produit." in said
        for english in ("matches no product", "product 632910392", "variant 49148385"):
            assert english not in said, english
    english = text_of(signed_in(fresh_app, make, language="en").get("/desk/shop-orders/"))
    assert "Line 1 (SKU IPOD2008RED, “IPod Nano - 8gb - red”, product 632910392" in english


def test_a_refused_or_stopped_shop_order_says_why_in_french(
    fresh_app: Flask,
) -> None:
    # A database of its own: the desk's list is shared, and "#1001" is every test's order.
    app, make = fresh_app, Factories(fresh_app)
    client = app.test_client()
    channel, _item = shop_with_red(make, on_hand=0, allow_backorder=False)
    assert post_shopify(client, channel, ORDER).json["state"] == "refused"
    with app.app_context():
        (refused,) = shop_orders(channel)
    said = shop_order_page(signed_in(app, make), refused.id)
    assert "Stock insuffisant pour " in said and "(manque 1)" in said
    assert "Not enough stock" not in said and "short" not in said

    channel, _item = shop_with_red(make)
    post_shopify(client, channel, ORDER)
    with app.app_context():
        (order,) = warehouse_orders(channel)
        order.status = OrderStatus.PACKED
        db.session.commit()
        number = order.number
    cancelled = changed(
        ORDER, cancelled_at="2008-01-10T12:00:00-05:00", updated_at="2008-01-10T12:00:00-05:00"
    )
    post_shopify(client, channel, cancelled, topic="orders/cancelled")
    with app.app_context():
        (stopped,) = shop_orders(channel)
    said = shop_order_page(signed_in(app, make), stopped.id)
    assert (
        "Annulée sur la boutique, mais l’entrepôt n’a pas pu l’arrêter : "
        f"La commande {number} est emballée" in said
    )
    assert "Cancelled on the shop" not in said and "packed" not in said


def test_a_shop_order_kept_before_its_reason_had_facts_reads_as_it_was_written(
    fresh_app: Flask,
) -> None:
    # A database of its own: the desk's list is shared, and "#1001" is every test's order.
    app, make = fresh_app, Factories(fresh_app)
    client = app.test_client()
    channel, _item = shop_with_red(make, on_hand=0, allow_backorder=False)
    post_shopify(client, channel, ORDER)
    with app.app_context():
        row_id = shop_orders(channel)[0].id
        db.session.execute(
            update(ShopOrder)
            .where(ShopOrder.id == row_id)
            .values(reason="Not enough stock (written before).", reason_facts=None)
        )
        db.session.commit()
    assert "Not enough stock (written before)." in shop_order_page(signed_in(app, make), row_id)


def test_an_unreadable_polled_order_says_what_could_not_be_read_in_french(
    fresh_app: Flask,
) -> None:
    make = Factories(fresh_app)
    with FakePrestaShop() as shop:
        channel = make.shop_channel("prestashop", shop_url=shop.url, webservice_key=shop.key)
        run_worker_once(fresh_app)  # the first poll starts at the newest order
        shop.tick(60)
        broken = shop.add_order("ILLISIBLE", [(1, 1, "demo_1", 1)])
        shop.tables["orders"][broken].find(
            "associations/order_rows/order_row/product_quantity"
        ).text = "x"  # type: ignore[union-attr]
        shop.tick(1)
        run_worker_once(fresh_app)
    with fresh_app.app_context():
        (kept,) = shop_orders(channel)
        assert kept.state == "unreadable"

    said = text_of(signed_in(fresh_app, make).get("/desk/shop-orders/")).replace("\u202f", " ")

    assert "Le champ order_row[1].product_quantity n’est pas un nombre entier : 'x'." in said
    assert "is not a whole number" not in said


def test_an_unreadable_delivery_says_what_could_not_be_read_in_french(fresh_app: Flask) -> None:
    make = Factories(fresh_app)
    channel = make.shop_channel("shopify")
    broken = changed(ORDER, line_items="three iPods")
    response = post_shopify(fresh_app.test_client(), channel, broken, webhook_id="illisible-1")
    assert response.status_code == 503 and "has no line items" in response.json["message"]

    said = text_of(signed_in(fresh_app, make).get("/desk/shop-orders/"))

    assert "La commande 450789469 n’a aucune ligne." in said
    assert "no line items" not in said
    english = text_of(signed_in(fresh_app, make, language="en").get("/desk/shop-orders/"))
    assert "Order 450789469 has no line items." in english
