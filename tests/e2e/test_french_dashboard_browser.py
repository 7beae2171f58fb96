"""A French supervisor's dashboard in Chromium: the dashboard, every list it links
to, and a figure the floor changes arriving live, all without an English sentence."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from tests.conftest import _make_app
from tests.e2e.language import assert_no_english
from tests.e2e.test_dashboard_browser import a_demo_asn_unit
from tests.factories import Factories
from wms.channels.models import Channel
from wms.extensions import db
from wms.inventory.models import Product


def _data(database: str, tmp_path) -> list[str]:  # type: ignore[no-untyped-def]
    """Product and shop names: data, read as written in any language."""
    app = _make_app(database, tmp_path / "names")
    with app.app_context():
        names = [
            *db.session.scalars(select(Product.name)),
            *db.session.scalars(select(Channel.name)),
        ]
        db.session.remove()
        db.engine.dispose()
    return names


def test_a_french_supervisor_reads_the_dashboard_its_lists_and_a_live_update_in_french(
    page: Page,
    browser: Browser,
    make: Factories,
    demo: None,
    base_url: str,
    database: str,
    tmp_path,
) -> None:
    reference, code = a_demo_asn_unit(database, tmp_path)
    data = _data(database, tmp_path)
    lead = make.user(role="supervisor", language="fr", full_name="Léa Responsable")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/login")
    page.fill("#username", lead.username)
    page.fill("#password", "secret-pass")
    with page.expect_navigation():
        page.press("#password", "Enter")

    page.goto("/dashboard/")
    expect(page.locator("h1")).to_have_text("L’entrepôt aujourd’hui")
    assert_no_english(page, *data)
    lists = sorted(
        {
            urlsplit(href).path + (f"?{urlsplit(href).query}" if urlsplit(href).query else "")
            for href in page.locator("main a[href]").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
            if href.startswith("/") and not href.endswith((".csv", ".pdf"))
        }
    )
    assert any(p.startswith("/dashboard/lists/") for p in lists), lists
    for path in lists:
        page.goto(path)
        assert_no_english(page, *data)

    page.goto("/dashboard/")
    received = page.locator("[data-tile=throughput] [data-figure=received]")
    before = int(re.sub(r"\D", "", received.inner_text()))
    floor = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740})
    handheld = floor.new_page()
    handheld.goto("/login")
    handheld.keyboard.type("B-1002")
    with handheld.expect_navigation():
        handheld.keyboard.press("Enter")
    handheld.goto("/receive/")
    handheld.keyboard.type(reference)
    handheld.keyboard.press("Enter")
    expect(handheld.locator(".floor-title")).to_contain_text(reference)
    handheld.keyboard.type(code)
    handheld.keyboard.press("Enter")
    expect(handheld.locator("#answer .dest-where")).to_be_visible()
    floor.close()

    # The tile redrawn by the dashboard itself (no reload) speaks French too.
    expect(received).to_have_text(re.compile(rf"^{before + 1}$"), timeout=15_000)
    expect(page.locator("[data-tile=throughput]")).to_contain_text("Unités reçues")
    assert_no_english(page, *data)
