"""The API's sentences for orders, returns and shop webhooks follow Accept-Language;
their codes and statuses never change."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.integration.test_orders_api import order_body, post

NNBSP = "\u202f"


def ask(client: FlaskClient, token: str, method: str, path: str, language: str, **kw):
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": language}
    return client.open(f"/api/v1{path}", method=method, headers=headers, **kw)


def test_an_unknown_order_and_return_are_said_in_french_with_the_same_code(
    client: FlaskClient, make: Factories
) -> None:
    _channel, token = make.channel()
    english = ask(client, token, "GET", "/orders/W-99999999", "en")
    french = ask(client, token, "GET", "/orders/W-99999999", "fr")
    assert english.status_code == french.status_code == 404
    assert english.json["code"] == french.json["code"]
    assert english.json["message"] == "There is no order W-99999999."
    assert french.json["message"] == "Il n’y a pas de commande W-99999999."

    french = ask(client, token, "GET", "/returns/R-99999999", "fr")
    assert french.status_code == 404
    assert french.json["message"] == "Il n’y a pas de retour R-99999999."


def test_an_unknown_sku_and_a_changed_repeat_are_said_in_french(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    _channel, token = make.channel()
    body = order_body([("NO-SUCH-SKU", 1)])
    answer = ask(client, token, "POST", "/orders", "fr", json=body)
    assert answer.status_code == 422 and answer.json["code"] == "unknown_sku"
    assert answer.json["message"] == f"SKU inconnu{NNBSP}: NO-SUCH-SKU."

    body = order_body([(product.sku, 1)])
    assert post(client, token, "/orders", body).status_code == 201
    changed = {**body, "lines": [{"sku": product.sku, "qty": 2}]}
    answer = ask(client, token, "POST", "/orders", "fr", json=changed)
    assert answer.status_code == 409 and answer.json["code"] == "idempotency_conflict"
    assert answer.json["message"] == (
        f"La commande {body['external_id']} a déjà été envoyée avec un autre contenu."
    )


def test_an_unknown_shop_channel_is_said_in_french(client: FlaskClient) -> None:
    answer = client.post(
        "/api/v1/channels/NOPE/shopify", data=b"{}", headers={"Accept-Language": "fr"}
    )
    assert answer.status_code == 404
    assert answer.json["message"] == "Il n’y a pas de canal shopify actif NOPE."
