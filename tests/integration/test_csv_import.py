"""CSV import and export as an admin uses them: preview first, all or nothing, exact round trips."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.factories import Factories, new_ean13, unique
from wms.auth.models import AuditEvent
from wms.base.codes import gs1_check_digit
from wms.core.models import OrderLine
from wms.extensions import db
from wms.inventory.models import Barcode, Location, Movement, Product, ProductStock, Stock

HX = {"HX-Request": "true"}


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def multipart(kind: str, content: str, name: str) -> tuple[bytes, str]:
    """The form a browser sends (built here: the test client spools big bodies to a file it
    never closes)."""
    boundary = "----wms-test-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    ).encode()
    return body, f"multipart/form-data; boundary={boundary}"


def upload(client: FlaskClient, kind: str, content: str, name: str = "file.csv") -> int:
    body, content_type = multipart(kind, content, name)
    response = client.post("/admin/imports", data=body, content_type=content_type)
    assert response.status_code == 302, text(response)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def poll_until_checked(client: FlaskClient, job_id: int) -> list[str]:
    """Answer the progress bar's polls as htmx would; returns each answer."""
    answers = []
    for _ in range(100):
        page = text(client.post(f"/admin/imports/{job_id}/step", headers=HX))
        answers.append(page)
        if 'data-status="checking"' not in page:
            return answers
    raise AssertionError("the import never finished checking")


def ean_for(n: int, run: str) -> str:
    body = f"2{run}{n:06d}"[:12].ljust(12, "0")
    return body + str(gs1_check_digit(body))


def products_csv(run: str, n: int, bad: dict[int, dict[str, str]] | None = None) -> str:
    """``n`` products of this run; ``bad`` replaces cells of some rows (by index)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sku", "name", "weight_g", "unit_cost", "safety_stock", "barcodes"])
    for i in range(n):
        row = {
            "sku": f"R{run}-{i:05d}",
            "name": f"Item {i}",
            "weight_g": str(100 + i % 50),
            "unit_cost": f"{i % 90}.{i % 100:02d}",
            "safety_stock": str(i % 5),
            "barcodes": f"ean13:{ean_for(i, run)}"
            + (f"; internal:C{run}-{i}:12" if i % 100 == 0 else ""),
        }
        row.update((bad or {}).get(i, {}))
        writer.writerow(row.values())
    return out.getvalue()


def count_products(app: Flask, run: str) -> int:
    with app.app_context():
        return int(
            db.session.scalar(select(func.count()).where(Product.sku.like(f"R{run}-%"))) or 0
        )


def test_10000_rows_with_bad_ones_write_nothing_and_name_every_bad_row_then_a_clean_file_imports(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    run = f"{int(unique()[:4]):04d}"
    existing = make.product()
    taken = existing.barcodes[0].code
    wrong_check = ean_for(7, run)[:-1] + str((int(ean_for(7, run)[-1]) + 1) % 10)
    bad = {
        10: {"name": ""},  # row 12 in the file
        2500: {"weight_g": "heavy"},
        4999: {"barcodes": f"ean13:{wrong_check}"},
        6000: {"sku": f"R{run}-00001"},  # the SKU of row 3 again
        9998: {"barcodes": f"ean13:{taken}"},
        9999: {"unit_cost": "-3", "safety_stock": "x"},
    }
    job_id = upload(client, "products", products_csv(run, 10_000, bad), "catalogue.csv")
    first = text(client.get(f"/admin/imports/{job_id}"))
    assert "<progress" in first and 'hx-trigger="load delay:150ms"' in first
    answers = poll_until_checked(client, job_id)
    assert len(answers) >= 3  # the bar moved in steps
    assert re.search(r"2,000 of 10,000 rows checked", answers[0])
    final = answers[-1]
    assert "Nothing was written: 6 rows need fixing" in final
    for row, words in [
        (12, "Name is missing."),
        (2502, "weight_g must be a whole number, not &#39;heavy&#39;."),
        (5001, "is not a valid EAN-13"),
        (6002, f"SKU R{run}-00001 is already on row 3."),
        (10000, f"already belongs to {existing.sku}."),
        (10001, "unit_cost must be an amount like 12.50"),
        (10001, "safety_stock must be a whole number"),
    ]:
        assert re.search(
            rf'<td class="num">{row}</td><td>[^<]*{re.escape(words)}', final.replace("> <", "><")
        ), (row, words)
    assert "data-apply" not in final
    assert count_products(app, run) == 0
    assert client.post(f"/admin/imports/{job_id}/apply").status_code == 302
    assert count_products(app, run) == 0

    clean_id = upload(client, "products", products_csv(run, 10_000), "catalogue-fixed.csv")
    final = poll_until_checked(client, clean_id)[-1]
    assert 'data-count="new">10,000<' in final and "data-apply" in final
    done = text(client.post(f"/admin/imports/{clean_id}/apply", headers=HX))
    assert "10,000 rows written" in done
    assert count_products(app, run) == 10_000
    with app.app_context():
        product = db.session.scalar(select(Product).where(Product.sku == f"R{run}-00100"))
        assert product is not None and product.unit_cost_cents == 10 * 100 + 0
        codes = {
            b.code: b.units
            for b in db.session.scalars(select(Barcode).where(Barcode.product_id == product.id))
        }
        assert codes == {ean_for(100, run): 1, f"C{run}-100": 12}
        assert db.session.get(ProductStock, product.id) is not None
        history = db.session.scalar(
            select(func.count()).where(
                AuditEvent.entity == "product", AuditEvent.entity_id == str(product.id)
            )
        )
        assert history == 1


def _rows(csv_text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(csv_text)))


def test_export_then_import_gives_back_exactly_the_same_products(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    a = make.product(
        name='Alpine Mug, "big"', unit_cost_cents=1999, safety_stock=4, allow_backorder=False
    )
    make.barcode(a, unique("CASE-"), units=12)
    b = make.product(name="=cmd|' /C calc'!A0", weight_g=0)
    exported = client.get("/admin/export/products.csv").get_data(as_text=True)
    # the same file again changes nothing
    job = upload(client, "products", exported)
    final = poll_until_checked(client, job)[-1]
    assert 'data-count="new">0<' in final and 'data-count="changed">0<' in final
    # the rows of a and b, given new SKUs and barcodes, make two identical copies
    mine = [r for r in _rows(exported) if r["sku"] in (a.sku, b.sku)]
    renames: dict[str, str] = {}
    for row in mine:
        row["sku"] = renames.setdefault(row["sku"], unique("COPY-"))
        parts = []
        for entry in row["barcodes"].split("; "):
            kind, _code, *units = entry.split(":")
            new = new_ean13() if kind == "ean13" else unique("CASE-")
            parts.append(":".join([kind, new, *units]))
        row["barcodes"] = "; ".join(parts)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(mine[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(mine)
    job = upload(client, "products", out.getvalue())
    poll_until_checked(client, job)
    client.post(f"/admin/imports/{job}/apply")
    again = {
        r["sku"]: r for r in _rows(client.get("/admin/export/products.csv").get_data(as_text=True))
    }
    for original in (a.sku, b.sku):
        old, new = dict(again[original]), dict(again[renames[original]])
        assert [e.split(":")[0::2] for e in new.pop("barcodes").split("; ")] == [
            e.split(":")[0::2] for e in old.pop("barcodes").split("; ")
        ]
        old.pop("sku"), new.pop("sku")
        assert new == old


def test_locations_import_updates_and_a_kind_change_of_a_full_bin_is_refused(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    full = make.location()
    make.stock(make.product(), full, 3)
    code = unique("IMP-")
    content = f"code,kind,zone,walk_seq,capacity\n{code},bin,Z,77,20\n{full.code},quarantine,Q,1,\n"
    job = upload(client, "locations", content)
    final = poll_until_checked(client, job)[-1]
    assert f"{full.code} holds 3 units; empty it before changing its kind." in final
    with app.app_context():
        assert db.session.scalar(select(Location).where(Location.code == code)) is None
    job = upload(client, "locations", f"code,kind,zone,walk_seq,capacity\n{code},bin,Z,77,20\n")
    poll_until_checked(client, job)
    client.post(f"/admin/imports/{job}/apply")
    exported = _rows(client.get("/admin/export/locations.csv").get_data(as_text=True))
    assert {
        "code": code,
        "kind": "bin",
        "name": "",
        "zone": "Z",
        "walk_seq": "77",
        "capacity": "20",
        "active": "yes",
    } in exported


def test_opening_stock_goes_through_the_ledger_and_serves_waiting_backorders(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    product, bin_a, bin_b = make.product(), make.location(), make.location()
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 3)])  # nothing in stock: it waits
    content = f"sku,location,qty\n{product.sku},{bin_a.code},5\n{product.sku},{bin_b.code},2\n"
    job = upload(client, "stock", content)
    final = poll_until_checked(client, job)[-1]
    assert 'data-count="units">7<' in final
    client.post(f"/admin/imports/{job}/apply")
    with app.app_context():
        moves = db.session.execute(
            select(Movement.qty, Movement.reason, Movement.reference, Movement.to_location_id)
            .where(Movement.product_id == product.id)
            .order_by(Movement.id)
        ).all()
        assert [(m.qty, m.reason, m.reference) for m in moves] == [
            (5, "opening", f"IMPORT-{job}"),
            (2, "opening", f"IMPORT-{job}"),
        ]
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert (line.qty_reserved, line.qty_waiting) == (3, 0)
    # the same file again: those places hold the product now, so nothing is written twice
    job = upload(client, "stock", content)
    final = poll_until_checked(client, job)[-1]
    assert f"{bin_a.code} already holds 5 of {product.sku}" in final
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.sum(Stock.qty_on_hand)).where(Stock.product_id == product.id)
            )
            == 7
        )


def test_rows_checked_clean_are_checked_again_when_imported(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    sku, code = unique("LATE-"), new_ean13()
    job = upload(client, "products", f"sku,name,barcodes\n{sku},Late,{code}\n")
    assert 'data-count="new">1<' in poll_until_checked(client, job)[-1]
    other = make.product(ean=code)  # meanwhile the barcode went to another product
    page = text(client.post(f"/admin/imports/{job}/apply", headers=HX))
    assert "Nothing was written" in page
    assert f"Barcode {code} already belongs to {other.sku}." in page
    with app.app_context():
        assert db.session.scalar(select(Product).where(Product.sku == sku)) is None


def test_a_file_that_is_not_the_format_is_refused_before_anything_else(
    client: FlaskClient, login
) -> None:
    login("admin")
    response = client.post(
        "/admin/imports",
        data={"kind": "locations", "file": (io.BytesIO(b"code,colour\nA,red\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Unknown column &#39;colour&#39;" in text(response)


def test_the_bad_rows_download_as_a_csv_of_line_and_problem(client: FlaskClient, login) -> None:
    login("admin")
    run = f"{int(unique()[:4]):04d}"
    job_id = upload(
        client, "products", products_csv(run, 5, {1: {"name": ""}, 3: {"weight_g": "x"}})
    )
    poll_until_checked(client, job_id)

    response = client.get(f"/admin/imports/{job_id}/errors.csv")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="import-{job_id}-errors.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Row", "Problem"]
    assert [r[0] for r in rows[1:]] == ["3", "5"]
    assert rows[1][1] == "Name is missing." and "weight_g" in rows[2][1]
