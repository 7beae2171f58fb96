"""Supervisors: inbounds, their dates, CSV import, reports, and the dock board."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.integration.receiving.conftest import HX, Site
from tests.scanning import decode_pdf, pdf_text
from wms.base.clock import utcnow
from wms.core.models import Inbound, OrderLine
from wms.extensions import db


def supervisor(site: Site):  # type: ignore[no-untyped-def]
    user = site.make.user(role="supervisor")
    client = site.app.test_client()
    client.post("/login", data={"username": user.username, "password": "secret-pass"})
    return client


def test_a_supervisor_creates_an_inbound_and_moves_its_date(site: Site) -> None:
    product = site.make.product(sku="SKU-DESK-1")
    channel, _ = site.make.channel()
    order_id = site.make.order(channel, [(product, 2)])
    desk = supervisor(site)
    when = (utcnow() + timedelta(days=2)).replace(microsecond=0, second=0)
    created = desk.post(
        "/inbounds/new",
        data={
            "reference": "PO-7001",
            "kind": "po",
            "supplier": "Northwind",
            "expected_at": when.isoformat(timespec="minutes"),
            "lines": "SKU-DESK-1, 5",
        },
    )
    assert created.status_code == 302
    with site.app.app_context():
        inbound = db.session.scalar(select(Inbound).where(Inbound.reference == "PO-7001"))
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert line.projected_fill_on == when.date()  # typed on the warehouse's clock
    later = when + timedelta(days=5)
    desk.post(
        f"/inbounds/{inbound.id}/expected",
        data={"expected_at": later.isoformat(timespec="minutes")},
    )
    with site.app.app_context():
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert line.projected_fill_on == later.date()
    page = desk.get(f"/inbounds/{inbound.id}").get_data(as_text=True)
    assert "PO-7001" in page and "SKU-DESK-1" in page


def test_csv_import_shows_every_bad_row_and_writes_nothing(site: Site) -> None:
    site.make.product(sku="SKU-CSV-1")
    desk = supervisor(site)
    bad = (
        "reference,supplier,expected_at,sku,qty\n"
        "ASN-C1,Acme,2026-12-01T09:00,SKU-CSV-1,4\n"
        "ASN-C1,Acme,2026-12-01T09:00,NOPE,2\n"
        "ASN-C2,Acme,tomorrow,SKU-CSV-1,-1\n"
    )
    response = desk.post(
        "/inbounds/import",
        data={"file": (io.BytesIO(bad.encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Row 3: no product has the SKU &#39;NOPE&#39;." in page
    assert "Row 4:" in page and "is not a date" in page and "whole number above zero" in page
    with site.app.app_context():
        assert db.session.scalar(select(Inbound).where(Inbound.reference == "ASN-C1")) is None
    good = "reference,supplier,expected_at,sku,qty\nASN-C1,Acme,2026-12-01T09:00,SKU-CSV-1,4\n"
    preview = desk.post(
        "/inbounds/import",
        data={"file": (io.BytesIO(good.encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    assert "1 inbound ready to import. 1 line in all:" in preview.get_data(as_text=True)
    done = desk.post("/inbounds/import", data={"csv": good, "confirm": "1"})
    assert done.status_code == 302
    with site.app.app_context():
        inbound = db.session.scalar(select(Inbound).where(Inbound.reference == "ASN-C1"))
        assert [(ln.product.sku, ln.qty_expected) for ln in inbound.lines] == [("SKU-CSV-1", 4)]


def test_csv_times_are_the_warehouses_clock_unless_they_say_their_zone(site: Site) -> None:
    site.make.product(sku="SKU-CSV-T")
    desk = supervisor(site)
    year = utcnow().year + 1
    rows = (
        "reference,supplier,expected_at,sku,qty\n"
        f"ASN-T1,Acme,{year}-12-01T09:00,SKU-CSV-T,4\n"
        f"ASN-T2,Acme,{year}-12-01T09:00Z,SKU-CSV-T,4\n"
    )
    done = desk.post("/inbounds/import", data={"csv": rows, "confirm": "1"})
    assert done.status_code == 302
    with site.app.app_context():
        when = dict(
            db.session.execute(
                select(Inbound.reference, Inbound.expected_at).where(
                    Inbound.reference.in_(["ASN-T1", "ASN-T2"])
                )
            ).all()
        )
    # 09:00 in Paris in December is 08:00 UTC, as the desk's form reads it; a Z is UTC.
    assert when == {"ASN-T1": datetime(year, 12, 1, 8, 0), "ASN-T2": datetime(year, 12, 1, 9, 0)}
    with site.app.app_context():
        t1 = db.session.scalar(select(Inbound.id).where(Inbound.reference == "ASN-T1"))
    page = desk.get(f"/inbounds/{t1}").get_data(as_text=True)
    assert f'name="expected_at" value="{year}-12-01T09:00"' in page


def _received_and_closed(site: Site, sku: str, reference: str, due: datetime) -> int:
    """An inbound of four units expected at ``due``, one received, closed: its id."""
    product = site.make.product(sku=sku)
    site.make.inbound([(product, 4)], due, reference=reference)
    site.start(reference)
    site.scan(product.barcodes[0].code)
    site.client.post("/receive/close", headers=HX)
    with site.app.app_context():
        return db.session.scalar(select(Inbound.id).where(Inbound.reference == reference))


def test_discrepancy_report_as_a_page_and_a_pdf_that_scans(site: Site) -> None:
    inbound_id = _received_and_closed(site, "SKU-REP-1", "ASN-REP", utcnow())
    desk = supervisor(site)
    page = desk.get(f"/inbounds/{inbound_id}/report").get_data(as_text=True)
    assert 'data-sku="SKU-REP-1"' in page
    pdf = desk.get(f"/inbounds/{inbound_id}/report.pdf")
    assert pdf.mimetype == "application/pdf"
    codes = {data for page in decode_pdf(pdf.data) for _, data in page}
    assert "ASN-REP" in codes


def test_the_dock_board_shows_lanes_orders_and_units_on_the_dock(site: Site) -> None:
    product = site.make.product()
    channel, _ = site.make.channel()
    order_id = site.make.order(channel, [(product, 1)])
    other = site.make.product()
    site.make.inbound([(product, 1), (other, 1)], utcnow(), reference="ASN-BOARD")
    site.start("ASN-BOARD")
    site.scan(product.barcodes[0].code)
    site.scan("L1")
    site.scan(other.barcodes[0].code)  # left on the dock
    board = site.client.get("/dock/board", headers=HX).get_data(as_text=True)
    from wms.base.numbers import order_number

    assert 'data-lane="L1"' in board
    assert f'data-order="{order_number(order_id)}"' in board and "ready to pack" in board
    assert other.sku in board  # on the dock, not yet confirmed
    assert 'hx-trigger="every 3s"' in board


def test_operators_cannot_open_inbound_admin(site: Site) -> None:
    assert site.client.get("/inbounds/").status_code == 403


def test_an_inbound_missing_or_closed_is_answered_as_each_screen_says_it(site: Site) -> None:
    product = site.make.product()
    site.make.inbound([(product, 1)], utcnow(), reference="ASN-SHUT")
    with site.app.app_context():
        shut = db.session.scalar(select(Inbound).where(Inbound.reference == "ASN-SHUT"))
        shut.status = "closed"
        db.session.commit()
        shut_id = shut.id
    desk = supervisor(site)
    later = {"expected_at": (utcnow() + timedelta(days=1)).isoformat(timespec="minutes")}
    # The desk: a page that does not exist, or a sentence naming the status.
    assert desk.post("/inbounds/99999999/expected", data=later).status_code == 404
    redated = desk.post(f"/inbounds/{shut_id}/expected", data=later, headers=HX)
    assert redated.status_code == 409
    assert "Inbound ASN-SHUT is closed." in redated.get_data(as_text=True)
    closed = desk.post(f"/inbounds/{shut_id}/close", headers=HX)
    assert closed.status_code == 409
    assert "Inbound ASN-SHUT is already closed." in closed.get_data(as_text=True)
    # The floor: a sentence either way.
    missing = site.client.post("/receive/start/99999999", headers=HX)
    assert missing.status_code == 422
    assert "There is no such inbound." in missing.get_data(as_text=True)
    started = site.client.post(f"/receive/start/{shut_id}", headers=HX)
    assert started.status_code == 409
    assert "Inbound ASN-SHUT is closed." in started.get_data(as_text=True)
    with site.app.app_context():
        assert db.session.get(Inbound, shut_id).status == "closed"


def french_supervisor(site: Site):  # type: ignore[no-untyped-def]
    user = site.make.user(role="supervisor", language="fr")
    client = site.app.test_client()
    client.post("/login", data={"username": user.username, "password": "secret-pass"})
    return client


def test_a_french_supervisor_reads_the_inbounds_list_page_and_report_in_french(
    site: Site,
) -> None:
    site.make.product(sku="SKU-FR-1")
    desk = french_supervisor(site)
    created = desk.post(
        "/inbounds/new",
        data={
            "reference": "PO-FR-1",
            "kind": "po",
            "supplier": "Nordvent",
            "expected_at": "2026-12-07T09:30",
            "lines": "SKU-FR-1, 1 234",
        },
    )
    # A quantity written with a space is not a whole number: said in French, nothing made.
    assert created.status_code == 422
    assert "Ligne 1\u202f: écrivez «\u202fSKU, quantité\u202f»" in created.get_data(as_text=True)
    created = desk.post(
        "/inbounds/new",
        data={
            "reference": "PO-FR-1",
            "kind": "po",
            "supplier": "Nordvent",
            "expected_at": "2026-12-07T09:30",
            "lines": "SKU-FR-1, 1234",
        },
    )
    assert created.status_code == 302
    show = desk.get(created.headers["Location"]).get_data(as_text=True)
    assert "Réception PO-FR-1 créée." in show
    assert "Bon de commande · attendue" in show
    # Typed and shown on the warehouse's clock (stored as 08:30 UTC).
    assert "attendue le 7 déc. 2026, 09:30" in show
    assert '<th class="num">Prévu</th>' in show and "1\u202f234" in show
    assert "Clôturer et voir le rapport" in show
    for english in ("Expected", "Received", "Close and report", "expected 2026", "Change date"):
        assert english not in show

    listing = desk.get("/inbounds/").get_data(as_text=True)
    assert "<h1>Réceptions</h1>" in listing and "Nouvelle réception" in listing
    assert '<option value="open" >attendue</option>' in listing
    assert "7 déc. 2026, 09:30" in listing and "Page 1 sur 1" in listing
    for english in ("Inbounds", "New inbound", "Supplier", "Page 1 of"):
        assert english not in listing

    with site.app.app_context():
        inbound_id = db.session.scalar(select(Inbound.id).where(Inbound.reference == "PO-FR-1"))
    closed = desk.post(f"/inbounds/{inbound_id}/close")
    report = desk.get(closed.headers["Location"]).get_data(as_text=True)
    assert "Rapport d’écarts · PO-FR-1" in report and "clôturée" in report
    assert '<th class="num">Manque</th>' in report
    for english in ("Discrepancy report", "Short", "expected", "Inbound<"):
        assert english not in report

    bad = "reference,supplier,expected_at,sku,qty\nASN-FR,Acme,demain,NOPE,2\n"
    preview = desk.post(
        "/inbounds/import",
        data={"file": (io.BytesIO(bad.encode()), "a.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Rien n’a été importé. Corrigez ces lignes\u202f:" in preview
    assert "Ligne 2\u202f: aucun produit n’a le SKU «\u202fNOPE\u202f»." in preview
    assert "Ligne 2\u202f: «\u202fdemain\u202f» n’est pas une date" in preview


def test_the_discrepancy_report_gives_the_warehouses_expected_day(site: Site) -> None:
    # Due at 23:30 UTC on 11 December: 00:30 on 12 December in the warehouse (Europe/Paris).
    due = datetime(utcnow().year + 1, 12, 11, 23, 30)
    inbound_id = _received_and_closed(site, "SKU-REP-2", "ASN-REP-2", due)
    desk = supervisor(site)
    text = pdf_text(desk.get(f"/inbounds/{inbound_id}/report.pdf").data)
    assert f"Dec 12, {due.year}" in text and f"Dec 11, {due.year}" not in text


def test_a_time_typed_on_the_desk_is_the_warehouses_wall_clock(site: Site) -> None:
    # 00:30 on 12 December in the warehouse (Europe/Paris) is 23:30 on the 11th in UTC.
    site.make.product(sku="SKU-DESK-9")
    desk = supervisor(site)
    year = utcnow().year + 1
    created = desk.post(
        "/inbounds/new",
        data={
            "reference": "PO-7009",
            "kind": "po",
            "supplier": "Northwind",
            "expected_at": f"{year}-12-12T00:30",
            "lines": "SKU-DESK-9, 5",
        },
    )
    assert created.status_code == 302
    with site.app.app_context():
        inbound = db.session.scalar(select(Inbound).where(Inbound.reference == "PO-7009"))
        assert inbound.expected_at == datetime(year, 12, 11, 23, 30)
    page = desk.get(f"/inbounds/{inbound.id}").get_data(as_text=True)
    assert f'name="expected_at" value="{year}-12-12T00:30"' in page
    # Moved to 08:15 on the warehouse's clock: 07:15 UTC in winter.
    moved = desk.post(
        f"/inbounds/{inbound.id}/expected", data={"expected_at": f"{year}-12-14T08:15"}
    )
    assert moved.status_code == 302
    with site.app.app_context():
        assert db.session.get(Inbound, inbound.id).expected_at == datetime(year, 12, 14, 7, 15)
    page = desk.get(f"/inbounds/{inbound.id}").get_data(as_text=True)
    assert f'value="{year}-12-14T08:15"' in page
