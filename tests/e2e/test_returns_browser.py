"""Receiving a return at 360 px with a scanner: one unit to a waiting backorder's lane,
one damaged unit to quarantine, and one item the return does not list."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.factories import Factories
from wms.base.numbers import order_number
from wms.core.models import Order
from wms.core.staging import staged_for_order
from wms.extensions import db
from wms.inventory.models import Movement


def test_receive_a_return_with_the_scanner(
    page: Page, badge_login, scanner, make: Factories
) -> None:
    # A shipped order comes back; another customer waits for one of its products.
    channel, _ = make.channel()
    wanted = make.product(name="Summit Lantern, Red")
    broken = make.product(name="Arctic Thermos, Blue")
    stranger = make.product(name="Trail Socks, Grey")
    shipped = make.shipped_order(channel, [(wanted, 1), (broken, 1)])
    waiting = make.order(channel, [(wanted, 1)])
    number = make.rma(shipped, [(wanted, 1), (broken, 1)], reason="defective")

    badge_login("B-1001")
    page.goto("/returns/receive")
    expect(page.locator(".floor-title")).to_have_text("Returns")
    scanner.scan(number)
    bench = page.locator("#bench")
    expect(bench.locator("[data-rma]")).to_contain_text(f"{number} · order {order_number(shipped)}")
    expect(bench.locator(f"[data-sku='{wanted.sku}'] .qty")).to_have_text("0/1")

    # Resellable: straight to the lane of the order that waits for it, shown as receiving does.
    scanner.scan(wanted.barcodes[0].code)
    expect(page.locator("#answer [data-state=grade]")).to_contain_text(f"{wanted.sku} · grade it")
    scanner.scan("1")
    card = page.locator("#answer [data-destination=cross_dock]")
    expect(card).to_be_visible()
    expect(card.locator(".dest-where")).to_have_text(re.compile(r"^LANE \S+$"))
    expect(card).to_contain_text(f"order {order_number(waiting)} · 1 of 1 units")
    lane = card.locator(".dest-where").inner_text().removeprefix("LANE ")
    expect(bench.locator(f"[data-sku='{wanted.sku}'] .qty")).to_have_text("1/1")

    # Damaged: to quarantine, with the command barcode.
    scanner.scan(broken.barcodes[0].code)
    expect(page.locator("#answer [data-state=grade]")).to_contain_text(broken.sku)
    scanner.scan("CMD-DAMAGED")
    damaged = page.locator("#answer [data-destination=quarantine]")
    expect(damaged.locator(".dest-where")).to_have_text(re.compile(r"^QUARANTINE \S+$"))
    expect(damaged).to_contain_text("Damaged")

    # Not on the return: to exceptions at once, and the clerk hears it.
    scanner.scan(stranger.barcodes[0].code)
    expect(page.locator("#answer .answer-error")).to_have_text(
        f"{stranger.sku} is not on {number}."
    )
    expect(page.locator("#answer [data-destination=exceptions] .dest-where")).to_have_text(
        re.compile(r"^EXCEPTIONS \S+$")
    )
    expect(page.locator("body")).to_have_attribute("data-last-tone", "error")
    expect(bench.locator("[data-rma]")).to_contain_text("1 not on it")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    scanner.scan("CMD-DONE")
    expect(page.locator("#answer .answer-ok")).to_contain_text(f"{number} done: 2 of 2 units back.")

    with make.app.app_context():
        assert db.session.get(Order, waiting).status == "ready_to_pack"
        assert [(s.code, s.qty) for s in staged_for_order(waiting)] == [(lane, 1)]
        moved = db.session.scalars(
            select(Movement).where(Movement.reference == number).order_by(Movement.id)
        ).all()
        assert [(m.product_id, m.reason) for m in moved] == [
            (wanted.id, "return"),
            (wanted.id, "return"),
            (broken.id, "return"),
            (broken.id, "quarantine"),
            (stranger.id, "return"),
            (stranger.id, "return"),
        ]
