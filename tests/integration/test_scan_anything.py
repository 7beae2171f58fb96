"""Scan anything: a product, a location, an order or an unknown code."""

from __future__ import annotations

from babel.dates import format_date
from flask.testing import FlaskClient

from tests.factories import Factories
from wms.base.clock import local_date
from wms.inventory.models import LocationKind

HX = {"HX-Request": "true"}


def test_product_barcode_shows_stock_by_location_and_availability(
    client: FlaskClient, login, make: Factories
) -> None:
    login()
    product = make.product(name="Summit Lantern", safety_stock=2)
    bin_a = make.location(LocationKind.BIN, walk_seq=10)
    bin_b = make.location(LocationKind.BIN, walk_seq=20)
    make.stock(product, bin_a, 4)
    make.stock(product, bin_b, 3)
    channel, _ = make.channel()
    make.order(channel, [(product, 2)])

    response = client.get(f"/floor/scan?code={product.barcodes[0].code}", headers=HX)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Summit Lantern" in page
    assert bin_a.code in page and bin_b.code in page
    assert 'data-figure="on-hand">7<' in page
    assert 'data-figure="reserved">2<' in page
    assert 'data-figure="available">5<' in page


def test_product_shows_its_waiting_orders_with_projected_dates(
    client: FlaskClient, login, make: Factories
) -> None:
    from datetime import datetime, timedelta

    login()
    product = make.product()
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 3)])
    make.inbound([(product, 5)], datetime.utcnow() + timedelta(days=4))
    page = client.get(f"/floor/scan?code={product.sku}", headers=HX).get_data(as_text=True)
    assert f"W-{10000 + order_id}" in page
    day = local_date(datetime.utcnow() + timedelta(days=4))
    assert format_date(day, "medium", locale="en") in page
    french = client.get(
        f"/floor/scan?code={product.sku}", headers={**HX, "Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert "Commandes en attente" in french and "standard" in french
    assert format_date(day, "medium", locale="fr") in french


def test_a_french_reader_gets_the_cards_in_french(
    client: FlaskClient, login, make: Factories
) -> None:
    login()
    product = make.product(name="Trail Socks")
    location = make.location(LocationKind.BIN)
    make.stock(product, location, 1200)
    french = {**HX, "Accept-Language": "fr-FR,fr;q=0.9"}
    page = client.get(f"/floor/scan?code={product.sku}", headers=french).get_data(as_text=True)
    assert "En stock" in page and "Disponible" in page and "Où" in page
    assert 'data-figure="on-hand">1\u202f200<' in page  # French groups with a narrow space
    page = client.get(f"/floor/scan?code={location.code}", headers=french).get_data(as_text=True)
    assert "casier" in page and "Trail Socks" in page
    command = client.get("/floor/scan?code=CMD-DONE", headers=french).get_data(as_text=True)
    assert "CMD-DONE est un code-barres de commande de scan" in command


def test_location_code_shows_what_it_holds(client: FlaskClient, login, make: Factories) -> None:
    login()
    product = make.product(name="Trail Socks")
    location = make.location(LocationKind.BIN)
    make.stock(product, location, 6)
    page = client.get(f"/floor/scan?code={location.code.lower()}", headers=HX).get_data(
        as_text=True
    )
    assert "Trail Socks" in page and ">6<" in page


def test_order_number_shows_status_and_lines(client: FlaskClient, login, make: Factories) -> None:
    login()
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 2)])
    page = client.get(f"/floor/scan?code=W-{10000 + order_id}", headers=HX).get_data(as_text=True)
    assert "ready to pick" in page and product.sku in page


def test_unknown_code_is_a_plain_sentence_and_changes_nothing(client: FlaskClient, login) -> None:
    login()
    response = client.get("/floor/scan?code=NOPE-404", headers=HX)
    assert response.status_code == 404
    assert "No product, location or order has the code NOPE-404." in response.get_data(as_text=True)


def test_full_page_render_without_htmx(client: FlaskClient, login, make: Factories) -> None:
    login()
    product = make.product(name="Harbor Mug")
    page = client.get(f"/floor/scan?code={product.sku}").get_data(as_text=True)
    assert "<html" in page and "Harbor Mug" in page and "data-scan-input" in page
