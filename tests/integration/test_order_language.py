"""The customer's language comes in with the order (the API's ``language``, Shopify's
``customer_locale``, a WooCommerce multilingual plugin's meta data) and stays on it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.integration.test_api_input import counts
from tests.integration.test_orders_api import order_body, post
from wms.channels.connectors.shopify_orders import parse_shopify_order
from wms.channels.connectors.woocommerce_orders import parse_woocommerce_order
from wms.core.models import Order
from wms.extensions import db


def test_an_order_placed_in_belgian_french_keeps_french(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    _channel, token = make.channel()
    answer = post(client, token, "/orders", order_body([(product.sku, 1)], language="fr-BE"))
    assert answer.status_code == 201, answer.json
    unsaid = post(client, token, "/orders", order_body([(product.sku, 1)]))
    with app.app_context():
        assert db.session.get(Order, answer.json["id"]).language == "fr"
        assert db.session.get(Order, unsaid.json["id"]).language is None


def test_a_language_the_warehouse_does_not_speak_is_422_and_changes_nothing(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    product = make.product()
    _channel, token = make.channel()
    before = counts(app)
    body = order_body([(product.sku, 1)], language="tlh")
    answer = post(client, token, "/orders", body)
    assert answer.status_code == 422 and answer.json["code"] == "unknown_language"
    assert "does not speak tlh" in answer.json["message"]
    french = client.post(
        "/api/v1/orders",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "fr"},
    )
    assert french.json["code"] == "unknown_language"  # the code stays; the sentence is French
    assert "ne parle pas tlh" in french.json["message"]
    assert counts(app) == before


def _shopify(**extra: object) -> dict[str, object]:
    return {
        "id": 4501,
        "name": "#1001",
        "order_number": 1001,
        "line_items": [{"id": 9, "sku": "MUG", "quantity": 1, "title": "Mug", "price": "9.00"}],
        "created_at": "2026-03-01T10:00:00Z",
        "updated_at": "2026-03-01T10:00:00Z",
        "financial_status": "paid",
        **extra,
    }


def test_the_platforms_say_the_customers_language_where_they_know_it() -> None:
    assert parse_shopify_order(_shopify(customer_locale="fr-FR")).language == "fr-FR"
    assert parse_shopify_order(_shopify()).language == ""
    woo = {
        "id": 77,
        "status": "processing",
        "line_items": [{"id": 9, "sku": "MUG", "quantity": 1, "name": "Mug", "price": 9}],
        "date_created_gmt": "2026-03-01T10:00:00",
        "meta_data": [{"id": 1, "key": "wpml_language", "value": "fr"}],
    }
    assert parse_woocommerce_order(woo).language == "fr"
    assert parse_woocommerce_order({**woo, "meta_data": []}).language == ""
