"""Packing in Chromium at 360 px, scanner only: a cross-docked order from its staging lane,
verified item by item, boxed, weighed, labelled (built-in carrier, then Shippo) and shipped."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.conftest import LiveServer, _make_app
from tests.e2e.conftest import Scanner
from tests.factories import new_ean13
from tests.fakes.shippo_server import API_KEY, FakeShippo
from tests.scanning import decode_pdf, values
from wms.channels.models import Channel
from wms.core.backorders import refresh_order_status
from wms.core.ledger import Reason, move_stock
from wms.core.models import Order, OrderLine, StagedUnits
from wms.core.staging import stage_units
from wms.extensions import db
from wms.inventory.models import Barcode, BarcodeKind, Location, LocationKind, Product
from wms.orders.services import NewLine, NewOrder, accept_order
from wms.shipping.models import Parcel

# floor.js takes the same code twice within 800 ms for one double read of the scanner.
SECOND_UNIT_PAUSE_MS = 850


def cross_docked_order(database: str, instance: Path) -> tuple[str, str, int, str]:
    """Two units received at the dock and cross-docked straight into a staging lane that
    holds nothing else (other walks share the server's floor), for the order that waits for
    them. Returns (order number, the product's EAN, order id, the lane's code)."""
    app = _make_app(database, instance)
    with app.app_context():
        ean = new_ean13()
        product = Product(sku=f"E2E-{uuid.uuid4().hex[:6].upper()}", name="Trail Lantern, Sand")
        product.weight_g = 450
        product.barcodes = [Barcode(code=ean, kind=BarcodeKind.EAN13)]
        db.session.add(product)
        db.session.flush()
        dock = db.session.scalar(select(Location).where(Location.code == "RCV-1"))
        lane = db.session.scalar(
            select(Location)
            .where(
                Location.kind == LocationKind.STAGING_LANE,
                Location.active.is_(True),
                ~Location.id.in_(select(StagedUnits.location_id).where(StagedUnits.qty > 0)),
            )
            .order_by(Location.code)
            .limit(1)
        )
        move_stock(product.id, 2, None, dock, Reason.RECEIVE, "ASN-E2E")
        channel = db.session.scalar(select(Channel).where(Channel.code == "web"))
        accepted = accept_order(
            channel.id,
            NewOrder(
                external_id=f"E2E-{uuid.uuid4().hex[:8]}",
                lines=(NewLine(product.sku, 2),),
                customer_name="Ada Byron",
                ship_to={
                    "name": "Ada Byron",
                    "street1": "12 Elm St",
                    "city": "Shelbyville",
                    "state": "IL",
                    "zip": "62565",
                },
            ),
        )
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == accepted.order_id))
        stage_units(line, 2, dock, lane, Reason.CROSS_DOCK, "ASN-E2E")
        refresh_order_status([accepted.order_id])
        db.session.commit()
        number = db.session.get(Order, accepted.order_id).number
        lane_code = lane.code
        db.session.remove()
        db.engine.dispose()
    return number, ean, accepted.order_id, lane_code


def order_status(database: str, instance: Path, order_id: int) -> str:
    app = _make_app(database, instance)
    with app.app_context():
        status = db.session.get(Order, order_id).status
        db.session.remove()
        db.engine.dispose()
    return status


def answer(page: Page):
    return page.locator("#answer")


def pack_up_to_rates(page: Page, scanner: Scanner, lane: str, number: str, ean: str) -> None:
    scanner.scan(lane)
    expect(page.locator("[data-order]")).to_have_text(number)
    expect(page.locator("[data-next]")).to_have_text("Scan each item: 2 to go.")
    scanner.scan(ean)
    expect(page.locator("[data-answer]")).to_contain_text("(1 of 2)")
    page.wait_for_timeout(SECOND_UNIT_PAUSE_MS)
    scanner.scan(ean)
    expect(page.locator("[data-next]")).to_have_text("All items verified. Scan the box.")
    scanner.scan("BOX-S")
    expect(page.locator("[data-next]")).to_have_text("Weigh the parcel: scale, or type grams.")
    scanner.scan("1.15")  # the scale types the weight in kg and presses Enter


def test_pack_a_cross_docked_order_from_its_lane_with_a_builtin_label(
    page: Page, badge_login, scanner: Scanner, database: str, tmp_path: Path
) -> None:
    badge_login("B-1002")
    number, ean, order_id, lane = cross_docked_order(database, tmp_path)
    page.goto("/pack")
    expect(page.locator(".answer-info")).to_contain_text("Scan the code of the pack station")
    with page.expect_navigation():
        scanner.scan("PACK-1")
    expect(page.locator(".floor-title")).to_have_text("Pack · PACK-1")

    pack_up_to_rates(page, scanner, lane, number, ean)
    expect(page.locator("[data-next]")).to_have_text(
        "Scan DONE to buy the label: WMS Local Standard, €7.90."
    )
    scanner.scan("CMD-DONE")
    tracking = page.locator("[data-tracking]")
    expect(tracking).to_contain_text(re.compile(r"WMS Local Standard · WL\d{11}"))
    number_on_label = tracking.inner_text().rsplit(" ", 1)[-1]

    # The label opens as a 4x6 PDF, ready to print, whose barcode scans as the tracking number.
    link = page.locator("[data-print=label-pdf]")
    expect(link).to_have_attribute("target", "_blank")
    pdf = page.request.get(link.get_attribute("href") or "")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline")
    assert number_on_label in values(decode_pdf(pdf.body())[0])
    slip = page.request.get(page.locator("[data-print=slip]").get_attribute("href") or "")
    assert number in values(decode_pdf(slip.body())[0])

    scanner.scan(number_on_label)  # the label's barcode, stuck on the parcel
    expect(page.locator("[data-answer]")).to_contain_text(
        f"Shipped {number} with WMS Local {number_on_label}."
    )
    expect(page.locator("body")).to_have_attribute("data-last-tone", "ok")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert order_status(database, tmp_path, order_id) == "shipped"


@pytest.fixture
def shippo() -> Iterator[FakeShippo]:
    with FakeShippo() as fake:
        yield fake


@pytest.fixture
def shippo_server(
    database: str, tmp_path_factory: pytest.TempPathFactory, shippo: FakeShippo, demo: None
) -> Iterator[LiveServer]:
    app = _make_app(
        database,
        tmp_path_factory.mktemp("shippo"),
        SHIPPO_API_KEY=API_KEY,
        SHIPPO_API_URL=shippo.url,
        SHIPPO_TIMEOUT=1.0,
        SHIPPO_RETRY_BACKOFF=0.01,
        CURRENCY="USD",  # the fake quotes in USD, as for a warehouse in the US
    )
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()


def test_a_shippo_purchase_that_times_out_is_never_bought_twice(
    page: Page,
    scanner: Scanner,
    shippo_server: LiveServer,
    shippo: FakeShippo,
    database: str,
    tmp_path: Path,
) -> None:
    number, ean, order_id, lane = cross_docked_order(database, tmp_path)
    page.goto(f"{shippo_server.url}/login")
    page.keyboard.type("B-1002")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(f"{shippo_server.url}/pack/PACK-2")

    pack_up_to_rates(page, scanner, lane, number, ean)
    expect(page.locator("[data-next]")).to_have_text(
        "Scan DONE to buy the label: USPS Ground Advantage, $5.20."
    )
    # Shippo buys the label, but answers only after the app stopped waiting.
    shippo.sleep_next("POST /transactions", seconds=2.0, record="after")
    scanner.scan("CMD-DONE")
    expect(page.locator(".answer-error")).to_contain_text(
        f"The carrier has not confirmed the label for {number} yet, so no other label will be "
        "bought: set the parcel aside and scan DONE in a minute to look for it again"
    )
    expect(page.locator("body")).to_have_attribute("data-last-tone", "error")
    assert shippo.wait_for_purchases(1)

    scanner.scan("CMD-DONE")  # only looks, and finds the label bought above
    [bought] = shippo.purchases
    expect(page.locator("[data-tracking]")).to_contain_text(bought["tracking_number"])
    assert len(shippo.requests_to("POST /transactions")) == 1

    page.locator("[data-action=done]").click()  # ship, with the mouse at a desk
    expect(page.locator("[data-answer]")).to_contain_text(f"Shipped {number} with USPS")
    assert order_status(database, tmp_path, order_id) == "shipped"
    assert len(shippo.purchases) == 1
    app = _make_app(database, tmp_path)
    with app.app_context():
        parcel = db.session.scalar(select(Parcel).where(Parcel.order_id == order_id))
        attempts, key = parcel.label_attempts, parcel.label_key
        db.session.remove()
        db.engine.dispose()
    assert attempts == 1 and key == bought["metadata"]  # one purchase, then a look
