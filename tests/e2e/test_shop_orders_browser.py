"""The desk's shop orders needing attention, in Chromium: a supervisor maps a line and
releases the order a Shopify webhook (posted for real over HTTP) left waiting."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from tests.factories import Factories
from tests.shops import example, signature


def test_a_supervisor_maps_the_line_and_releases_the_order(
    page: Page, make: Factories, base_url: str
) -> None:
    channel = make.shop_channel("shopify")
    item = make.product()
    raw = example("shopify-orders-create.json")
    delivered = requests.post(
        f"{base_url}/api/v1/channels/{channel.code}/shopify",
        data=raw,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": signature(f"secret-{channel.code}", raw),
            "X-Shopify-Webhook-Id": f"browser-{channel.code}",
        },
        timeout=10,
    )
    assert delivered.status_code == 200 and delivered.json()["state"] == "needs_attention"

    lead = make.user(role="supervisor")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/login")
    page.fill("#username", lead.username)
    page.fill("#password", "secret-pass")
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation").get_by_role("link", name="Shop orders").click()

    row = page.locator("[data-table=shop-orders] tr", has_text=channel.code)
    expect(row).to_contain_text("needs attention")
    expect(row).to_contain_text("SKU IPOD2008RED")
    row.get_by_role("link", name="#1001").click()

    line = page.locator("[data-table=shop-order-lines] tr", has_text="IPOD2008RED")
    line.get_by_label("SKU").fill(item.sku)
    line.get_by_role("button", name="Map").click()
    expect(page.locator(".flash-ok")).to_contain_text(f"Line 1 is now {item.sku}")
    page.get_by_role("button", name="Release").click()

    expect(page.locator(".flash-ok")).to_have_text("Released: the order is taken in.")
    expect(page.locator("[data-table=shop-orders] tr", has_text=channel.code)).to_have_count(0)
