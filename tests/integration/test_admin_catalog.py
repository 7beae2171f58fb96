"""Products, barcodes and locations set up from the admin screens, every change in the history."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from tests.factories import Factories, new_ean13, unique
from tests.scanning import decode_pdf, values
from wms.extensions import db
from wms.inventory.models import Barcode, Location, Product, ProductStock
from wms.inventory.queries import find_location, find_product


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def product_form(sku: str, **kw: str) -> dict[str, str]:
    return {
        "sku": sku,
        "name": "Harbor Mug",
        "weight_g": "350",
        "length_mm": "120",
        "width_mm": "90",
        "height_mm": "100",
        "unit_cost": "4.25",
        "allow_backorder": "yes",
        "safety_stock": "3",
        "release_on": "",
        "preorder_cap": "",
        "estimated_ship_on": "",
        "active": "yes",
        **kw,
    }


def test_admin_creates_a_product_with_its_barcode_and_stock_counters(
    app: Flask, client: FlaskClient, login
) -> None:
    admin = login("admin")
    sku, ean = unique("MUG-"), new_ean13()
    response = client.post("/admin/products/new", data=product_form(sku, barcode=ean))
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert f"Product {sku} created." in page
    assert ean in page and "ean13" in page
    assert f"{admin.username}</td> <td>create" in page  # the history says who
    with app.app_context():
        product = db.session.scalar(select(Product).where(Product.sku == sku))
        assert product is not None and product.unit_cost_cents == 425
        assert db.session.get(ProductStock, product.id) is not None


def test_a_wrong_check_digit_and_bad_numbers_are_all_reported_and_nothing_is_saved(
    app: Flask, client: FlaskClient, login
) -> None:
    login("admin")
    sku = unique("MUG-")
    good = new_ean13()
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    response = client.post(
        "/admin/products/new", data=product_form(sku, barcode=bad, barcode_kind="ean13")
    )
    assert response.status_code == 422
    assert "is not a valid EAN-13" in text(response)
    response = client.post(
        "/admin/products/new", data=product_form(sku, weight_g="heavy", unit_cost="x")
    )
    page = text(response)
    assert response.status_code == 422
    assert "weight_g must be a whole number, not &#39;heavy&#39;." in page
    assert "unit_cost must be an amount like 12.50" in page
    with app.app_context():
        assert db.session.scalar(select(Product).where(Product.sku == sku)) is None


def test_editing_a_product_records_what_changed_and_who(
    client: FlaskClient, login, make: Factories
) -> None:
    admin = login("admin")
    product = make.product(safety_stock=0)
    form = product_form(product.sku, name="Harbor Mug, Navy", safety_stock="7")
    response = client.post(f"/admin/products/{product.id}", data=form)
    assert response.status_code == 302
    page = text(client.get(f"/admin/products/{product.id}"))
    assert "safety_stock: 0 &rarr; 7" in page
    assert "name: Test product &rarr; Harbor Mug, Navy" in page
    assert admin.username in page


def test_a_barcode_belongs_to_one_product(client: FlaskClient, login, make: Factories) -> None:
    login("admin")
    first, second = make.product(), make.product()
    taken = first.barcodes[0].code
    response = client.post(f"/admin/products/{second.id}/barcodes", data={"code": taken})
    assert response.status_code == 409
    assert f"Barcode {taken} already belongs to {first.sku}." in text(response)
    case = unique("CASE-")
    response = client.post(
        f"/admin/products/{second.id}/barcodes",
        data={"code": case, "kind": "internal", "units": "12"},
    )
    assert response.status_code == 302
    page = text(client.get(f"/admin/products/{second.id}"))
    assert case in page and "code: " + case in page  # in the table and in the history


def test_deactivating_a_product_stops_channels_ordering_it_but_keeps_it(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    product = make.product()
    response = client.post(f"/admin/products/{product.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert "channels can no longer order it" in text(client.get(response.headers["Location"]))
    with app.app_context():
        assert db.session.get(Product, product.id).active is False  # still there
    inactive = text(client.get(f"/admin/products?status=inactive&q={product.sku}"))
    assert product.sku in inactive


def test_product_list_searches_by_barcode_and_pages(
    client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    product = make.product()
    page = text(client.get(f"/admin/products?q={product.barcodes[0].code}"))
    assert product.sku in page and "1 in all." in page
    partial = client.get(
        f"/admin/products?q={product.sku}", headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert "<html" not in partial.get_data(as_text=True)
    assert product.sku in partial.get_data(as_text=True)


def test_supervisors_read_the_catalogue_but_cannot_change_it(
    client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    product = make.product()
    page = text(client.get(f"/admin/products/{product.id}"))
    assert product.sku in page
    assert 'data-form="product"' not in page and "New product" not in page
    assert (
        client.post(f"/admin/products/{product.id}", data=product_form(product.sku)).status_code
        == 403
    )
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/data").status_code == 403


def test_operators_cannot_open_set_up(client: FlaskClient, login) -> None:
    login("operator")
    assert client.get("/admin/products").status_code == 403


def test_product_labels_print_their_ean(client: FlaskClient, login, make: Factories) -> None:
    login("supervisor")
    product = make.product()
    response = client.get(f"/admin/products/labels.pdf?id={product.id}")
    assert response.mimetype == "application/pdf"
    assert product.barcodes[0].code in values(decode_pdf(response.data)[0])


# ------------------------------------------------------------------ locations


def test_admin_creates_a_location_kept_in_capitals(app: Flask, client: FlaskClient, login) -> None:
    login("admin")
    code = unique("z-")
    response = client.post(
        "/admin/locations/new",
        data={
            "code": code,
            "kind": "bin",
            "zone": "Z",
            "walk_seq": "5",
            "capacity": "",
            "active": "yes",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        location = db.session.scalar(select(Location).where(Location.code == code.upper()))
        assert location is not None and location.capacity is None


def test_bins_by_pattern_preview_then_create_with_a_serpentine_walk(
    app: Flask, client: FlaskClient, login
) -> None:
    login("admin")
    bay = str(1000 + int(unique()[:4]))  # aisles X and Y, a bay no other test uses
    form = {
        "aisles": "X-Y",
        "bays": bay,
        "levels": "1-4",
        "separator": "-",
        "first_seq": "5000",
        "step": "10",
        "serpentine": "1",
        "zone_by_aisle": "1",
        "kind": "bin",
        "capacity": "40",
    }
    preview = client.post("/admin/locations/pattern", data={**form, "action": "preview"})
    assert preview.status_code == 200
    assert "8 bins, 0 of them exist already" in text(preview)
    created = client.post("/admin/locations/pattern", data={**form, "action": "create"})
    assert created.status_code == 302
    assert "8 locations created." in text(client.get(created.headers["Location"]))
    with app.app_context():
        rows = db.session.execute(
            select(Location.code, Location.walk_seq, Location.zone, Location.capacity)
            .where(Location.code.like(f"_-{bay}-_"))
            .order_by(Location.walk_seq)
        ).all()
    assert [r.code for r in rows] == [f"{a}-{bay}-{lv}" for a in "XY" for lv in range(1, 5)]
    assert [r.walk_seq for r in rows] == list(range(5000, 5080, 10))
    assert {r.zone for r in rows[4:]} == {"Y"} and rows[0].capacity == 40
    again = client.post("/admin/locations/pattern", data={**form, "action": "create"})
    assert "0 locations created. 8 existed already" in text(client.get(again.headers["Location"]))


def test_a_location_holding_stock_cannot_be_deactivated_or_change_kind(
    client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 4)
    response = client.post(f"/admin/locations/{bin_.id}/active", data={"active": "0"})
    assert response.status_code == 409
    assert "holds 4 units; empty it before deactivating it" in text(response)
    response = client.post(
        f"/admin/locations/{bin_.id}",
        data={
            "kind": "quarantine",
            "name": "",
            "zone": "",
            "walk_seq": "0",
            "capacity": "",
            "active": "yes",
        },
    )
    assert response.status_code == 409
    assert "empty it before changing its kind" in text(response)


def test_location_labels_scan_as_their_codes(client: FlaskClient, login, make: Factories) -> None:
    login("supervisor")
    a, b = make.location(), make.location()
    response = client.get(f"/admin/locations/labels.pdf?id={a.id}&id={b.id}")
    assert {a.code, b.code} <= values(decode_pdf(response.data)[0])


def test_long_bin_codes_print_a_barcode_that_scans_as_the_bin(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    suffix = unique()[-6:]
    bins = [
        make.location(code=f"{prefix}-{suffix}") for prefix in ("MEZZ-A-01", "OVERFLOW-DOCK-W-0")
    ]
    assert [len(b.code) for b in bins] == [16, 24]
    response = client.get("/admin/locations/labels.pdf?" + "&".join(f"id={b.id}" for b in bins))
    decoded = values(decode_pdf(response.data, dpi=150)[0])
    assert len(decoded) == 2 and bins[0].code in decoded and bins[1].code not in decoded
    with app.app_context():
        found = {find_location(value).code for value in decoded}  # type: ignore[union-attr]
    assert found == {b.code for b in bins}


def test_long_skus_print_a_barcode_that_scans_as_the_product(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("supervisor")
    product = make.product(sku=f"SHOE-RUNNING-BLACK-{unique()[-6:]}", ean="")
    with app.app_context():
        db.session.execute(delete(Barcode).where(Barcode.product_id == product.id))
        db.session.commit()
    response = client.get(f"/admin/products/labels.pdf?id={product.id}")
    [scanned] = values(decode_pdf(response.data, dpi=150)[0])
    assert scanned != product.sku
    with app.app_context():
        assert find_product(scanned).product.sku == product.sku  # type: ignore[union-attr]
