"""Receiving a return on the handheld: scan the return, each item, then its grade."""

from __future__ import annotations

from sqlalchemy import select

from tests.integration.returns.conftest import HX, Site
from wms.base.numbers import order_number
from wms.core.models import OrderLine
from wms.core.staging import staged_for_order
from wms.extensions import db
from wms.inventory.models import ProductStock
from wms.returns.models import ReturnItem


def test_a_resellable_unit_goes_to_the_lane_of_the_waiting_backorder(site: Site) -> None:
    product = site.make.product()
    shipped = site.shipped((product, 1))
    waiting = site.make.order(site.channel, [(product, 1)])  # nothing left: backordered
    number = site.rma(shipped, (product, 1))

    started = site.scan(number)
    assert started.status_code == 200
    assert f"{number} · order {order_number(shipped)}" in site.text(started)
    assert f'data-sku="{product.sku}"' in site.text(started)

    pending = site.scan(product.barcodes[0].code)
    assert 'data-state="grade"' in site.text(pending)
    graded = site.scan("1")
    page = site.text(graded)
    assert graded.status_code == 200
    assert site.where(graded) == ["LANE L1"]
    assert f"order {order_number(waiting)} · 1 of 1 units" in page
    assert 'data-destination="cross_dock"' in page

    assert site.moves(number) == [("return", None, "RET-1", 1), ("return", "RET-1", "L1", 1)]
    assert site.order_status(waiting) == "ready_to_pack"
    with site.app.app_context():
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == waiting))
        assert (line.qty_reserved, line.qty_waiting) == (1, 0)
        assert [(s.code, s.qty) for s in staged_for_order(waiting)] == [("L1", 1)]
        counters = db.session.get(ProductStock, product.id)
        assert (counters.qty_sellable, counters.qty_reserved, counters.qty_waiting) == (1, 1, 0)
    assert site.lines(number) == [(1, 1)]
    assert site.status(number) == "received"
    received = site.events("return.received")[-1]
    assert (received["number"], received["sku"], received["grade"]) == (
        number,
        product.sku,
        "resellable",
    )
    assert any(e["order_id"] == waiting for e in site.events("backorder.filled"))
    site.ledger_is_consistent()


def test_a_resellable_unit_nobody_waits_for_goes_to_a_bin_that_holds_the_product(
    site: Site,
) -> None:
    product = site.make.product()
    site.make.stock(product, site.bins[1], 3)
    shipped = site.shipped((product, 2))
    number = site.rma(shipped, (product, 2))
    site.scan(number)
    site.scan(product.barcodes[0].code)
    graded = site.scan("CMD-RESELL")
    assert site.where(graded) == [f"BIN {site.bins[1].code}"]
    assert 'data-destination="putaway"' in site.text(graded)
    assert site.on_hand(product, site.bins[1]) == 4
    with site.app.app_context():
        assert db.session.get(ProductStock, product.id).qty_sellable == 4
    assert site.moves(number)[-1] == ("putaway", "RET-1", site.bins[1].code, 1)
    assert site.status(number) == "receiving"
    site.ledger_is_consistent()


def test_rework_and_damaged_units_are_set_aside_and_not_sellable(site: Site) -> None:
    scuffed, broken = site.make.product(), site.make.product()
    shipped = site.shipped((scuffed, 1), (broken, 1))
    number = site.rma(shipped, (scuffed, 1), (broken, 1), reason="defective")
    site.scan(number)
    site.scan(scuffed.barcodes[0].code)
    rework = site.scan("CMD-REWORK")
    assert site.where(rework) == ["REWORK RWK-1"]
    site.scan(broken.barcodes[0].code)
    damaged = site.scan("3")
    assert site.where(damaged) == ["QUARANTINE QUAR-1"]
    assert 'data-destination="quarantine"' in site.text(damaged)
    assert site.on_hand(scuffed, site.places["rework"]) == 1
    assert site.on_hand(broken, site.places["quarantine"]) == 1
    with site.app.app_context():
        for product in (scuffed, broken):
            assert db.session.get(ProductStock, product.id).qty_sellable == 0
    assert site.moves(number) == [
        ("return", None, "RET-1", 1),
        ("rework", "RET-1", "RWK-1", 1),
        ("return", None, "RET-1", 1),
        ("quarantine", "RET-1", "QUAR-1", 1),
    ]
    assert site.status(number) == "received"
    site.ledger_is_consistent()


def test_an_item_not_on_the_return_goes_to_exceptions_with_a_note(site: Site) -> None:
    product, stranger = site.make.product(), site.make.product()
    shipped = site.shipped((product, 1))
    number = site.rma(shipped, (product, 1))
    site.scan(number)
    answer = site.scan(stranger.barcodes[0].code)
    page = site.text(answer)
    assert answer.headers.get("X-Scan-Tone") == "error"
    assert f"{stranger.sku} is not on {number}." in page
    assert site.where(answer) == ["EXCEPTIONS EXC-1"]
    assert site.on_hand(stranger, site.places["exceptions"]) == 1
    assert site.lines(number) == [(0, 1)]  # the return's own line is still open
    with site.app.app_context():
        item = db.session.scalar(select(ReturnItem).where(ReturnItem.product_id == stranger.id))
        assert (item.grade, item.note) == ("not_ours", f"Not on {number}")
    assert site.events("return.received")[-1]["on_return"] is False
    site.ledger_is_consistent()


def test_an_unknown_barcode_is_noted_at_exceptions_without_entering_stock(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    site.scan(number)
    answer = site.scan("999000111")
    assert "No product has the barcode 999000111." in site.text(answer)
    assert site.where(answer) == ["EXCEPTIONS EXC-1"]
    assert site.moves(number) == []
    with site.app.app_context():
        item = db.session.scalar(select(ReturnItem).where(ReturnItem.scanned_code == "999000111"))
        assert item.product_id is None and item.note == "Unknown barcode 999000111"


def test_an_item_already_received_on_the_return_is_refused(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    site.scan(number)
    site.scan(product.barcodes[0].code)
    site.scan("1")
    again = site.scan(product.barcodes[0].code)
    assert again.status_code == 409
    assert f"{product.sku} is already received on {number} (1 of 1)" in site.text(again)
    assert len(site.moves(number)) == 2  # nothing more moved


def test_a_retried_grade_is_applied_once(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 2)), (product, 2))
    site.scan(number)
    site.scan(product.barcodes[0].code)
    first = site.scan("3", scan_id="grade-once")
    retry = site.scan("3", scan_id="grade-once")
    assert retry.headers.get("X-Scan-Replayed") == "1"
    assert site.text(first) == site.text(retry)
    assert site.lines(number) == [(1, 2)]
    assert site.on_hand(product, site.places["quarantine"]) == 1


def test_the_bench_asks_for_a_grade_before_anything_else(site: Site) -> None:
    product, other = site.make.product(), site.make.product()
    number = site.rma(site.shipped((product, 1), (other, 1)), (product, 1), (other, 1))
    site.scan(number)
    no_item = site.scan("2")
    assert no_item.status_code == 422
    assert "Scan an item first, then its grade." in site.text(no_item)
    site.scan(product.barcodes[0].code)
    second = site.scan(other.barcodes[0].code)
    assert second.status_code == 422
    assert f"Grade {product.sku} first" in site.text(second)
    aside = site.scan("CMD-UNDO")
    assert f"{product.sku} put aside, not graded." in site.text(aside)
    assert site.lines(number) == [(0, 1), (0, 1)]


def test_the_order_number_or_the_tracking_number_opens_the_return(site: Site) -> None:
    product = site.make.product()
    order_id = site.shipped((product, 1))
    number = site.rma(order_id, (product, 1))
    by_order = site.scan(order_number(order_id))
    assert f'data-rma="{number}"' in site.text(by_order)
    site.scan("CMD-DONE")
    bought = site.desk.post(f"/returns/{int(number[2:]) - 10000}/label", data={"format": "PDF_4x6"})
    assert bought.status_code == 302
    with site.app.app_context():
        from wms.returns.models import ReturnAuthorisation

        tracking = db.session.get(ReturnAuthorisation, int(number[2:]) - 10000).tracking_number
    assert tracking and tracking.startswith("WL")
    by_tracking = site.scan(tracking)
    assert f'data-rma="{number}"' in site.text(by_tracking)


def test_done_ends_the_parcel_with_what_came(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 3)), (product, 3))
    site.scan(number)
    site.scan(product.barcodes[0].code)
    site.scan("1")
    done = site.scan("CMD-DONE")
    assert f"{number} done: 1 of 3 units back." in site.text(done)
    assert site.status(number) == "received"
    unknown = site.scan("NOTHING-HERE")
    assert unknown.status_code == 404
    assert "No return, order or tracking number has the code NOTHING-HERE." in site.text(unknown)


def test_an_item_graded_not_ours_goes_to_exceptions_and_does_not_count(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    site.scan(number)
    site.scan(product.barcodes[0].code)
    graded = site.scan("CMD-NOT-OURS")
    assert site.where(graded) == ["EXCEPTIONS EXC-1"]
    assert site.lines(number) == [(0, 1)]
    with site.app.app_context():
        item = db.session.scalar(select(ReturnItem).where(ReturnItem.product_id == product.id))
        assert item.note == f"Graded not ours (scanned as {product.sku})"
    # The real unit may still come back.
    site.scan(product.barcodes[0].code)
    assert site.where(site.scan("1")) == ["BIN A-01-1"]
    assert site.lines(number) == [(1, 1)]


def test_the_floor_menu_opens_the_returns_bench(site: Site) -> None:
    menu = site.clerk.get("/?floor=1").get_data(as_text=True)
    assert 'href="/returns/receive"' in menu
    page = site.clerk.get("/returns/receive").get_data(as_text=True)
    assert "Scan the RMA number, the order number or the return label" in page
    assert 'name="scan_id"' in page  # the one scan field, posting with a scan id


def test_a_return_closed_on_the_desk_meanwhile_leaves_the_bench(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    site.scan(number)
    site.desk.post(f"/returns/{int(number[2:]) - 10000}/cancel")
    answer = site.scan(product.barcodes[0].code)
    assert answer.status_code == 200 and answer.headers.get("X-Scan-Tone") == "error"
    assert f"{number} was closed on the desk meanwhile." in site.text(answer)
    assert "data-rma=" not in site.text(answer)
    assert site.moves(number) == []


def test_with_every_lane_full_a_resellable_unit_is_reserved_for_the_order_on_a_shelf(
    site: Site,
) -> None:
    from wms.inventory.models import Location

    product = site.make.product()
    shipped = site.shipped((product, 1))
    waiting = site.make.order(site.channel, [(product, 1)])
    number = site.rma(shipped, (product, 1))
    with site.app.app_context():
        for lane in site.lanes:
            db.session.get(Location, lane.id).capacity = 0  # no room for another order
        db.session.commit()
    site.scan(number)
    site.scan(product.barcodes[0].code)
    graded = site.scan("CMD-RESELL")
    assert site.where(graded)[0].startswith("BIN ")
    assert "Every staging lane is full" in site.text(graded)
    assert site.order_status(waiting) == "ready_to_pick"
    filled = [e for e in site.events("backorder.filled") if e["order_id"] == waiting]
    assert [(e["qty_filled"], e["qty_still_waiting"]) for e in filled] == [(1, 0)]
    site.ledger_is_consistent()


def test_leaving_the_bench_from_a_plain_form_goes_back_to_the_start(site: Site) -> None:
    left = site.clerk.post("/returns/receive/leave")
    assert left.status_code == 302 and left.headers["Location"] == "/returns/receive"
    by_htmx = site.clerk.post("/returns/receive/leave", headers=HX)
    assert by_htmx.status_code == 204 and by_htmx.headers["HX-Redirect"] == "/returns/receive"
