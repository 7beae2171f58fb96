"""A French packer reads the pack station in French: refusals, the next step, the parcel shipped."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from tests.integration.test_packing import number, scan, staged_order, text
from wms.extensions import db
from wms.inventory.models import LocationKind
from wms.shipping.models import LabelState, Parcel

NNBSP = "\u202f"


def french_packer(client: FlaskClient, login) -> None:
    login()
    assert client.post("/language", data={"language": "fr"}).status_code in (200, 302, 303)


def test_a_wrong_and_an_extra_item_are_refused_in_french(
    client: FlaskClient, login, make: Factories
) -> None:
    french_packer(client, login)
    station = make.pack_station()
    lane = make.location(LocationKind.STAGING_LANE)
    wanted, other = make.product(), make.product()
    order_id = staged_order(make, [(wanted, 1)], lane)
    page = text(scan(client, station, number(order_id)))
    assert "Scannez chaque article : encore 1.".replace(" :", f"{NNBSP}:") in page

    response = scan(client, station, other.barcodes[0].code)
    assert response.status_code == 409
    page = text(response)
    assert (
        f"{other.sku} n’est pas sur la commande {number(order_id)}{NNBSP}; mettez-le de côté."
        in page
    )
    assert "is not on order" not in page

    assert scan(client, station, wanted.barcodes[0].code).status_code == 200
    assert "Tous les articles sont vérifiés. Scannez le carton." in text(
        scan(client, station, wanted.sku)
    )
    response = scan(client, station, wanted.sku)
    assert response.status_code == 409
    assert (
        f"{wanted.sku} est en trop{NNBSP}: l’unité pour {number(order_id)} est déjà dans le carton."
        in text(response)
    )


def test_a_parcel_is_weighed_labelled_and_shipped_in_french(
    client: FlaskClient, login, make: Factories
) -> None:
    french_packer(client, login)
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    order_id = staged_order(make, [(product, 2)], tote, service_level="express")
    scan(client, station, tote.code)
    scan(client, station, product.sku)
    scan(client, station, product.sku)
    scan(client, station, make.box().code)
    page = text(scan(client, station, "1.2"))
    # Money and weights are written the French way.
    assert f"Scannez DONE pour acheter l’étiquette{NNBSP}: WMS Local Express, 19,90\u00a0€." in page
    assert "1,2\u00a0kg" in page

    page = text(scan(client, station, "CMD-DONE"))
    assert "Collez l’étiquette, puis scannez son numéro de suivi (ou DONE) pour expédier." in page
    assert "Imprimer l’étiquette (PDF 4x6)" in page

    page = text(scan(client, station, "CMD-DONE"))
    assert f"{number(order_id)} expédiée avec WMS Local " in page
    assert "Scannez un couloir, un bac ou un numéro de commande." in page
    assert "Shipped" not in page


def test_an_english_packer_still_reads_english(client: FlaskClient, login, make: Factories) -> None:
    login()
    station = make.pack_station()
    lane = make.location(LocationKind.STAGING_LANE)
    wanted, other = make.product(), make.product()
    order_id = staged_order(make, [(wanted, 1)], lane)
    scan(client, station, number(order_id))
    page = text(scan(client, station, other.sku))
    assert f"{other.sku} is not on order {number(order_id)}; put it aside." in page


def test_a_rate_the_built_in_carrier_did_not_quote_is_refused_in_french(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    french_packer(client, login)
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    order_id = staged_order(make, [(product, 1)], tote)
    for code in (tote.code, product.sku, make.box().code, "1.2"):
        assert scan(client, station, code).status_code == 200
    with app.app_context():  # the rates were quoted by another carrier (or an older us)
        parcel = db.session.scalars(select(Parcel).where(Parcel.order_id == order_id)).one()
        parcel.rates = [{**r, "shipment": "shp_elsewhere"} for r in parcel.rates]
        db.session.commit()
        parcel_id = parcel.id

    response = scan(client, station, "CMD-DONE")

    assert response.status_code in (409, 422, 502)
    page = text(response)
    assert (
        f"Ce tarif n’a pas été proposé par le transporteur intégré{NNBSP}; "
        "redemandez-lui les tarifs." in page
    )
    assert "not quoted" not in page
    with app.app_context():  # nothing bought, nothing in doubt: the packer weighs again
        parcel = db.session.get(Parcel, parcel_id)
        assert (parcel.label_state, parcel.rates) == (LabelState.FAILED, [])
