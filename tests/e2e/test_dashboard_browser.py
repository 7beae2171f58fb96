"""The dashboard updates itself while the floor works."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.conftest import _make_app
from wms.base.clock import today
from wms.core.models import Inbound, InboundLine
from wms.extensions import db
from wms.inventory.models import Barcode


def a_demo_asn_unit(database: str, tmp_path) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    app = _make_app(database, tmp_path)
    with app.app_context():
        inbound = db.session.scalar(
            select(Inbound)
            .where(Inbound.reference.like(f"ASN-{today():%y%m%d}-%"))
            .order_by(Inbound.expected_at.desc())
        )
        line = db.session.scalar(
            select(InboundLine)
            .where(InboundLine.inbound_id == inbound.id)
            .order_by(InboundLine.id.desc())
        )
        code = db.session.scalar(
            select(Barcode.code)
            .where(Barcode.product_id == line.product_id, Barcode.units == 1)
            .order_by(Barcode.id)
        )
        reference = inbound.reference
        db.session.remove()
        db.engine.dispose()
    return reference, code


def test_dashboard_updates_without_reload_after_a_receive_scan(
    page: Page, browser: Browser, badge_login, base_url: str, database: str, tmp_path
) -> None:
    reference, code = a_demo_asn_unit(database, tmp_path)
    badge_login("B-2001", "sam-demo")  # the supervisor
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/dashboard/")
    received = page.locator("[data-tile=throughput] [data-figure=received]")
    before = int(received.inner_text())
    page.evaluate("window.stillTheSamePage = true")

    floor = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740})
    handheld = floor.new_page()
    handheld.goto("/login")
    handheld.keyboard.type("B-1002")
    with handheld.expect_navigation():
        handheld.keyboard.press("Enter")
    handheld.goto("/receive/")
    handheld.keyboard.type(reference)
    handheld.keyboard.press("Enter")
    expect(handheld.locator(".floor-title")).to_have_text(f"Receive {reference}")
    handheld.keyboard.type(code)
    handheld.keyboard.press("Enter")
    expect(handheld.locator("#answer .dest-where")).to_be_visible()
    floor.close()

    expect(received).to_have_text(re.compile(rf"^{before + 1}$"), timeout=15_000)
    assert page.evaluate("window.stillTheSamePage") is True


def test_the_dashboard_fits_a_360_px_screen(page: Page, make, demo) -> None:  # type: ignore[no-untyped-def]
    lead = make.user(role="supervisor", full_name="Lea Lead")
    page.goto("/login")
    page.fill("#username", lead.username)
    page.fill("#password", "secret-pass")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.goto("/dashboard/")
    expect(page.locator("[data-tile=throughput]")).to_be_visible()
    # nothing pushes the page sideways; a wide table scrolls inside its tile
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
