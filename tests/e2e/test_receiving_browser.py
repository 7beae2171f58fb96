"""Receiving a demo ASN at 360 px with a scanner: cross-dock first, then shelves."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.conftest import _make_app
from wms.base.clock import today
from wms.base.numbers import order_number
from wms.core.models import Inbound, InboundLine, OrderLine
from wms.extensions import db
from wms.inventory.models import Barcode


def queue_for_demo_asn(database: str, tmp_path) -> tuple[str, str, list[str], int, str]:  # type: ignore[no-untyped-def]
    """The demo ASN due first today, a product on it that orders wait for, their queue,
    and a product on it that nobody waits for."""
    app = _make_app(database, tmp_path)
    with app.app_context():
        inbound = db.session.scalar(
            select(Inbound)
            .where(Inbound.reference.like(f"ASN-{today():%y%m%d}-%"))
            .order_by(Inbound.expected_at)
        )
        result = None
        shelf_ean = None
        for line in db.session.scalars(
            select(InboundLine).where(InboundLine.inbound_id == inbound.id).order_by(InboundLine.id)
        ):
            ean = db.session.scalar(
                select(Barcode.code)
                .where(Barcode.product_id == line.product_id, Barcode.units == 1)
                .order_by(Barcode.id)
            )
            waiting = db.session.scalars(
                select(OrderLine)
                .where(OrderLine.product_id == line.product_id, OrderLine.qty_waiting > 0)
                .order_by(OrderLine.priority, OrderLine.placed_at, OrderLine.id)
            ).all()
            if waiting and result is None:
                queue = [order_number(w.order_id) for w in waiting for _ in range(w.qty_waiting)]
                result = (inbound.reference, ean, queue[: line.qty_expected], line.qty_expected)
            elif not waiting and shelf_ean is None:
                shelf_ean = ean
        db.session.remove()
        db.engine.dispose()
    assert result is not None and shelf_ean is not None
    return (*result, shelf_ean)


def test_receive_a_demo_asn_with_the_scanner(
    page: Page, badge_login, scanner, database: str, tmp_path
) -> None:
    reference, ean, queue, _expected, shelf_ean = queue_for_demo_asn(database, tmp_path)
    badge_login("B-1001")
    page.goto("/receive/")
    scanner.scan(reference)
    expect(page.locator(".floor-title")).to_have_text(f"Receive {reference}")

    # Each unit goes to the lane of the next waiting order, expedited first, then oldest.
    served: list[str] = []
    lanes_of: dict[str, str] = {}
    for n in range(len(queue)):
        scanner.scan(ean)
        card = page.locator("#answer [data-destination=cross_dock]")
        expect(card).to_be_visible()
        order = re.search(r"order (W-\d+)", card.inner_text()).group(1)
        lane = card.locator(".dest-where").inner_text().replace("LANE ", "").strip()
        served.append(order)
        lanes_of[order] = lane
        if n == 0:
            # a wrong place is refused and nothing moves
            scanner.scan("A-01-1")
            expect(page.locator("#answer .answer-error")).to_have_text(
                f"That is A-01-1 — take it to LANE {lane}."
            )
        page.wait_for_timeout(900)  # a scanner's double-read filter is 800 ms
        scanner.scan(lane)
        expect(page.locator("#answer .answer-ok")).to_contain_text(f"now at {lane}")
    assert served == queue

    # A unit nobody waits for goes to a shelf.
    scanner.scan(shelf_ean)
    expect(page.locator("#answer [data-destination=putaway] .dest-where")).to_contain_text("BIN ")

    # An unknown barcode is an error the receiver hears, and no stock moves.
    scanner.scan("0000000000000")
    expect(page.locator("#answer .answer-error")).to_have_text(
        "No product has the barcode 0000000000000."
    )
    expect(page.locator("body")).to_have_attribute("data-last-tone", "error")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The dock board shows the orders that are complete as ready to pack.
    page.goto("/dock/board")
    for order in set(served):
        row = page.locator(f"[data-order='{order}']")
        expect(row).to_be_visible()
    first = page.locator(f"[data-lane='{lanes_of[served[0]]}'] [data-order='{served[0]}']")
    expect(first).to_contain_text(re.compile("ready to pack|waiting"))
