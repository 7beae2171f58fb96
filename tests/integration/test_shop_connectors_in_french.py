"""A French admin tests a shop's connection, and imports or reconciles its products, against
each platform's fake on 127.0.0.1: what the shop answered (connected, refused, throttled,
unavailable, out of reach) is read in French on the desk; the platform's own words (its
error message, the shop's name) are data and stay as the platform wrote them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shopify_server import FakeShopify
from tests.fakes.woocommerce_server import FakeWooCommerce
from tests.integration.test_prestashop_orders import run_worker_once
from tests.integration.test_shop_desk import connect
from tests.integration.test_shop_reports_in_french import signed_in
from tests.language_check import english_in, readable_text
from wms.channels.models import Channel
from wms.extensions import db


@pytest.fixture
def shopify() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        yield shop


@pytest.fixture
def woo() -> Iterator[FakeWooCommerce]:
    with FakeWooCommerce() as shop:
        yield shop


@pytest.fixture
def presta() -> Iterator[FakePrestaShop]:
    with FakePrestaShop() as shop:
        yield shop


def said(client: FlaskClient, path: str) -> str:
    """The page the desk shows after the button: its text as a reader meets it."""
    response = client.post(path, follow_redirects=True)
    assert response.status_code == 200
    return " ".join(readable_text(response.get_data(as_text=True)).replace("\u202f", " ").split())


def connection_tested(client: FlaskClient, channel: Channel) -> str:
    return said(client, f"/desk/shops/{channel.id}/test")


def no_english(page: str, *data: str) -> None:
    assert english_in(page, *data) == []


def woo_channel(make: Factories, shop: FakeWooCommerce, **over: str) -> Channel:
    values = {
        "site_url": shop.url,
        "consumer_key": shop.consumer_key,
        "consumer_secret": shop.consumer_secret,
        "webhook_secret": shop.webhook_secret,
        **over,
    }
    return make.shop_channel("woocommerce", **values)


def presta_channel(make: Factories, shop: FakePrestaShop | None, **over: str) -> Channel:
    values = {"shop_url": shop.url, "webservice_key": shop.key} if shop else {}
    return make.shop_channel("prestashop", **{**values, **over})


# ------------------------------------------------------------------ Shopify


def test_shopify_test_connection_answers_in_french(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    shopify.add_variant("E-1", product="Éléphant")
    shopify.add_variant("G-1", product="Girafe")
    channel = connect(make, shopify)
    client = signed_in(app, make)

    page = connection_tested(client, channel)
    assert (
        "Connecté à la boutique Shopify « Knit Shop » (knit-shop.myshopify.com), 2 produits ; "
        "les chiffres de stock vont à l’emplacement « Warehouse »." in page
    )
    assert "Connected to" not in page
    no_english(page)

    wrong = connect(make, shopify)
    client.post(
        f"/desk/shops/{wrong.id}",
        data={
            "name": "Knit",
            "shop_url": shopify.url,
            "location_id": "42",
            "access_token": "shpat_wrong",
        },
    )
    page = connection_tested(client, wrong)
    # The platform's own words are data: they stay as Shopify wrote them.
    assert "Non connecté : Shopify a refusé les identifiants (HTTP 401) : [API] Invalid" in page
    assert "refused the credentials" not in page
    no_english(page, "Invalid API key or access token")


def test_shopify_unavailable_or_throttled_is_said_in_french(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    channel = connect(make, shopify)
    client = signed_in(app, make)

    shopify.fail_next("POST graphql", status=503, retry_after=60)
    page = connection_tested(client, channel)
    assert (
        "Non connecté : Shopify est indisponible pour le moment (HTTP 503) ; "
        "réessayez dans 60 s." in page
    )
    no_english(page)

    shopify.fail_next("POST graphql", status=429, retry_after=90)
    page = connection_tested(client, channel)
    assert "Non connecté : Shopify demande de ralentir (HTTP 429) ; réessayez dans 90 s." in page
    no_english(page)

    # Shopify's own cost bucket ran dry, and refills too slowly to wait for it here.
    shopify.throttle(maximum=50, restore_rate=0.01, available=0)
    page = connection_tested(client, channel)
    assert "Non connecté : Shopify limite les appels ; réessayez dans " in page
    assert "throttling" not in page
    no_english(page)


def test_a_shopify_location_that_does_not_exist_is_said_in_french(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    channel = make.shop_channel(
        "shopify",
        shop_url=shopify.url,
        access_token=shopify.access_token,
        client_secret=shopify.client_secret,
        location_id="42",
    )
    page = connection_tested(signed_in(app, make), channel)
    assert (
        "La boutique Shopify « Knit Shop » n’a pas d’emplacement d’identifiant 42 : copiez "
        "l’identifiant depuis Paramètres → Emplacements." in page
    )
    no_english(page)


# -------------------------------------------------------------- WooCommerce


def test_woocommerce_test_connection_answers_in_french(
    app: Flask, make: Factories, woo: FakeWooCommerce
) -> None:
    woo.add_product("ELE-1", 3)
    woo.add_product("ELE-2", 4)
    channel = woo_channel(make, woo)
    client = signed_in(app, make)

    page = connection_tested(client, channel)
    assert f"Connecté à WooCommerce sur {woo.url} : 2 produits." in page
    no_english(page)

    woo.fail_next("GET /products", status=429, retry_after=60)
    page = connection_tested(client, channel)
    assert (
        "Non connecté : WooCommerce demande de ralentir (HTTP 429) ; réessayez dans 60 s." in page
    )
    no_english(page)

    woo.fail_next("GET /products", status=500)
    page = connection_tested(client, channel)
    assert "Non connecté : WooCommerce a rencontré une erreur (HTTP 500)" in page
    assert "had an error" not in page
    no_english(page)

    refused = woo_channel(make, woo, consumer_secret="cs_wrong")
    page = connection_tested(client, refused)
    assert "Non connecté : WooCommerce a refusé les identifiants (HTTP 401) : " in page
    no_english(page, "Consumer secret is invalid.")


# --------------------------------------------------------------- PrestaShop


def test_prestashop_test_connection_answers_in_french(
    app: Flask, make: Factories, presta: FakePrestaShop
) -> None:
    channel = presta_channel(make, presta)
    client = signed_in(app, make)

    page = connection_tested(client, channel)
    assert (
        "Connecté à la boutique PrestaShop « Boutique » ; "
        "la clé a toutes les autorisations nécessaires." in page
    )
    no_english(page)

    presta.deny("stock_availables", "put")
    page = connection_tested(client, channel)
    assert (
        "Non connecté : La boutique PrestaShop « Boutique » répond, mais il manque à sa clé "
        "de service web : PUT stock_availables." in page
    )
    no_english(page)

    page = connection_tested(client, presta_channel(make, presta, webservice_key="WRONGKEY"))
    assert "Non connecté : PrestaShop a refusé les identifiants (HTTP 401)" in page
    no_english(page, "Authentication key does not exist")

    # Nothing listens there: out of reach.
    page = connection_tested(client, presta_channel(make, None))
    assert "Non connecté : PrestaShop est injoignable (ConnectionError)." in page
    no_english(page)


# ---------------------------------------------------- import and reconcile


def test_an_import_that_fails_is_said_and_reported_in_french(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    channel = connect(make, shopify)
    shopify.add_variant("E-1", 1)
    shopify.fail_next("POST graphql", status=503, retry_after=60)
    client = signed_in(app, make)

    page = said(client, f"/desk/shops/{channel.id}/import")

    why = "Shopify est indisponible pour le moment (HTTP 503) ; réessayez dans 60 s."
    assert f"Les produits de la boutique n’ont pas pu être lus : {why}" in page  # the flash
    assert f"La boutique n’a pas pu être lue : {why}" in page  # the report kept
    assert "unavailable" not in page
    no_english(page)

    # The report keeps its facts: an English admin reads the same report in English.
    english = readable_text(
        signed_in(app, make, language="en").get(f"/desk/shops/{channel.id}").get_data(True)
    )
    assert (
        "The shop could not be read: Shopify is unavailable for now (HTTP 503); "
        "try again in 60 s." in english
    )


def test_a_reconciliation_that_fails_is_said_in_french(
    app: Flask, make: Factories, woo: FakeWooCommerce
) -> None:
    channel = woo_channel(make, woo)
    woo.fail_next("GET /products", status=500)
    page = said(signed_in(app, make), f"/desk/shops/{channel.id}/reconcile")

    assert (
        "Les chiffres de la boutique n’ont pas pu être lus : "
        "WooCommerce a rencontré une erreur (HTTP 500)" in page
    )
    no_english(page)


def test_an_unsafe_shop_address_is_refused_in_french(
    app: Flask, make: Factories, shopify: FakeShopify
) -> None:
    client = signed_in(app, make)
    response = client.post(
        "/desk/shops/new",
        data={
            "platform": "shopify",
            "code": "risque",
            "name": "Risque",
            "shop_url": "http://shop.example.com",
            "access_token": "t",
            "client_secret": "s",
            "location_id": "1",
        },
    )
    assert response.status_code == 422
    page = readable_text(response.get_data(as_text=True)).replace("\u202f", " ")
    assert "L’adresse Shopify doit commencer par https:// (elle transporte des clés)." in page
    no_english(page)


def test_a_shop_the_worker_could_not_reconcile_is_reported_in_french(
    fresh_app: Flask, woo: FakeWooCommerce
) -> None:
    make = Factories(fresh_app)
    channel = woo_channel(make, woo)
    with fresh_app.app_context():  # an interval after it was connected
        row = db.session.get(Channel, channel.id)
        assert row is not None
        row.created_at -= timedelta(minutes=61)
        db.session.commit()
    woo.fail_next("GET /products", status=500)

    said_by_worker = run_worker_once(fresh_app)

    # The worker's own lines stay English (they are a log).
    assert f"shop {channel.code} not reconciled: WooCommerce had an error (HTTP 500)" in (
        said_by_worker
    )
    client = signed_in(fresh_app, make)
    page = readable_text(client.get(f"/desk/shops/{channel.id}").get_data(as_text=True))
    page = " ".join(page.replace("\u202f", " ").split())
    assert "La boutique n’a pas pu être lue : WooCommerce a rencontré une erreur (HTTP 500)" in page
    no_english(page)
