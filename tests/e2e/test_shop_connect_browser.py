"""Connecting a shop in Chromium: an admin picks the platform, types the fake
WooCommerce's address and keys, presses "Test connection" and reads the answer; the
keys are never shown again."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories import Factories
from tests.fakes.woocommerce_server import FakeWooCommerce


def test_an_admin_connects_a_woocommerce_shop_and_tests_it(
    page: Page, make: Factories, base_url: str
) -> None:
    admin = make.user(role="admin")
    with FakeWooCommerce() as woo:
        woo.add_product("ELE-1", 3)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto("/login")
        page.fill("#username", admin.username)
        page.fill("#password", "secret-pass")
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        page.get_by_role("navigation").get_by_role("link", name="Shops", exact=True).click()
        page.get_by_role("link", name="Connect a shop").click()
        page.get_by_label("Platform").select_option("woocommerce")
        page.get_by_role("button", name="Choose").click()

        code = f"woo{admin.id}"
        page.get_by_label("Code").fill(code)
        page.get_by_label("Name").fill("Knitted animals")
        page.get_by_label("Site URL").fill(woo.url)
        page.get_by_label("REST API consumer key").fill(woo.consumer_key)
        page.get_by_label("REST API consumer secret").fill(woo.consumer_secret)
        page.get_by_label("Webhook secret").fill(woo.webhook_secret)
        page.get_by_role("button", name="Add the shop").click()
        expect(page.locator(".flash-ok")).to_contain_text(f"Shop {code} added.")

        page.get_by_role("button", name="Test connection").click()
        expect(page.locator(".flash-ok")).to_have_text(
            f"Connected to WooCommerce at {woo.url}: 1 product."
        )
        expect(page.get_by_label("REST API consumer secret")).to_have_value("")
        expect(page.get_by_label("REST API consumer secret")).to_have_attribute(
            "data-secret", "set"
        )
        expect(page.locator("[data-table=webhooks]")).to_contain_text(
            f"/api/v1/channels/{code}/woocommerce"
        )
        assert woo.consumer_secret not in page.content()
