"""Receiving in French: every answer of the receive screen, and the dock board, in the
receiver's language; codes, SKUs and product names stay as they are."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.integration.receiving.conftest import Site
from wms.base.clock import utcnow
from wms.base.numbers import order_number
from wms.core.models import Inbound
from wms.extensions import db
from wms.inventory.models import Movement


@pytest.fixture
def french(site: Site) -> Site:
    """The site's receiver, who chose French (on a device that asks for English)."""
    response = site.client.post("/language", data={"language": "fr"})
    assert response.status_code == 302
    return site


def started(site: Site, lines: list) -> str:  # type: ignore[type-arg]
    inbound_id = site.make.inbound(lines, utcnow())
    with site.app.app_context():
        reference = db.session.get(Inbound, inbound_id).reference
    assert site.start(reference).status_code == 204
    return reference


def test_a_unit_for_a_waiting_order_is_sent_to_its_lane_in_french(french: Site) -> None:
    product = french.make.product()
    channel, _ = french.make.channel()
    order_id = french.make.order(channel, [(product, 2)])
    started(french, [(product, 5)])
    answer = french.scan(product.barcodes[0].code)
    page = french.text(answer)
    assert french.where(answer) == ["COULOIR L1"]
    assert "Cross-dock" in page
    assert f"commande {order_number(order_id)} · 1 sur 2 unités" in page
    assert "Scannez l’emplacement pour confirmer." in page
    assert "Sur le quai (1)" in page and "Reçu / attendu" in page
    wrong = french.scan(french.bins[0].code)
    assert wrong.status_code == 409
    assert f"Ceci est {french.bins[0].code} — portez-le à COULOIR L1." in french.text(wrong)
    confirmed = french.text(french.scan("L1"))
    assert "1 unité maintenant en L1." in confirmed


def test_a_unit_nobody_waits_for_goes_to_a_shelf_in_french(french: Site) -> None:
    product = french.make.product()
    started(french, [(product, 3)])
    answer = french.scan(product.barcodes[0].code)
    assert french.where(answer) == [f"CASIER {french.bins[0].code}"]
    assert "Ranger" in french.text(answer)


def test_damaged_over_and_unknown_units_go_to_quarantine_in_french(french: Site) -> None:
    product = french.make.product()
    reference = started(french, [(product, 2)])
    said = french.text(french.scan("CMD-DAMAGED"))
    assert "L’unité suivante est endommagée\u202f: elle ira en quarantaine." in said
    damaged = french.text(french.scan(product.barcodes[0].code))
    assert "Quarantaine" in damaged and "Endommagé\u202f: en quarantaine." in damaged
    french.scan("QUAR-1")
    french.scan(product.barcodes[0].code)  # the one expected
    french.scan(french.bins[0].code)
    over = french.text(french.scan(product.barcodes[0].code))
    assert f"Plus que prévu par {reference}\u202f: en quarantaine." in over
    french.scan("QUAR-1")
    unknown = french.scan("NOTHING-KNOWN-42")
    page = french.text(unknown)
    assert "Aucun produit n’a le code-barres NOTHING-KNOWN-42." in page
    assert "En quarantaine\u202f; un responsable le verra sur la réception." in page


def test_a_code_of_the_wrong_kind_is_named_in_french_and_changes_nothing(
    french: Site,
) -> None:
    product = french.make.product()
    channel, _ = french.make.channel()
    order_id = french.make.order(channel, [(product, 1)])
    started(french, [(product, 2)])
    refused = french.scan(order_number(order_id))
    assert refused.status_code == 422
    assert (
        f"C’est la commande {order_number(order_id)} — scannez une unité, ou DONE pour terminer."
        in french.text(refused)
    )
    with french.app.app_context():
        assert not db.session.scalars(
            select(Movement).where(Movement.product_id == product.id)
        ).all()


def test_closing_is_asked_and_said_in_french(french: Site) -> None:
    product = french.make.product()
    reference = started(french, [(product, 2)])
    french.scan(product.barcodes[0].code)
    french.scan(french.bins[0].code)
    asked = french.text(french.scan("CMD-DONE"))
    assert f"Clôturer {reference}\u202f? Ce qui n’est pas arrivé sera signalé manquant." in asked
    closed = french.scan("CMD-DONE")
    assert closed.status_code == 204
    start = french.client.get("/receive/").get_data(as_text=True)
    assert f"{reference} clôturée\u202f: 1 manquant. Le rapport est au bureau." in start
    assert "Scannez le numéro d’ASN ou de bon de commande" in start


def test_the_dock_board_speaks_french(french: Site) -> None:
    product = french.make.product()
    channel, _ = french.make.channel()
    french.make.order(channel, [(product, 2)])
    started(french, [(product, 2)])
    french.scan(product.barcodes[0].code)
    board = french.client.get("/dock/board").get_data(as_text=True)
    assert "<h1>Tableau du quai</h1>" in board
    assert "COULOIR L1" in board and "en attente de stock" in board
    assert "Sur le quai, pas encore confirmé (1)" in board
    assert "Prêtes à emballer (0)" in board and "Mis à jour à" in board
    assert "Dock board" not in board and "Updated" not in board
