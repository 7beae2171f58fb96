"""The supervisor's side: authorising returns, deciding them, the queues and the slip."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from tests.integration.returns.conftest import Site
from tests.scanning import decode_pdf, pdf_text
from wms.base.numbers import order_number
from wms.core.models import Order, OrderLine
from wms.extensions import db
from wms.inventory.models import ProductStock
from wms.returns.models import ReturnAuthorisation, ReturnItem


def rma_id(number: str) -> int:
    return int(number[2:]) - 10000


def new_rma_form(order_id: int, *lines: tuple[int, str, str, str], note: str = "") -> dict:
    """Form fields as the new-RMA page posts them: (qty, sku, reason, wish) per row."""
    data = {"order": order_number(order_id), "count": str(len(lines)), "note": note}
    for n, (qty, sku, reason, wish) in enumerate(lines):
        data |= {f"qty_{n}": str(qty), f"sku_{n}": sku, f"reason_{n}": reason, f"wish_{n}": wish}
    return data


def test_a_supervisor_authorises_a_return_for_shipped_units(site: Site) -> None:
    mug, cap = site.make.product(name="Harbor Mug"), site.make.product()
    order_id = site.shipped((mug, 2), (cap, 1))
    form = site.desk.get(f"/returns/new?order={order_number(order_id)}")
    page = form.get_data(as_text=True)
    assert form.status_code == 200
    assert f'data-sku="{mug.sku}"' in page and "Harbor Mug" in page

    made = site.desk.post(
        "/returns/new",
        data=new_rma_form(
            order_id, (2, mug.sku, "damaged_in_transit", "refund"), (0, cap.sku, "other", "refund")
        ),
    )
    assert made.status_code == 302
    shown = site.desk.get(made.headers["Location"])
    page = shown.get_data(as_text=True)
    number = page.split("<h1>")[1].split(" ")[0]
    assert number.startswith("R-1")
    assert f"authorised for order {order_number(order_id)}" in page
    assert f'data-sku="{mug.sku}"' in page and f'data-sku="{cap.sku}"' not in page
    assert "Damaged in transit" in page
    (event,) = [e for e in site.events("return.authorised") if e["number"] == number]
    assert event["lines"][0]["qty_authorised"] == 2

    # The same units cannot be authorised twice.
    again = site.desk.post(
        "/returns/new", data=new_rma_form(order_id, (1, mug.sku, "other", "refund"))
    )
    assert again.status_code == 409
    assert f"cannot take back {mug.sku} (0 of 1 can come back)" in again.get_data(as_text=True)


def test_an_order_that_has_not_shipped_has_nothing_to_return(site: Site) -> None:
    product = site.make.product()
    site.make.stock(product, site.bins[0], 2)
    order_id = site.make.order(site.channel, [(product, 1)])
    page = site.desk.get(f"/returns/new?order={order_number(order_id)}").get_data(as_text=True)
    assert f"Nothing of {order_number(order_id)} has shipped" in page
    refused = site.desk.post(
        "/returns/new", data=new_rma_form(order_id, (1, product.sku, "other", "refund"))
    )
    assert refused.status_code == 409


def test_the_handheld_clerk_cannot_open_the_desk(site: Site) -> None:
    assert site.clerk.get("/returns/").status_code == 403
    assert site.clerk.get("/returns/queues").status_code == 403


def receive(site: Site, number: str, *grades: tuple[object, str]) -> None:
    site.scan(number)
    for product, grade in grades:
        site.scan(product.barcodes[0].code)  # type: ignore[attr-defined]
        assert site.scan(grade).status_code == 200
    site.scan("CMD-DONE")


def test_decisions_close_the_return_and_go_to_the_channel(site: Site) -> None:
    kept, swapped, lost = site.make.product(), site.make.product(), site.make.product()
    site.make.stock(swapped, site.bins[2], 5)
    order_id = site.shipped((kept, 1), (swapped, 1), (lost, 1))
    number = site.rma(order_id, (kept, 1), (swapped, 1), (lost, 1))
    receive(site, number, (kept, "1"), (swapped, "3"))
    with site.app.app_context():
        lines = {
            ln.product_id: ln.id for ln in db.session.get(ReturnAuthorisation, rma_id(number)).lines
        }

    refund_early = site.desk.post(
        f"/returns/lines/{lines[lost.id]}/decide", data={"decision": "refund"}
    )
    assert refund_early.status_code == 422
    assert "only a rejection can be recorded" in refund_early.get_data(as_text=True)

    site.desk.post(f"/returns/lines/{lines[kept.id]}/decide", data={"decision": "refund"})
    exchanged = site.desk.post(
        f"/returns/lines/{lines[swapped.id]}/decide", data={"decision": "exchange"}
    )
    assert exchanged.status_code == 302
    assert site.status(number) == "received"
    site.desk.post(
        f"/returns/lines/{lines[lost.id]}/decide",
        data={"decision": "rejected", "note": "never arrived"},
    )
    assert site.status(number) == "closed"
    twice = site.desk.post(
        f"/returns/lines/{lines[kept.id]}/decide", data={"decision": "store_credit"}
    )
    assert twice.status_code == 409

    decided = {e["sku"]: e for e in site.events("return.decided") if e["number"] == number}
    assert decided[kept.sku]["decision"] == "refund" and decided[kept.sku]["qty"] == 1
    assert decided[lost.sku]["decision"] == "rejected" and decided[lost.sku]["qty"] == 0
    new_order = decided[swapped.sku]["exchange_order_number"]
    assert new_order is not None
    with site.app.app_context():
        exchange = db.session.scalar(select(Order).where(Order.external_id == f"{number}-X2"))
        assert order_number(exchange.id) == new_order
        assert exchange.ship_to == db.session.get(Order, order_id).ship_to
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == exchange.id))
        assert (line.product_id, line.qty, line.qty_reserved) == (swapped.id, 1, 1)
    page = site.desk.get(f"/returns/{rma_id(number)}").get_data(as_text=True)
    assert f"new order {new_order}" in page and "never arrived" in page


def test_an_exchange_for_a_product_out_of_stock_is_backordered(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    receive(site, number, (product, "2"))  # to rework: nothing sellable
    with site.app.app_context():
        line_id = db.session.get(ReturnAuthorisation, rma_id(number)).lines[0].id
    site.desk.post(f"/returns/lines/{line_id}/decide", data={"decision": "exchange"})
    with site.app.app_context():
        exchange = db.session.scalar(select(Order).where(Order.external_id == f"{number}-X1"))
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == exchange.id))
        assert (line.kind, line.qty_waiting) == ("backorder", 1)
        assert exchange.status == "waiting"


def test_a_return_nothing_came_back_for_can_be_cancelled(site: Site) -> None:
    product = site.make.product()
    order_id = site.shipped((product, 1))
    number = site.rma(order_id, (product, 1))
    cancelled = site.desk.post(f"/returns/{rma_id(number)}/cancel")
    assert cancelled.status_code == 302 and site.status(number) == "cancelled"
    # Its units may be authorised again.
    assert site.rma(order_id, (product, 1)) != number
    closed = site.scan(number)
    assert closed.status_code == 409
    assert f"{number} is cancelled" in site.text(closed)


def test_released_units_go_to_a_bin_and_serve_the_waiting_order_first(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 2)), (product, 2))
    receive(site, number, (product, "3"), (product, "3"))
    waiting = site.make.order(site.channel, [(product, 1)])
    assert site.order_status(waiting) == "waiting"
    quarantine = site.places["quarantine"]
    page = site.desk.get("/returns/queues?kind=quarantine").get_data(as_text=True)
    assert f'data-sku="{product.sku}" data-location="QUAR-1"' in page and number in page

    released = site.desk.post(
        "/returns/queues/release",
        data={
            "location_id": quarantine.id,
            "product_id": product.id,
            "qty": 1,
            "kind": "quarantine",
        },
    )
    assert released.status_code == 302
    assert site.on_hand(product, quarantine) == 1
    assert site.on_hand(product, site.bins[0]) == 1
    assert site.order_status(waiting) == "ready_to_pick"
    with site.app.app_context():
        counters = db.session.get(ProductStock, product.id)
        assert (counters.qty_sellable, counters.qty_reserved) == (1, 1)
        outcomes = [
            i.outcome
            for i in db.session.scalars(
                select(ReturnItem)
                .where(ReturnItem.product_id == product.id)
                .order_by(ReturnItem.id)
            )
        ]
    assert outcomes == ["released", ""]

    scrapped = site.desk.post(
        "/returns/queues/scrap",
        data={
            "location_id": quarantine.id,
            "product_id": product.id,
            "qty": 1,
            "reason": "Damaged beyond repair",
            "kind": "quarantine",
        },
    )
    assert scrapped.status_code == 302
    assert site.on_hand(product, quarantine) == 0
    assert site.moves(number)[-2:] == [
        ("release", "QUAR-1", site.bins[0].code, 1),
        ("scrap", "QUAR-1", None, 1),
    ]
    with site.app.app_context():
        last = db.session.scalar(
            select(ReturnItem)
            .where(ReturnItem.product_id == product.id)
            .order_by(ReturnItem.id.desc())
        )
        assert (last.outcome, last.outcome_note) == ("scrapped", "Damaged beyond repair")
    site.ledger_is_consistent()


def test_scrapping_needs_a_reason_and_units_that_are_there(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    receive(site, number, (product, "2"))
    rework = site.places["rework"]
    base = {"location_id": rework.id, "product_id": product.id, "kind": "rework"}
    no_reason = site.desk.post("/returns/queues/scrap", data={**base, "qty": 1, "reason": "Other"})
    assert no_reason.status_code == 422
    too_many = site.desk.post("/returns/queues/release", data={**base, "qty": 2})
    assert too_many.status_code == 409
    assert "RWK-1 holds 1 of that product, not 2." in too_many.get_data(as_text=True)
    assert site.on_hand(product, rework) == 1


def test_the_return_slip_carries_the_rma_barcode(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    slip = site.desk.get(f"/returns/{rma_id(number)}/slip.pdf")
    assert slip.status_code == 200 and slip.mimetype == "application/pdf"
    (found,) = decode_pdf(slip.data)
    assert ("CODE-128", number) in found
    # and the bench opens the return from that scan
    assert f'data-rma="{number}"' in site.text(site.scan(found[0][1]))


def test_the_returns_list_finds_a_return_by_its_order_or_number(site: Site) -> None:
    product = site.make.product()
    order_id = site.shipped((product, 1))
    number = site.rma(order_id, (product, 1))
    listed = site.desk.get("/returns/").get_data(as_text=True)
    assert f'data-rma="{number}"' in listed
    for query in (number, order_number(order_id)):
        found = site.desk.get(f"/returns/?q={query}").get_data(as_text=True)
        assert f'data-rma="{number}"' in found
    assert f'data-rma="{number}"' not in site.desk.get("/returns/?q=W-1").get_data(as_text=True)
    menu = site.desk.get("/desk/").get_data(as_text=True)
    assert 'href="/returns/"' in menu


def test_an_unknown_item_is_listed_until_a_supervisor_deals_with_it(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    site.scan(number)
    site.scan("UNKNOWN-77")
    page = site.desk.get("/returns/queues?kind=exceptions").get_data(as_text=True)
    assert "UNKNOWN-77" in page and number in page
    with site.app.app_context():
        item_id = db.session.scalar(
            select(ReturnItem.id).where(ReturnItem.scanned_code == "UNKNOWN-77")
        )
    done = site.desk.post(f"/returns/queues/resolve/{item_id}", data={"note": "sent back"})
    assert done.status_code == 302
    assert "UNKNOWN-77" not in site.desk.get("/returns/queues?kind=exceptions").get_data(
        as_text=True
    )
    again = site.desk.post(f"/returns/queues/resolve/{item_id}", data={"note": "x"})
    assert again.status_code == 409


def test_a_queue_form_naming_no_place_or_product_a_key_could_hold_changes_nothing(
    site: Site,
) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    receive(site, number, (product, "2"))
    rework = site.places["rework"]
    for forged in ({"location_id": "2147483648"}, {"product_id": "99999999999999999999"}):
        form = {
            "location_id": rework.id,
            "product_id": product.id,
            "kind": "rework",
            "qty": 1,
            "reason": "Other",
            **forged,
        }
        for action in ("release", "scrap"):
            answer = site.desk.post(f"/returns/queues/{action}", data=form)
            assert answer.status_code in (409, 422), (action, forged, answer.status_code)
    assert site.on_hand(product, rework) == 1


def test_the_return_slip_gives_the_warehouses_day_it_was_authorised(site: Site) -> None:
    # Authorised at 23:30 UTC on 11 December: 00:30 on 12 December in the warehouse (Paris).
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    with site.app.app_context():
        rma = db.session.get(ReturnAuthorisation, rma_id(number))
        rma.created_at = datetime(2026, 12, 11, 23, 30)
        db.session.commit()
    text = pdf_text(site.desk.get(f"/returns/{rma_id(number)}/slip.pdf").data)
    assert "Dec 12, 2026" in text and "Dec 11, 2026" not in text
