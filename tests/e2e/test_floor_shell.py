"""The floor shell in a real browser at 360 px, driven as a scanner drives it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from wms.demo import ean13


def test_log_in_by_scanning_a_badge(page: Page, badge_login) -> None:
    badge_login("B-1001")
    expect(page.locator(".floor-user")).to_have_text("Olga Receiver")
    expect(page.get_by_role("link", name=re.compile("Scan anything"))).to_be_visible()


def test_a_supervisor_scans_the_badge_and_is_asked_for_the_password(page: Page, demo: None) -> None:
    page.goto("/login")
    page.keyboard.type("B-2001")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".answer-error")).to_have_text(
        "That badge does not sign in on its own: supervisors and admins, "
        "type your password to go on."
    )
    expect(page.locator("#badge-password")).to_be_focused()
    page.keyboard.type("sam-demo")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/desk/$"))


def test_scan_a_demo_ean_and_see_the_product_and_its_bins(page: Page, badge_login, scanner) -> None:
    badge_login("B-1001")
    page.goto("/floor/scan")
    scanner.scan(ean13(1))
    card = page.locator("[data-kind=product]")
    expect(card).to_be_visible()
    expect(card.locator("[data-list=locations] li").first).to_contain_text(
        re.compile(r"[A-E]-\d\d-\d")
    )
    expect(page.locator("body")).to_have_attribute("data-last-tone", "ok")
    # the field is empty and focused again, ready for the next scan
    expect(page.locator("[data-scan-input]")).to_have_value("")
    expect(page.locator("[data-scan-input]")).to_be_focused()


def test_unknown_code_shows_the_error_sentence(page: Page, badge_login, scanner) -> None:
    badge_login("B-1001")
    page.goto("/floor/scan")
    scanner.scan("NO-SUCH-THING")
    expect(page.locator(".answer-error")).to_have_text(
        "No product, location or order has the code NO-SUCH-THING."
    )
    expect(page.locator("body")).to_have_attribute("data-last-tone", "error")
    expect(page.locator("[data-scan-input]")).to_be_focused()


def test_operator_is_refused_a_supervisor_page(page: Page, badge_login) -> None:
    badge_login("B-1001")
    response = page.goto("/desk/")
    assert response is not None and response.status == 403
    expect(page.locator(".answer-error")).to_contain_text("Your role does not allow this screen.")


def test_screen_fits_360_pixels_without_sideways_scrolling(
    page: Page, badge_login, scanner
) -> None:
    badge_login("B-1001")
    page.goto("/floor/scan")
    scanner.scan(ean13(2))
    expect(page.locator("[data-kind=product]")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
