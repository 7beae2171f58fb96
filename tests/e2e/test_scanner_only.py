"""The scanner alone does everything on the floor: from the badge at login to LOGOUT,
every floor screen is reached and used by typing codes and Enter, never a click or a
Tab. The menu fits a 360 x 640 handheld."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.conftest import unique
from tests.e2e.conftest import Scanner
from tests.factories import Factories
from wms.base.clock import utcnow
from wms.core.models import Inbound
from wms.extensions import db

pytestmark = pytest.mark.usefixtures("demo")


def title(page: Page) -> object:
    return expect(page.locator(".floor-title, h1").first)


def test_every_floor_screen_by_scanner_alone(
    page: Page, app: Flask, make: Factories, scanner: Scanner
) -> None:
    product = make.product(name="Walk Lantern")
    reference = unique("ASN-WALK-")
    make.inbound([(product, 3)], utcnow(), reference=reference)
    worker = make.user(full_name="Wanda Walker")
    answer = page.locator("#answer")

    page.goto("/login")  # the only navigation not made by a scan
    page.keyboard.type(worker.badge_code)
    page.keyboard.press("Enter")
    title(page).to_have_text("Menu")

    scanner.scan("CMD-LOOKUP")
    title(page).to_have_text("Scan anything")
    scanner.scan(product.barcodes[0].code)
    expect(answer.locator("[data-kind=product] .card-title")).to_have_text("Walk Lantern")

    scanner.scan("CMD-RECEIVE")
    title(page).to_have_text("Receive")
    scanner.scan(reference)
    title(page).to_have_text(f"Receive {reference}")
    scanner.scan(product.barcodes[0].code)
    where = answer.locator("[data-destination] .dest-where").first
    expect(where).to_be_visible()
    place = where.inner_text().split()[1]
    scanner.scan(place)
    expect(answer.locator(".answer-ok")).to_contain_text(f"now at {place}")
    scanner.scan("CMD-DONE")
    expect(answer.locator("[data-question]")).to_contain_text(f"Close {reference}?")
    scanner.scan("CMD-DONE")
    title(page).to_have_text("Receive")
    expect(answer).to_contain_text(f"{reference} closed: 2 short.")

    scanner.scan("CMD-PUTAWAY")
    title(page).to_have_text("Put away")
    scanner.scan("CMD-UNDO")
    expect(answer).to_contain_text("Put-away cancelled.")

    scanner.scan("CMD-BOARD")
    title(page).to_have_text("Dock board")
    expect(page.locator("#board")).to_be_visible()

    scanner.scan("CMD-PICK")
    title(page).to_have_text("Pick")
    scanner.scan(reference)
    expect(answer.locator(".answer-error")).to_contain_text(f"That is ASN {reference} — scan DONE")

    scanner.scan("CMD-PACK")
    title(page).to_have_text(re.compile(r"^Pack"))
    if page.locator(".floor-title").inner_text() == "Pack":
        scanner.scan("PACK-1")  # more than one station: say which
    title(page).to_have_text("Pack · PACK-1")

    scanner.scan("CMD-RETURNS")
    title(page).to_have_text("Returns")
    scanner.scan(worker.badge_code)
    expect(answer.locator(".answer-error")).to_have_text(
        "That is the badge of Wanda Walker — scan the RMA, order or tracking number."
    )

    scanner.scan("CMD-COUNT")
    title(page).to_have_text("Cycle count")

    scanner.scan("CMD-MENU")
    title(page).to_have_text("Menu")
    scanner.scan("W-00000")  # not a command, and not anything known
    expect(answer.locator(".answer-error")).to_contain_text("No command has the code W-00000")

    scanner.scan("CMD-LOGOUT")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator("#badge")).to_be_focused()

    with app.app_context():
        inbound = db.session.scalar(select(Inbound).where(Inbound.reference == reference))
        assert inbound.status == "closed"
        db.session.remove()


def test_the_menu_fits_a_360_by_640_handheld(page: Page, make: Factories, scanner) -> None:
    worker = make.user(full_name="Mia Menu")
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto("/login")
    page.keyboard.type(worker.badge_code)
    page.keyboard.press("Enter")
    title(page).to_have_text("Menu")
    entries = page.locator(".floor-menu .menu-item")
    labels = [e.strip() for e in page.locator(".floor-menu .menu-label").all_inner_texts()]
    assert labels == [
        "Scan anything",
        "Receive",
        "Put away",
        "Dock board",
        "Pick",
        "Pack",
        "Returns",
        "Count",
        "Log out",
    ]
    for i in range(entries.count()):
        box = entries.nth(i).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 640, labels[i]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    expect(page.locator("[data-scan-input]")).to_be_focused()
