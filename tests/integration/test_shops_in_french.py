"""A French supervisor's shop pages: the shops, a shop's page, the orders needing
attention speak French; the shop's data (its name, codes, topics) stays as it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.fakes.shopify_server import FakeShopify


@pytest.fixture
def shopify() -> Iterator[FakeShopify]:
    with FakeShopify() as shop:
        yield shop


def _text(client: FlaskClient, path: str) -> str:
    """The page as a reader sees it: tags out, spaces folded (the narrow no-break one too)."""
    response = client.get(path)
    assert response.status_code == 200, path
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def _sign_in(client: FlaskClient, make: Factories, role: str, language: str) -> None:
    user = make.user(role=role, language=language)
    response = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert response.status_code == 302


def test_a_french_admin_reads_a_shops_page_in_french(
    client: FlaskClient, make: Factories, shopify: FakeShopify
) -> None:
    channel = make.shop_channel(
        "shopify",
        shop_url=shopify.url,
        access_token=shopify.access_token,
        client_secret=shopify.client_secret,
        location_id=str(shopify.location_id),
    )
    _sign_in(client, make, "admin", "fr")

    shop = _text(client, f"/desk/shops/{channel.id}")

    for french in (
        "Tester la connexion",
        "Webhooks à enregistrer sur la boutique",
        "Chacun au format JSON ; Shopify les signe avec le secret indiqué plus haut.",
        "Importer les produits de la boutique",
        "Modes de livraison",
        "Rapprochement",
        "Pas encore rapprochée.",
        "Jeton d’accès à l’API Admin",
        "0 article de la boutique est associé à un produit.",
    ):
        assert french in shop, french
    assert "orders/create" in shop  # a topic is the platform's word
    for english in ("Test connection", "Shipping methods", "Not reconciled yet", "Save"):
        assert english not in shop, english
    # the service levels keep their stored values and read in French
    html = client.get(f"/desk/shops/{channel.id}").get_data(as_text=True)
    assert re.search(r'<option value="priority"\s*>prioritaire</option>', html)

    shops = _text(client, "/desk/shops/")
    assert "Boutiques" in shops and "Articles associés" in shops and channel.code in shops
    assert "Connecter une boutique" in shops and "Connect a shop" not in shops


def test_a_french_supervisor_reads_the_orders_needing_attention_in_french(
    client: FlaskClient, make: Factories
) -> None:
    _sign_in(client, make, "supervisor", "fr")
    waiting = _text(client, "/desk/shop-orders/")
    assert "Commandes à traiter" in waiting and "Envois illisibles" in waiting
    assert "Envois refusés pour leur signature" in waiting
    assert "Orders needing attention" not in waiting and "None." not in waiting


def test_a_french_supervisor_is_told_in_french_of_a_shop_order_that_is_not_there(
    client: FlaskClient, make: Factories
) -> None:
    _sign_in(client, make, "supervisor", "fr")
    missing = client.get("/desk/shop-orders/999999")
    assert missing.status_code == 404
    assert "Cette commande de boutique n’existe pas." in missing.get_data(as_text=True)
    refused = client.post("/desk/shop-orders/999999/release")
    assert refused.status_code == 404
    assert "Cette commande de boutique n’existe pas." in refused.get_data(as_text=True)


def test_a_french_admin_is_told_in_french_what_the_new_shop_form_lacks(
    client: FlaskClient, make: Factories
) -> None:
    _sign_in(client, make, "admin", "fr")
    response = client.post(
        "/desk/shops/new", data={"platform": "shopify", "code": "tricot", "name": "Tricot"}
    )
    said = " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())
    assert response.status_code == 422
    assert "Jeton d’accès à l’API Admin est obligatoire." in said
    assert "Identifiant de l’emplacement est obligatoire." in said
    assert "is required" not in said
