"""Every code the warehouse prints is recognised on Receive: a code of another kind is
named and changes nothing; only a code that is nothing known becomes an unknown unit;
a product is found in every GS1 form; closing and leaving are scanned, twice."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.integration.receiving.conftest import Site
from tests.integration.receiving.test_receive_scan import on_hand
from wms.base.clock import utcnow
from wms.base.numbers import order_number
from wms.core.models import Inbound
from wms.extensions import db
from wms.inventory.models import LocationKind, Movement
from wms.receiving.models import DockUnit, ReceivingSession


def counts(site: Site) -> tuple[int, int]:
    """(dock units, ledger rows): what a scan that changes nothing leaves as it was."""
    with site.app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(DockUnit)),
            db.session.scalar(select(func.count()).select_from(Movement)),
        )


def refused(site: Site, code: str) -> str:
    before = counts(site)
    response = site.scan(code)
    assert response.status_code == 422, site.text(response)
    assert counts(site) == before
    return site.text(response)


def receiving(site: Site) -> str:
    site.make.inbound([(site.make.product(), 5)], utcnow(), reference="ASN-HERE")
    site.start("ASN-HERE")
    return "ASN-HERE"


def test_an_order_number_is_named_and_becomes_no_unit(site: Site) -> None:
    receiving(site)
    channel, _ = site.make.channel()
    order_id = site.make.order(channel, [(site.make.product(), 1)])
    number = order_number(order_id)
    said = refused(site, number)
    assert f"That is order {number} — scan a unit, or DONE to finish." in said
    assert "quarantine" not in said.lower()


def test_a_badge_an_rma_and_a_pick_list_are_named_and_become_no_unit(site: Site) -> None:
    receiving(site)
    clerk = site.make.user(full_name="Rita Returns", badge_code="B-RITA-1")
    assert "That is the badge of Rita Returns — scan a unit" in refused(site, clerk.badge_code)

    channel, _ = site.make.channel()
    product = site.make.product()
    shipped = site.make.shipped_order(channel, [(product, 1)])
    rma = site.make.rma(shipped, [(product, 1)])
    assert f"That is return {rma} — scan a unit" in refused(site, rma)

    site.make.stock(product, site.bins[4], 3)
    site.make.order(channel, [(product, 1)])
    wave_id = site.make.wave(channel)
    code = f"WV-{wave_id:05d}"
    assert f"That is pick list {code} — scan a unit" in refused(site, code)


def test_a_code_that_is_nothing_known_is_still_an_unknown_unit(site: Site) -> None:
    receiving(site)
    response = site.scan("NOTHING-WE-KNOW-42")
    assert response.status_code == 200
    assert "No product has the barcode NOTHING-WE-KNOW-42." in site.text(response)
    assert site.where(response) == ["QUAR-1"]
    with site.app.app_context():
        unit = db.session.scalar(select(DockUnit).order_by(DockUnit.id.desc()))
        assert unit.product_id is None and unit.scanned_code == "NOTHING-WE-KNOW-42"


def test_the_quarantine_card_names_the_place_once(site: Site) -> None:
    receiving(site)
    answer = site.text(site.scan("NOTHING-WE-KNOW-43"))
    start = answer.index('data-destination="quarantine"')
    card = answer[start : answer.index("</div>", start)]
    assert '<p class="dest-where">QUAR-1</p>' in card
    assert "QUARANTINE QUAR-1" not in card


def test_gs1_human_readable_with_spaces_counts_its_units(site: Site) -> None:
    product = site.make.product()
    site.make.inbound([(product, 5)], utcnow(), reference="ASN-GS1")
    site.start("ASN-GS1")
    ean = product.barcodes[0].code
    response = site.scan(f"(01) 0{ean} (37) 2")
    assert response.status_code == 200, site.text(response)
    assert f"{product.sku} · {product.name}" in site.text(response)
    assert "Put away · 2 units" in site.text(response)


def test_a_bare_gtin14_finds_the_product_by_its_ean13(site: Site) -> None:
    product = site.make.product()
    site.make.inbound([(product, 5)], utcnow(), reference="ASN-GTIN14")
    site.start("ASN-GTIN14")
    response = site.scan("0" + product.barcodes[0].code)
    assert response.status_code == 200, site.text(response)
    assert f"{product.sku} · {product.name}" in site.text(response)
    assert "No product has the barcode" not in site.text(response)


def test_another_asn_scanned_twice_becomes_the_inbound_in_hand(site: Site) -> None:
    receiving(site)
    other = site.make.inbound([(site.make.product(), 2)], utcnow(), reference="ASN-NEXT")
    asked = site.scan("ASN-NEXT")
    assert asked.status_code == 200
    assert "That is ASN ASN-NEXT. Scan it again to leave ASN-HERE and receive it." in site.text(
        asked
    )
    switched = site.scan("ASN-NEXT")
    assert switched.status_code == 204 and switched.headers["HX-Redirect"] == "/receive/scan"
    with site.app.app_context():
        assert db.session.get(ReceivingSession, site.user.id).inbound_id == other


def test_done_then_something_else_does_not_close(site: Site) -> None:
    receiving(site)
    product = site.make.product()
    site.scan("CMD-DONE")
    site.scan(product.barcodes[0].code)  # the receiver carried on
    asked_again = site.scan("CMD-DONE")
    assert "Close ASN-HERE?" in site.text(asked_again)
    with site.app.app_context():
        inbound = db.session.scalar(select(Inbound).where(Inbound.reference == "ASN-HERE"))
        assert inbound.status == "receiving"


def test_new_scanned_twice_leaves_the_inbound_open_for_another(site: Site) -> None:
    receiving(site)
    asked = site.scan("CMD-NEW")
    assert "Leave ASN-HERE for another inbound? It stays open." in site.text(asked)
    left = site.scan("CMD-NEW")
    assert left.status_code == 204 and left.headers["HX-Redirect"] == "/receive/"
    start = site.text(site.client.get("/receive/"))
    assert "ASN-HERE stays open. Scan the next ASN or PO number." in start
    with site.app.app_context():
        inbound = db.session.scalar(select(Inbound).where(Inbound.reference == "ASN-HERE"))
        assert inbound.status == "receiving"
        assert db.session.get(ReceivingSession, site.user.id).inbound_id is None


def test_the_start_screen_names_a_code_that_is_not_an_inbound(site: Site) -> None:
    tote = site.make.location(LocationKind.TOTE, code="TOTE-REC-1")
    response = site.start(tote.code)
    assert response.status_code == 422
    assert "That is tote TOTE-REC-1 — scan the ASN or PO number, or BLIND." in site.text(response)


def test_putaway_takes_another_bin_scanned_twice_without_a_tap(site: Site) -> None:
    product = site.make.product()
    site.make.stock(product, site.bins[3], 2)
    site.make.inbound([(product, 1)], utcnow(), reference="ASN-PUT2")
    site.start("ASN-PUT2")
    site.scan(product.barcodes[0].code)  # left on the dock
    hx = {"HX-Request": "true"}

    def putaway(code: str, n: int) -> str:
        response = site.client.post(
            "/receive/putaway", data={"code": code, "scan_id": f"pw2-{n}"}, headers=hx
        )
        return site.text(response)

    assert f"BIN {site.bins[3].code}" in putaway(product.sku, 1)
    wrong = putaway(site.bins[0].code, 2)
    assert f"To use {site.bins[0].code} instead, scan it again" in wrong
    assert on_hand(site, product, site.bins[0]) == 0
    done = putaway(site.bins[0].code, 3)
    assert f"1 unit put in {site.bins[0].code}." in done
    assert on_hand(site, product, site.bins[0]) == 1
    with site.app.app_context():
        unit = db.session.scalar(select(DockUnit).where(DockUnit.product_id == product.id))
        assert unit.status == "confirmed" and unit.override_reason == "Other"


def test_a_labels_short_stand_in_is_named_as_its_place(site: Site) -> None:
    from wms.base.codes import short_code

    tote = site.make.location(LocationKind.TOTE, code="TOTE-REC-2")
    response = site.start(short_code("L", tote.id))
    assert response.status_code == 422
    assert "That is tote TOTE-REC-2 — scan the ASN or PO number, or BLIND." in site.text(response)
