"""A French returns clerk and a French packer at 360 px, scanner only: every answer in
French, no English sentence on the page (product data aside), nothing wider than the screen."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Scanner
from tests.e2e.language import assert_fits_a_handheld, assert_no_english
from tests.e2e.test_packing import SECOND_UNIT_PAUSE_MS, cross_docked_order, order_status
from tests.factories import Factories
from wms.base.numbers import order_number


def french_operator(make: Factories) -> str:
    badge = f"B-FR-{uuid.uuid4().hex[:6].upper()}"
    make.user(role="operator", badge_code=badge, language="fr", full_name="Chloé Martin")
    return badge


def test_a_french_clerk_receives_and_grades_a_return(
    page: Page, badge_login, scanner: Scanner, make: Factories
) -> None:
    channel, _ = make.channel()
    good = make.product(name="Summit Lantern, Red")
    broken = make.product(name="Arctic Thermos, Blue")
    shipped = make.shipped_order(channel, [(good, 1), (broken, 1)])
    number = make.rma(shipped, [(good, 1), (broken, 1)], reason="defective")
    data = (good.name, broken.name, "Chloé Martin")

    badge_login(french_operator(make))
    page.goto("/returns/receive")
    expect(page.locator(".floor-title")).to_have_text("Retours")
    assert_no_english(page, *data)
    scanner.scan(number)
    bench = page.locator("#bench")
    expect(bench.locator("[data-rma]")).to_contain_text(
        f"{number} · commande {order_number(shipped)} · 0/2 unités"
    )
    expect(page.locator("#answer")).to_contain_text("Scannez chaque article.")

    scanner.scan(good.barcodes[0].code)
    expect(page.locator("#answer [data-state=grade]")).to_contain_text(
        f"{good.sku} · évaluez son état"
    )
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)
    scanner.scan("1")
    card = page.locator("#answer [data-tone=ok]").first
    expect(card).to_contain_text("Revendable")
    expect(page.locator("#answer")).to_contain_text("Portez-le là, puis scannez l’article suivant.")
    assert_no_english(page, *data)

    scanner.scan(broken.barcodes[0].code)
    scanner.scan("CMD-DAMAGED")
    damaged = page.locator("#answer [data-destination=quarantine]")
    expect(damaged.locator(".dest-where")).to_have_text(re.compile(r"^QUARANTAINE \S+$"))
    expect(damaged).to_contain_text("Endommagé")
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)

    scanner.scan("CMD-DONE")
    expect(page.locator("#answer")).to_contain_text(
        f"{number} terminé\u202f: 2 unités revenues sur 2."
    )
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)


def test_a_french_packer_packs_and_ships_a_parcel(
    page: Page, badge_login, scanner: Scanner, make: Factories, database: str, tmp_path: Path
) -> None:
    badge_login(french_operator(make))
    number, ean, order_id, _lane = cross_docked_order(database, tmp_path)
    data = ("Trail Lantern, Sand", "Ada Byron", "Shelbyville", "Chloé Martin")
    page.goto("/pack")
    if "/pack/" not in page.url:
        expect(page.locator(".answer-info")).to_contain_text("Scannez le code de votre poste")
        assert_no_english(page, *data)
        with page.expect_navigation():
            scanner.scan("PACK-1")
    expect(page.locator(".floor-title")).to_contain_text("Emballer · PACK-")

    scanner.scan(number)
    expect(page.locator("[data-order]")).to_have_text(number)
    expect(page.locator("[data-next]")).to_have_text("Scannez chaque article\u202f: encore 2.")
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)
    scanner.scan(ean)
    expect(page.locator("[data-answer]")).to_contain_text("(1 sur 2)")
    page.wait_for_timeout(SECOND_UNIT_PAUSE_MS)
    scanner.scan(ean)
    expect(page.locator("[data-next]")).to_have_text(
        "Tous les articles sont vérifiés. Scannez le carton."
    )
    scanner.scan("BOX-S")
    expect(page.locator("[data-next]")).to_have_text(
        "Pesez le colis\u202f: balance, ou tapez les grammes."
    )
    assert_no_english(page, *data)
    scanner.scan("1.15")
    expect(page.locator("[data-next]")).to_contain_text(
        "Scannez DONE pour acheter l’étiquette\u202f: WMS Local"
    )
    expect(page.locator("[data-answer]")).to_contain_text("1,15\u00a0kg, emballé.")
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)

    scanner.scan("CMD-DONE")
    tracking = page.locator("[data-tracking]")
    expect(tracking).to_contain_text(re.compile(r"WMS Local \w+ · WL\d{11}"))
    expect(page.locator("[data-next]")).to_have_text(
        "Collez l’étiquette, puis scannez son numéro de suivi (ou DONE) pour expédier."
    )
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)
    number_on_label = tracking.inner_text().rsplit(" ", 1)[-1]

    scanner.scan(number_on_label)
    expect(page.locator("[data-answer]")).to_contain_text(
        f"{number} expédiée avec WMS Local {number_on_label}."
    )
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)
    assert order_status(database, tmp_path, order_id) == "shipped"


def test_the_checks_see_english_and_a_page_too_wide(page: Page) -> None:
    page.set_content("<body><p>Scannez chaque article.</p></body>")
    assert_no_english(page)
    page.set_content("<body><p>Scan each item.</p></body>")
    with pytest.raises(AssertionError, match="Scan each item"):
        assert_no_english(page)
    page.set_content("<body><div style='width:500px'>R-10001</div></body>")
    with pytest.raises(AssertionError):
        assert_fits_a_handheld(page)
    page.set_content(
        "<body><div id='answer'><p class='dest-where' "
        "style='width:40px;overflow:hidden;white-space:nowrap'>QRN-000001</p></div></body>"
    )
    with pytest.raises(AssertionError, match="QRN-000001"):
        assert_fits_a_handheld(page)
