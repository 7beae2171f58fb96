"""A French operator's shift at 360 px, by scanner: receive (a lane, a shelf, the
quarantine), then pick a wave; no English sentence, nothing wider than the screen."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import _make_app
from tests.e2e.language import assert_fits_a_handheld, assert_no_english, english_sentences
from tests.factories import Factories, unique
from wms.base.clock import utcnow
from wms.base.numbers import wave_code
from wms.core.models import Inbound
from wms.extensions import db
from wms.inventory.models import LocationKind


def test_a_french_operator_receives_and_picks_without_meeting_english(
    page: Page, demo: None, scanner, database: str, tmp_path
) -> None:
    app = _make_app(database, tmp_path)
    make = Factories(app)
    badge = unique("FR-")
    make.user(role="operator", language="fr", badge_code=badge, full_name="Camille Dubois")
    for_lane, for_shelf, damaged, to_pick = (make.product() for _n in range(4))
    channel, _c = make.channel()
    make.order(channel, [(for_lane, 1)])
    inbound_id = make.inbound([(for_lane, 1), (for_shelf, 1), (damaged, 1)], utcnow())
    pick_bin = make.location(LocationKind.BIN, walk_seq=5)
    make.stock(to_pick, pick_bin, 3)
    picking, _p = make.channel()
    make.order(picking, [(to_pick, 2)])
    wave_id = make.wave(picking)
    with app.app_context():
        reference = db.session.get(Inbound, inbound_id).reference
        db.session.remove()
        db.engine.dispose()
    data = [p.name for p in (for_lane, for_shelf, damaged, to_pick)] + ["Camille Dubois"]

    page.goto("/login")
    page.keyboard.type(badge)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".floor-title")).to_have_text("Menu")
    assert_no_english(page, *data)

    scanner.scan("RECEIVE")
    expect(page.locator(".floor-title")).to_have_text("Réceptionner")
    assert_no_english(page, *data)
    scanner.scan(reference)
    expect(page.locator(".floor-title")).to_have_text(f"Réceptionner {reference}")

    scanner.scan(for_lane.barcodes[0].code)
    card = page.locator("#answer [data-destination=cross_dock] .dest-where")
    expect(card).to_contain_text("COULOIR ")
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)
    scanner.scan(card.inner_text().replace("COULOIR ", "").strip())
    expect(page.locator("#answer .answer-ok")).to_contain_text("maintenant en")

    scanner.scan(for_shelf.barcodes[0].code)
    shelf = page.locator("#answer [data-destination=putaway] .dest-where")
    expect(shelf).to_contain_text("CASIER ")
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)
    scanner.scan(shelf.inner_text().split("(")[0].replace("CASIER ", "").strip())
    expect(page.locator("#answer .answer-ok")).to_contain_text("maintenant en")

    scanner.scan("CMD-DAMAGED")
    expect(page.locator("#answer")).to_contain_text("L’unité suivante est endommagée")
    scanner.scan(damaged.barcodes[0].code)
    cage = page.locator("#answer [data-destination=quarantine]")
    expect(cage).to_contain_text("Quarantaine")
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)

    page.goto("/pick/")
    expect(page.locator(".floor-title")).to_have_text("Préparer")
    scanner.scan(wave_code(wave_id))
    expect(page.locator("[data-step=bin] [data-where]")).to_have_text(pick_bin.code)
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)
    scanner.scan(pick_bin.code)
    expect(page.locator("[data-step=item]")).to_be_visible()
    scanner.scan(to_pick.sku)
    expect(page.locator("[data-step=qty]")).to_be_visible()
    assert_no_english(page, *data)
    page.keyboard.press("Enter")  # the quantity offered: all of it
    tote = page.locator("[data-step=tote] [data-where]")
    expect(tote).not_to_have_text("un bac vide")
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)
    scanner.scan(tote.inner_text().strip())
    expect(page.locator("[data-step=finished]")).to_contain_text("préparée")
    assert_no_english(page, *data)
    assert_fits_a_handheld(page)


def test_the_english_list_holds_the_floors_sentences_and_not_lone_words() -> None:
    sentences = english_sentences()
    assert "Scan the place to confirm." in sentences
    assert "in the tote first." in sentences  # the fixed part of a sentence with a number
    assert "Menu" not in sentences and "Cross-dock" not in sentences
