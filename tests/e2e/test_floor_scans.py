"""Every scan the scanner types reaches the server once, in order: identical units in
quick succession, a server that hangs, a server that is gone, a session that ended.
Driven in Chromium at 360 px by typing and Enter, as a scanner does."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.conftest import unique
from tests.e2e.conftest import OwnServer, Scanner
from tests.factories import Factories
from wms.base.clock import utcnow
from wms.core.models import InboundLine
from wms.extensions import db
from wms.receiving.models import DockUnit

# The demo warehouse: a receiving dock, bins, lanes.
pytestmark = pytest.mark.usefixtures("demo")


def inbound_of(make: Factories, products: list[Any], qty: int = 10) -> tuple[int, str]:
    reference = unique("ASN-E2E-")
    return make.inbound([(p, qty) for p in products], utcnow(), reference=reference), reference


def received(app: Flask, inbound_id: int) -> dict[int, int]:
    """Units received per product on the inbound, as the database has them."""
    with app.app_context():
        rows = db.session.execute(
            select(InboundLine.product_id, InboundLine.qty_received).where(
                InboundLine.inbound_id == inbound_id
            )
        ).all()
        db.session.remove()
    return {product_id: qty for product_id, qty in rows}


def scanned_in_order(app: Flask, inbound_id: int) -> list[int | None]:
    with app.app_context():
        found = list(
            db.session.scalars(
                select(DockUnit.product_id)
                .where(DockUnit.inbound_id == inbound_id)
                .order_by(DockUnit.id)
            )
        )
        db.session.remove()
    return found


def tally(page: Page, sku: str) -> Any:
    return page.locator(f"#tally [data-sku='{sku}'] .qty")


def sign_in(page: Page, base: str, badge: str) -> None:
    page.goto(f"{base}/login")
    page.keyboard.type(badge)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".floor-user")).to_be_visible()


def start_receiving(page: Page, scanner: Scanner, base: str, reference: str) -> None:
    page.goto(f"{base}/receive/")
    scanner.scan(reference)
    expect(page.locator(".floor-title")).to_have_text(f"Receive {reference}")


def drained(page: Page) -> None:
    """Every scan typed has its answer."""
    expect(page.locator("body[data-scans-waiting]")).to_have_count(0)


def test_two_identical_units_scanned_300_ms_apart_are_two_units(
    page: Page, app: Flask, make: Factories, scanner: Scanner, base_url: str
) -> None:
    product = make.product()
    inbound_id, reference = inbound_of(make, [product])
    receiver = make.user(full_name="Ravi Receiver")
    sign_in(page, base_url, receiver.badge_code)
    start_receiving(page, scanner, base_url, reference)

    scanner.scan(product.barcodes[0].code)
    page.wait_for_timeout(300)  # a box of identical units, at a brisk pace
    scanner.scan(product.barcodes[0].code)
    expect(tally(page, product.sku)).to_have_text("2/10")
    drained(page)
    assert received(app, inbound_id) == {product.id: 2}


def test_a_scanners_cr_lf_is_one_scan(
    page: Page, app: Flask, make: Factories, scanner: Scanner, base_url: str
) -> None:
    product = make.product()
    inbound_id, reference = inbound_of(make, [product])
    receiver = make.user(full_name="Rosa Receiver")
    sign_in(page, base_url, receiver.badge_code)
    start_receiving(page, scanner, base_url, reference)

    page.keyboard.type(product.barcodes[0].code, delay=2)
    page.keyboard.press("Enter")  # CR
    page.keyboard.press("Enter")  # LF
    expect(tally(page, product.sku)).to_have_text("1/10")
    drained(page)
    assert received(app, inbound_id) == {product.id: 1}


def test_a_unit_scanned_right_after_the_asn_is_received_on_the_screen_the_asn_opened(
    page: Page, app: Flask, make: Factories, base_url: str
) -> None:
    product = make.product()
    inbound_id, reference = inbound_of(make, [product])
    receiver = make.user(full_name="Remy Receiver")
    sign_in(page, base_url, receiver.badge_code)
    page.goto(f"{base_url}/receive/")
    # The scanner does not wait for the screen to change between two scans.
    for code in (reference, product.barcodes[0].code):
        page.keyboard.type(code, delay=2)
        page.keyboard.press("Enter")
    expect(page.locator(".floor-title")).to_have_text(f"Receive {reference}")
    expect(tally(page, product.sku)).to_have_text("1/10")
    drained(page)
    assert received(app, inbound_id) == {product.id: 1}


def test_scans_made_while_the_server_hangs_are_all_applied_once_in_order_after_it_returns(
    page: Page, app: Flask, make: Factories, scanner: Scanner, own_server: OwnServer
) -> None:
    first, a, b, c = (make.product() for _ in range(4))
    inbound_id, reference = inbound_of(make, [first, a, b, c], qty=5)
    receiver = make.user(full_name="Hana Receiver")
    sign_in(page, own_server.url, receiver.badge_code)
    start_receiving(page, scanner, own_server.url, reference)
    scanner.scan(first.barcodes[0].code)
    card = page.locator("#answer [data-destination]")
    expect(card).to_be_visible()  # the last answer, in green

    own_server.freeze()
    scanner.scan(a.barcodes[0].code)
    page.wait_for_timeout(1500)
    scanner.scan(b.barcodes[0].code)
    scanner.scan(c.barcodes[0].code)
    # No answer: the screen says it waits, and which scans wait, instead of the old answer.
    expect(page.locator("#answer [data-waiting-answer]")).to_be_visible()
    expect(card).to_have_count(0)
    codes = ", ".join(p.barcodes[0].code for p in (a, b, c))
    expect(page.locator("[data-scan-queue]")).to_have_text(
        f"3 scans waiting for the server: {codes}"
    )
    # Longer than a request waits: the first scan is sent again, with the same scan id.
    page.wait_for_timeout(12000)
    expect(page.locator("[data-scan-queue]")).to_contain_text("3 scans waiting")
    own_server.thaw()

    for product in (a, b, c):
        expect(tally(page, product.sku)).to_have_text("1/5")
    drained(page)
    assert received(app, inbound_id) == {first.id: 1, a.id: 1, b.id: 1, c.id: 1}
    assert scanned_in_order(app, inbound_id) == [first.id, a.id, b.id, c.id]
    expect(page.locator("[data-scan-queue]")).to_be_hidden()


def test_a_scan_that_cannot_be_sent_is_named_to_scan_again(
    page: Page, make: Factories, scanner: Scanner, own_server: OwnServer
) -> None:
    product, other = make.product(), make.product()
    _, reference = inbound_of(make, [product, other])
    receiver = make.user(full_name="Gino Receiver")
    page.clock.install()  # time flows, and the test can jump it forward
    sign_in(page, own_server.url, receiver.badge_code)
    start_receiving(page, scanner, own_server.url, reference)
    own_server.stop()  # the server is gone, not just slow

    scanner.scan(product.barcodes[0].code)
    scanner.scan(other.barcodes[0].code)
    expect(page.locator("#answer [data-waiting-answer]")).to_be_visible()
    not_sent = page.locator("#answer [data-not-sent]")
    for _ in range(40):  # two minutes and more of retries, five seconds at a time
        if not_sent.count():
            break
        page.clock.fast_forward(5000)
        page.wait_for_timeout(50)
    expect(not_sent).to_have_text(
        f"Not sent, the server did not answer: {product.barcodes[0].code}, "
        f"{other.barcodes[0].code}. Scan them again."
    )
    expect(page.locator("body")).to_have_attribute("data-last-tone", "error")
    expect(page.locator("[data-scan-input]")).to_be_focused()


def test_an_ended_session_asks_for_the_badge_in_place_then_sends_the_refused_scan(
    page: Page, app: Flask, make: Factories, scanner: Scanner, base_url: str
) -> None:
    product = make.product()
    inbound_id, reference = inbound_of(make, [product])
    receiver = make.user(full_name="Sami Receiver")
    sign_in(page, base_url, receiver.badge_code)
    start_receiving(page, scanner, base_url, reference)
    screen = page.url

    page.context.clear_cookies()  # the session ends
    scanner.scan(product.barcodes[0].code)
    prompt = page.locator("#answer [data-badge-prompt]")
    expect(prompt).to_contain_text("Your session has ended. Scan your badge")
    assert received(app, inbound_id) == {product.id: 0}

    scanner.scan(receiver.badge_code)
    expect(tally(page, product.sku)).to_have_text("1/10")
    drained(page)
    assert page.url == screen  # the same screen, never reloaded
    assert received(app, inbound_id) == {product.id: 1}
    # and the next scans go on as before
    scanner.scan(product.barcodes[0].code)
    expect(tally(page, product.sku)).to_have_text("2/10")


def test_a_supervisor_whose_session_ended_gives_the_password_and_comes_back(
    page: Page, app: Flask, make: Factories, scanner: Scanner, base_url: str
) -> None:
    """A badge alone does not sign a supervisor in: the login page asks for the password,
    then the handheld is back on its screen and the refused scan is sent."""
    product = make.product()
    inbound_id, reference = inbound_of(make, [product])
    supervisor = make.user(role="supervisor", full_name="Sol Supervisor", password="sol-secret-1")
    page.goto(f"{base_url}/login")
    page.fill("#username", supervisor.username)
    page.fill("#password", "sol-secret-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    start_receiving(page, scanner, base_url, reference)
    screen = page.url

    page.context.clear_cookies()  # the session ends
    scanner.scan(product.barcodes[0].code)
    expect(page.locator("#answer [data-badge-prompt]")).to_contain_text("Scan your badge")
    with page.expect_navigation():
        scanner.scan(supervisor.badge_code)
    expect(page.locator(".answer-error")).to_have_text(
        "That badge does not sign in on its own: supervisors and admins, "
        "type your password to go on."
    )
    expect(page.locator("#badge-password")).to_be_focused()
    page.keyboard.type("sol-secret-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(tally(page, product.sku)).to_have_text("1/10")
    drained(page)
    assert page.url == screen
    assert received(app, inbound_id) == {product.id: 1}


def test_an_unknown_code_on_pick_says_it_is_unknown(
    page: Page, make: Factories, scanner: Scanner, base_url: str
) -> None:
    picker = make.user(full_name="Paz Picker")
    sign_in(page, base_url, picker.badge_code)
    page.goto(f"{base_url}/pick/")
    scanner.scan("NOT-A-PICK-LIST-9")
    expect(page.locator("#answer .answer-error")).to_have_text(
        "No pick list or command has the code NOT-A-PICK-LIST-9."
    )
    expect(page.locator("#answer [data-step=idle]")).to_be_visible()
    assert re.search(r"/pick/$", page.url)
