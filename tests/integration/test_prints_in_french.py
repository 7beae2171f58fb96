"""Prints in the reader's language, read back as the floor and the customer read them:
a French supervisor's pick list, a French packer's 4x6 label, and a packing slip in
the language of the order's customer whoever prints it. Every barcode still scans and
no character of a code is lost to the longer French words."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from tests.factories import Factories
from tests.integration.test_packing import pack_to_label, scan, staged_order
from tests.scanning import decode_pdf, pdf_text, values
from wms.base.codes import short_code
from wms.base.numbers import order_number, wave_code
from wms.core.models import Order
from wms.extensions import db
from wms.inventory.models import LocationKind
from wms.shipping.models import Parcel

HOOK = "http://127.0.0.1:9/hook"


def sign_in(client: FlaskClient, make: Factories, role: str, language: str | None) -> Any:
    user = make.user(role=role, language=language)
    answer = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert answer.status_code == 302
    return user


def pdf_of(client: FlaskClient, url: str) -> bytes:
    answer = client.get(url)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "application/pdf"
    return answer.data


def assert_words(text: str, present: list[str], absent: list[str]) -> None:
    words = " ".join(text.split())  # pdftotext lays words out with runs of spaces
    assert [w for w in present if w not in words] == []
    assert [w for w in absent if w in words] == []


def test_a_french_supervisor_prints_a_french_pick_list_that_still_scans(
    client: FlaskClient, make: Factories
) -> None:
    products = [make.product() for _ in range(2)]
    # Long codes: French heads must not squeeze a character off a bin code.
    bins = [
        make.location(walk_seq=10 + i, code=f"MEZZ-A{i}-{make.product().id:06d}-NIV-2")
        for i in range(2)
    ]
    for product, bin_ in zip(products, bins, strict=True):
        make.stock(product, bin_, 1200)
    channel, _channel_token = make.channel()
    order = make.order(channel, [(products[0], 1000), (products[1], 234)])
    wave_id = make.wave(channel)
    sign_in(client, make, "supervisor", "fr")

    pdf = pdf_of(client, f"/pick/waves/{wave_id}/picklist.pdf")
    assert values(decode_pdf(pdf)[0]) == (
        {wave_code(wave_id), order_number(order)}
        | {short_code("L", b.id) for b in bins}  # too long to scan: their stand-ins
        | {p.barcodes[0].code for p in products}
    )
    assert_words(
        pdf_text(pdf),
        present=[
            "LISTE DE PRÉPARATION",
            "CASIER",
            "PRODUIT",
            "QTÉ",
            "COMMANDE / BAC",
            "Préparateur :",
            "2 lignes, 1 234 unités",
            "Page 1 sur 1",
            *(b.code for b in bins),
        ],
        absent=["PICK LIST", "BIN", "PRODUCT", "QTY", "ORDER", "Picker", "units", "Page 1 of"],
    )


def test_a_french_packer_buys_a_french_4x6_label_whose_tracking_still_scans(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    sign_in(client, make, "operator", "fr")
    station = make.pack_station()
    lane = make.location(LocationKind.STAGING_LANE)
    product = make.product()
    order_id = staged_order(make, [(product, 2)], lane, channel=make.channel(webhook_url=HOOK)[0])
    pack_to_label(client, station, lane, [product.sku, product.sku], make.box().code)
    assert scan(client, station, "CMD-DONE").status_code == 200
    with app.app_context():
        parcel = db.session.query(Parcel).filter_by(order_id=order_id).one()
        parcel_id, tracking = parcel.id, parcel.tracking_number

    pdf = pdf_of(client, f"/pack/parcels/{parcel_id}/label.pdf")
    assert tracking in values(decode_pdf(pdf)[0])
    assert_words(
        pdf_text(pdf),
        present=[
            "EXPÉDITEUR",
            "DESTINATAIRE",
            "COMMANDE",
            "POIDS",
            "N° DE SUIVI",
            "1,20 kg",
            "Expédié le",
            order_number(order_id),
            tracking,
        ],
        absent=["FROM", "SHIP TO", "ORDER", "WEIGHT", "TRACKING", "Ship date", "1.20 kg"],
    )


def _packed_parcel(app: Flask, client: FlaskClient, make: Factories, language: str | None) -> int:
    station = make.pack_station()
    lane = make.location(LocationKind.STAGING_LANE)
    product = make.product()
    order_id = staged_order(make, [(product, 1)], lane, channel=make.channel(webhook_url=HOOK)[0])
    with app.app_context():
        db.session.execute(update(Order).where(Order.id == order_id).values(language=language))
        db.session.commit()
    pack_to_label(client, station, lane, [product.sku], make.box().code)
    assert scan(client, station, "CMD-DONE").status_code == 200
    with app.app_context():
        return db.session.query(Parcel).filter_by(order_id=order_id).one().id


SLIP_FR = ["Bordereau de colisage", "DESTINATAIRE", "COMMANDÉ", "DANS CE COLIS", "Page 1 sur 1"]
SLIP_EN = ["Packing slip", "SHIP TO", "ORDERED", "IN THIS PARCEL", "Page 1 of 1"]


def test_the_packing_slip_speaks_the_customers_language_whoever_prints_it(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    sign_in(client, make, "operator", "en")
    french_customer = _packed_parcel(app, client, make, "fr")
    pdf = pdf_of(client, f"/pack/parcels/{french_customer}/slip.pdf")
    assert len(values(decode_pdf(pdf)[0])) == 1  # the order's number still scans
    assert_words(pdf_text(pdf), present=SLIP_FR, absent=SLIP_EN)

    # A French packer prints an English customer's slip in English...
    client.post("/logout")
    sign_in(client, make, "operator", "fr")
    english_customer = _packed_parcel(app, client, make, "en")
    text = pdf_text(pdf_of(client, f"/pack/parcels/{english_customer}/slip.pdf"))
    assert_words(text, present=SLIP_EN, absent=SLIP_FR)
    # ...and a slip whose shop gave no language in the warehouse's (English in the tests).
    unknown = _packed_parcel(app, client, make, None)
    text = pdf_text(pdf_of(client, f"/pack/parcels/{unknown}/slip.pdf"))
    assert_words(text, present=SLIP_EN, absent=SLIP_FR)
