"""The set-up pages as a French admin reads them; CSV files cross between languages intact."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import Factories, unique
from tests.integration.test_admin_catalog import product_form
from tests.integration.test_csv_import import poll_until_checked, upload
from wms.inventory.models import LocationKind

NNBSP = "\u202f"  # before : ; ? ! in French


def text(response: Any) -> str:
    # Only ASCII white space: the no-break spaces of French typography are kept.
    return re.sub(r"[ \t\r\n]+", " ", response.get_data(as_text=True))


def sign_in(client: FlaskClient, make: Factories, language: str | None) -> Any:
    user = make.user(role="admin", language=language)
    answer = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert answer.status_code == 302
    return user


@pytest.fixture
def french(client: FlaskClient, make: Factories) -> FlaskClient:
    """The test client, signed in as an admin whose language is French."""
    sign_in(client, make, "fr")
    return client


def test_the_products_pages_speak_french(french: FlaskClient, make: Factories) -> None:
    product = make.product(name="Tasse alpine", weight_g=1250, safety_stock=1234)
    make.barcode(product, unique("CASE-"), units=12)

    listing = text(french.get(f"/admin/products?q={product.sku}"))
    for words in ("Produits", "Nouveau produit", "Imprimer les étiquettes de cette liste"):
        assert words in listing
    assert f"1{NNBSP}234" in listing or "1\u00a0234" in listing  # a French thousands space
    assert "1,25\u00a0kg" in listing
    assert "New product" not in listing and "Print labels" not in listing

    page = text(french.get(f"/admin/products/{product.id}"))
    for words in ("Codes-barres", "Désactiver le produit", "Historique", "code interne"):
        assert words in page, words
    assert "Deactivate" not in page and "Barcodes" not in page

    refused = french.post(
        "/admin/products/new",
        data={"sku": unique("SKU-"), "name": "Tasse", "weight_g": "lourd", "unit_cost": "x"},
    )
    assert refused.status_code == 422
    assert f"weight_g{NNBSP}: un nombre entier est attendu, pas «{NNBSP}lourd{NNBSP}»." in (
        text(refused)
    )


def test_the_locations_pages_speak_french(french: FlaskClient, make: Factories) -> None:
    location = make.location(kind=LocationKind.STAGING_LANE)
    make.stock(make.product(), location, 3)

    listing = text(french.get(f"/admin/locations?q={location.code}"))
    for words in (
        "Emplacements",
        "Ajouter des casiers par modèle",
        "Nouvel emplacement",
        "couloir",
    ):
        assert words in listing, words
    assert "Add bins" not in listing and ">lane<" not in listing

    page = text(french.get(f"/admin/locations/{location.id}"))
    assert "Contient 3 unités" in page and "Désactiver l’emplacement" in page

    refused = french.post(f"/admin/locations/{location.id}/active", data={"active": "0"})
    assert refused.status_code == 409
    assert f"{location.code} contient 3 unités{NNBSP}; videz-le avant de le désactiver." in text(
        refused
    )

    pattern = text(
        french.post(
            "/admin/locations/pattern",
            data={
                "aisles": "Z",
                "bays": "01-02",
                "levels": "1",
                "first_seq": "10",
                "step": "10",
                "separator": "-",
                "kind": "bin",
                "action": "preview",
            },
        )
    )
    assert "2 casiers, dont 0 existent déjà" in pattern and "Créer 2 casiers" in pattern


def test_the_channels_pages_speak_french(french: FlaskClient, make: Factories) -> None:
    channel, _token = make.channel()
    listing = text(french.get("/admin/channels"))
    for words in ("Canaux de vente", "Nouveau canal", "Connecter une boutique", "Jeton d’API"):
        assert words in listing, words
    assert "Sales channels" not in listing and "New channel" not in listing

    made = french.post(f"/admin/channels/{channel.id}/token")
    assert f"Copiez-le maintenant{NNBSP}: il n’est affiché qu’une fois." in text(made)
    page = text(french.get(f"/admin/channels/{channel.id}"))
    assert "nouveau jeton d’API" in page and "Désactiver le canal" in page


def test_the_import_pages_speak_french(french: FlaskClient) -> None:
    page = text(french.get("/admin/data"))
    for words in ("Importer un fichier CSV", "Les colonnes", "Imports récents", "millimètres"):
        assert words in page, words
    assert "Import a CSV file" not in page and "The columns" not in page

    job = upload(french, "products", f"sku,name,weight_g\n{unique('FR-')},Tasse,x\n,Bol,2\n")
    poll_until_checked(french, job)
    final = text(french.get(f"/admin/imports/{job}"))
    assert "Rien n’a été écrit" in final and "2 lignes sont à corriger" in final
    assert f"weight_g{NNBSP}: un nombre entier est attendu, pas «{NNBSP}x{NNBSP}»." in final
    assert f"SKU{NNBSP}: à remplir." in final
    # The report of bad rows is for people: its header is French too.
    rows = list(csv.reader(io.StringIO(french.get(f"/admin/imports/{job}/errors.csv").text)))
    assert rows[0] == ["Ligne", "Problème"]

    refused = french.post(
        "/admin/imports",
        data={"kind": "locations", "file": (io.BytesIO(b"code,colour\nA,red\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert "Colonne inconnue" in text(refused) and "Unknown column" not in text(refused)


@pytest.mark.parametrize(("exporter", "importer"), [("fr", "en"), ("en", "fr")])
def test_a_file_exported_in_one_language_imports_unchanged_in_the_other(
    app: Any, make: Factories, exporter: str, importer: str
) -> None:
    product = make.product(name="Bol, « grand »", unit_cost_cents=1250, allow_backorder=False)
    make.barcode(product, unique("CASE-"), units=6)
    location = make.location(capacity=40)
    one, other = app.test_client(), app.test_client()
    sign_in(one, make, exporter)
    sign_in(other, make, importer)

    for kind, key, value in (
        ("products", "sku", product.sku),
        ("locations", "code", location.code),
    ):
        exported = one.get(f"/admin/export/{kind}.csv").text
        header = next(csv.reader(io.StringIO(exported)))
        assert key in header and "name" in header  # machine column names in every language
        mine = [r for r in csv.DictReader(io.StringIO(exported)) if r[key] == value]
        assert len(mine) == 1 and mine[0]["active"] == "yes"
        job = upload(other, kind, exported)
        final = poll_until_checked(other, job)[-1]
        assert 'data-count="new">0<' in final and 'data-count="changed">0<' in final, kind
        assert 'data-count="errors">0<' in final
        # and back: what the other exports is the same file
        assert other.get(f"/admin/export/{kind}.csv").text == exported


def test_a_french_admin_types_prices_and_weights_the_french_way(
    app: Any, french: FlaskClient
) -> None:
    from wms.extensions import db
    from wms.inventory.models import Product

    sku = unique("FR-")
    made = french.post(
        "/admin/products/new",
        data={"sku": sku, "name": "Tasse", "weight_g": "1 250", "unit_cost": "12,50"},
    )
    assert made.status_code == 302, text(made)
    with app.app_context():
        product = db.session.query(Product).filter_by(sku=sku).one()
        # '12,50' is twelve euros fifty, never one thousand two hundred and fifty
        assert (product.unit_cost_cents, product.weight_g) == (1250, 1250)


def test_an_amounts_example_is_written_the_readers_way(
    client: FlaskClient, make: Factories
) -> None:
    sign_in(client, make, "fr")
    form = text(client.get("/admin/products/new"))
    assert 'placeholder="12,50"' in form and 'placeholder="12.50"' not in form
    assert "un montant, p. ex. 12,50" in text(client.get("/admin/data"))
    refused = text(
        client.post("/admin/products/new", data=product_form(unique("AMT-"), unit_cost="x"))
    )
    assert "un montant comme 12,50 est attendu" in refused

    other = client.application.test_client()
    sign_in(other, make, "en")
    assert 'placeholder="12.50"' in text(other.get("/admin/products/new"))
    assert "an amount, like 12.50" in text(other.get("/admin/data"))
