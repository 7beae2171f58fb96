"""Pick lists and label sheets, served as PDFs and read back the way the floor reads them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.factories import Factories
from tests.scanning import decode_pdf, page_sizes, pdf_pages, pdf_text, values
from wms.base.codes import COMMANDS, SCREEN_COMMANDS, command_code
from wms.base.numbers import order_number, wave_code
from wms.inventory.models import LocationKind

A4 = pytest.approx((595.28, 841.89), abs=0.01)
LETTER = (612.0, 792.0)


def pdf_of(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    return response.data


def test_a_wave_pick_list_scans_wave_bins_products_and_orders(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    products = [make.product() for _ in range(3)]
    bins = [make.location(walk_seq=100 + i, code=f"P{i}-{make.product().id:05d}") for i in range(3)]
    for product, bin_ in zip(products, bins, strict=True):
        make.stock(product, bin_, 10)
    channel, _ = make.channel()
    orders = [
        make.order(channel, [(products[0], 1), (products[2], 2)]),
        make.order(channel, [(products[1], 3)]),
    ]
    wave_id = make.wave(channel)
    login("supervisor")

    pdf = pdf_of(client, f"/pick/waves/{wave_id}/picklist.pdf")
    assert pdf_pages(pdf) == 1 and page_sizes(pdf) == [A4]
    found = values(decode_pdf(pdf)[0])
    expected = {wave_code(wave_id)} | {b.code for b in bins}
    expected |= {p.barcodes[0].code for p in products} | {order_number(o) for o in orders}
    assert found == expected
    text = pdf_text(pdf)
    assert "Page 1 of 1" in text and "3 lines, 6 units" in text
    # walking order: the bins appear down the page in the order of the walk
    positions = [text.index(b.code) for b in bins]
    assert positions == sorted(positions)

    letter = pdf_of(client, f"/pick/waves/{wave_id}/picklist.pdf?size=letter")
    assert page_sizes(letter) == [LETTER]
    assert client.get(f"/pick/waves/{wave_id}/picklist.pdf?size=A3").status_code == 422


def test_the_pick_list_of_a_started_wave_names_the_totes(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    from sqlalchemy import select

    from wms.extensions import db
    from wms.inventory.models import Location
    from wms.picking.models import WaveOrder
    from wms.picking.services.waves import claim_wave

    product = make.product()
    make.stock(product, make.location(walk_seq=10), 10)
    make.location(LocationKind.TOTE)
    channel, _ = make.channel()
    make.order(channel, [(product, 1)])
    wave_id = make.wave(channel)
    picker = make.user()
    with app.app_context():
        claim_wave(picker.id, wave_id)
        db.session.commit()
        tote = db.session.scalar(
            select(Location.code)
            .join(WaveOrder, WaveOrder.tote_location_id == Location.id)
            .where(WaveOrder.wave_id == wave_id)
        )
    login("supervisor")
    text = pdf_text(pdf_of(client, f"/pick/waves/{wave_id}/picklist.pdf"))
    assert f"Tote {tote}" in text
    assert "Picker: Test User" in text


def test_the_command_sheet_scans_every_command(client, login: Callable[..., Any]) -> None:
    login("supervisor")
    pdf = pdf_of(client, "/pick/labels/commands.pdf")
    screens, actions = decode_pdf(pdf)
    languages = {"CMD-LANG-EN", "CMD-LANG-FR"}  # one a language, on the screens' page
    assert values(screens) == {command_code(word) for word in SCREEN_COMMANDS} | languages
    assert values(actions) == {command_code(word) for word in COMMANDS}
    letter = pdf_of(client, "/pick/labels/commands.pdf?size=Letter")
    assert page_sizes(letter) == [LETTER, LETTER]


def test_location_labels_by_zone_or_by_code(
    client, make: Factories, login: Callable[..., Any]
) -> None:
    zone = f"Z{make.product().id}"
    in_zone = [make.location(zone=zone, walk_seq=i) for i in (3, 1, 2)]
    loose = make.location(LocationKind.TOTE)
    login("supervisor")
    pdf = pdf_of(client, f"/pick/labels/locations.pdf?zone={zone}")
    assert values(decode_pdf(pdf)[0]) == {loc.code for loc in in_zone}
    pdf = pdf_of(client, f"/pick/labels/locations.pdf?codes={loose.code},{in_zone[0].code}")
    assert values(decode_pdf(pdf)[0]) == {loose.code, in_zone[0].code}
    refused = client.get("/pick/labels/locations.pdf?codes=NOPE-1")
    assert refused.status_code == 422
    assert "No location has the code NOPE-1." in refused.get_data(as_text=True)
    assert client.get("/pick/labels/locations.pdf").status_code == 422


def test_product_labels_carry_the_ean_or_else_the_sku(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    from wms.extensions import db
    from wms.inventory.models import Barcode

    with_ean = make.product()
    without = make.product()
    with app.app_context():
        db.session.query(Barcode).filter_by(product_id=without.id).delete()
        db.session.commit()
    login("supervisor")
    pdf = pdf_of(client, f"/pick/labels/products.pdf?skus={with_ean.sku},{without.sku}&copies=11")
    assert pdf_pages(pdf) == 2  # 22 labels, 21 to an A4 sheet
    first_page = decode_pdf(pdf, pages=[1])[0]
    assert set(first_page) == {("EAN-13", with_ean.barcodes[0].code), ("CODE-128", without.sku)}
    refused = client.get("/pick/labels/products.pdf?skus=NO-SUCH-SKU")
    assert refused.status_code == 422
    assert "No product has the SKU NO-SUCH-SKU." in refused.get_data(as_text=True)


def test_label_sheets_are_for_supervisors(client, login: Callable[..., Any]) -> None:
    login("operator")
    assert client.get("/pick/labels/commands.pdf").status_code == 403
    assert client.get("/pick/labels").status_code == 403
