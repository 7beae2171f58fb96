"""Picking a wave of three orders in Chromium at 360 px, by scanner alone."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.factories import Factories
from tests.picking import moves
from wms.base.clock import utcnow
from wms.base.numbers import order_number, wave_code
from wms.core.models import Order, OrderLine, OrderStatus
from wms.extensions import db
from wms.inventory.models import Location, LocationKind


def test_a_wave_of_three_orders_picked_by_scanning_with_mistakes_and_a_short_bin(
    page: Page, app: Flask, make: Factories, badge_login, scanner
) -> None:
    mug, cap, tent = make.product(), make.product(), make.product()
    tag = f"{mug.id:05d}"
    bins = {
        p.sku: make.location(LocationKind.BIN, code=f"{aisle}-{tag}", walk_seq=seq)
        for p, aisle, seq in ((mug, "X", 1), (cap, "Y", 2), (tent, "Z", 3))
    }
    make.stock(mug, bins[mug.sku], 5)
    make.stock(cap, bins[cap.sku], 5)
    make.stock(tent, bins[tent.sku], 3)  # the ledger says three; the bin holds one
    channel, _ = make.channel()
    t0 = utcnow() - timedelta(hours=2)
    first = make.order(channel, [(mug, 2), (cap, 1)], placed_at=t0)
    second = make.order(channel, [(cap, 1)], placed_at=t0)
    third = make.order(channel, [(tent, 3)], placed_at=t0)
    later = make.order(make.channel()[0], [(tent, 1)], placed_at=t0 + timedelta(hours=1))
    wave_id = make.wave(channel)
    picker = make.user(full_name="Pia Picker")

    badge_login(picker.badge_code)
    page.goto("/pick/")
    answer = page.locator("#answer")
    where = answer.locator("[data-where]")
    error = answer.locator(".answer-error")
    expect(answer.locator("[data-step=idle]")).to_be_visible()

    scanner.scan(wave_code(wave_id))  # the barcode on the printed pick list
    expect(answer.locator("[data-notice]")).to_have_text(
        f"{wave_code(wave_id)}: 3 orders, 4 lines."
    )
    expect(where).to_have_text(bins[mug.sku].code)

    scanner.scan(bins[cap.sku].code)  # the wrong bin
    expect(error).to_have_text(f"That is {bins[cap.sku].code} — go to {bins[mug.sku].code}.")
    expect(page.locator("body")).to_have_attribute("data-last-tone", "error")
    scanner.scan(bins[mug.sku].code)
    expect(answer.locator("[data-step=item]")).to_be_visible()
    scanner.scan(cap.barcodes[0].code)  # the wrong item
    expect(error).to_have_text(f"That is {cap.sku} — take {mug.sku} (Test product).")
    scanner.scan(mug.barcodes[0].code)
    expect(where).to_have_text("1 of 2")
    field = page.locator("[data-scan-input]")
    expect(field).to_have_value("2")  # the whole quantity, offered: Enter takes it
    page.keyboard.press("Enter")
    expect(answer.locator("[data-step=tote] [data-order]")).to_have_text(
        f"— order {order_number(first)}"
    )
    first_tote = where.inner_text()
    scanner.scan(first_tote)
    expect(page.locator("body")).to_have_attribute("data-last-tone", "ok")

    expect(where).to_have_text(bins[cap.sku].code)
    scanner.scan(bins[cap.sku].code)
    expect(answer.locator("[data-step=item]")).to_be_visible()
    for order_id in (first, second):
        scanner.scan(cap.barcodes[0].code)
        expect(answer.locator("[data-order]")).to_have_text(f"— order {order_number(order_id)}")
        scanner.scan(where.inner_text())
        expect(answer.locator("[data-notice]")).to_contain_text(order_number(order_id))

    expect(where).to_have_text(bins[tent.sku].code)
    scanner.scan(bins[tent.sku].code)
    expect(answer.locator("[data-step=item]")).to_be_visible()
    scanner.scan("CMD-SHORT")
    expect(answer.locator("[data-step=short]")).to_be_visible()
    expect(field).to_have_value("0")
    scanner.scan("1")  # one unit in the bin
    expect(answer.locator("[data-notice]")).to_have_text(
        f"Short 2 recorded: {order_number(third)} waits for it; "
        f"{bins[tent.sku].code} will be counted."
    )
    scanner.scan(where.inner_text())
    expect(answer.locator("[data-step=finished]")).to_contain_text(
        "3 orders · 4 lines · 5 units · 2 short"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # the ledger: bin to tote for every unit picked, the missing units set aside
    code = wave_code(wave_id)
    ledger = sorted((m["from"], m["qty"], m["reason"]) for m in moves(app, code))
    assert ledger == sorted(
        [
            (bins[mug.sku].code, 2, "pick"),
            (bins[cap.sku].code, 1, "pick"),
            (bins[cap.sku].code, 1, "pick"),
            (bins[tent.sku].code, 1, "pick"),
            (bins[tent.sku].code, 2, "missing"),
        ]
    )
    verify = app.test_cli_runner().invoke(args=["verify-ledger"])
    assert verify.exit_code == 0, verify.output
    with app.app_context():
        statuses = {o: db.session.get(Order, o).status for o in (first, second, third)}
        assert statuses == {
            first: OrderStatus.READY_TO_PACK,
            second: OrderStatus.READY_TO_PACK,
            third: OrderStatus.WAITING,
        }
        # the backorder queue: the short line first (it kept its place), then the later order
        queue = db.session.execute(
            select(OrderLine.order_id, OrderLine.qty_waiting)
            .where(OrderLine.product_id == tent.id, OrderLine.qty_waiting > 0)
            .order_by(OrderLine.priority, OrderLine.placed_at, OrderLine.id)
        ).all()
        assert [tuple(r) for r in queue] == [(third, 2), (later, 1)]
        assert db.session.get(Location, bins[tent.sku].id).count_requested_at is not None
