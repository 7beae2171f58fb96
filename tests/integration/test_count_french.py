"""A French counter counts a bin on the handheld in French; a French supervisor reads
the count pages in French. Numbers are written the French way."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories, unique
from tests.integration.test_cycle_counts import HX, Counter
from tests.integration.test_floor_french import sign_in_french
from wms.base.i18n import Number, _, as_written
from wms.i18n import in_language

NNBSP = "\u202f"


def text(response: Any) -> str:
    """The page with runs of plain white space made one (the narrow no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", response.get_data(as_text=True))


class FrenchCounter(Counter):
    """The handheld of test_cycle_counts, reading answers with their narrow spaces."""

    def scan(self, code: str, status: int = 200) -> str:
        response = self.client.post(
            "/stock/count/scan", data={"code": code, "scan_id": unique("s")}, headers=HX
        )
        answer = text(response)
        assert response.status_code == status, answer
        return answer


def fr(sentence: str) -> str:
    """A French sentence as the catalog writes it: a narrow no-break space before : ; ? !"""
    for mark in ":;?!":
        sentence = sentence.replace(f" {mark}", f"{NNBSP}{mark}")
    return sentence


def test_a_french_counter_counts_a_bin_in_french(app: Flask, make: Factories) -> None:
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 20)
    make.count_task(bin_, tolerance_units=1, tolerance_pct=5)
    client = app.test_client()
    sign_in_french(client, make)
    counter = FrenchCounter(client)
    page = text(client.get("/stock/count"))
    assert "Scannez un casier pour le compter." in page
    # Other tests' tasks share the list: the heading counts them all, and names this bin.
    assert re.search(r"Casiers à compter \(\d+\)", page) and bin_.code in page
    assert "Scan a bin" not in page

    started = counter.scan(bin_.code)
    assert f"Inventaire de {bin_.code}. Scannez chaque article" in started
    assert "DONE termine le casier" in started

    assert fr(f"{product.sku} : 1 compté. Article suivant, ou tapez la quantité.") in counter.scan(
        product.barcodes[0].code
    )
    assert fr(f"{product.sku} : 12 comptés en tout.") in counter.scan("12")
    refused = counter.scan("CMD-PRINT", status=422)
    assert "ne fait rien pendant l’inventaire. Scannez DONE, UNDO ou SKIP." in refused

    done = counter.scan("CMD-DONE")
    assert fr(f"{bin_.code} compté : 1 produit, 12 unités. Un responsable va le vérifier.") in done
    assert "counted" not in done


def test_an_english_counter_still_reads_english(client: FlaskClient, make: Factories) -> None:
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 3)
    make.count_task(bin_, tolerance_units=5)
    user = make.user(language="en")
    client.post("/login", data={"username": user.username, "password": "secret-pass"})
    counter = Counter(client)
    assert f"Counting {bin_.code}." in counter.scan(bin_.code)
    counter.scan(product.sku)
    assert f"{bin_.code} counted: 1 product, 1 unit." in counter.scan("CMD-DONE")


def test_a_number_in_a_refusal_is_written_as_the_reader_writes_it(app: Flask) -> None:
    refusal = _("That makes more than %(max)s; type the total instead.", max=Number(1_000_000))
    with app.test_request_context(), in_language("fr"):
        assert str(refusal) == fr(
            f"Cela fait plus de 1{NNBSP}000{NNBSP}000 ; tapez plutôt le total."
        )
    with app.test_request_context(), in_language("en"):
        assert str(refusal) == "That makes more than 1,000,000; type the total instead."
    assert as_written(refusal) == "That makes more than 1000000; type the total instead."


def test_a_french_supervisor_reads_counts_and_approves_in_french(
    app: Flask, make: Factories
) -> None:
    product, bin_ = make.product(unit_cost_cents=1050), make.location()
    make.stock(product, bin_, 20)
    task_id = make.count_task(bin_, tolerance_units=1, tolerance_pct=5)
    counter = FrenchCounter(app.test_client())
    sign_in_french(counter.client, make)
    counter.scan(bin_.code)
    counter.scan(product.sku)
    counter.scan("12")
    counter.scan("CMD-DONE")

    supervisor = app.test_client()
    sign_in_french(supervisor, make, role="supervisor")
    page = text(supervisor.get("/stock/counts?tab=review"))
    assert re.search(r"En attente d’approbation \(\d+\)", page)
    assert f"CC-{task_id}" in page
    assert "en attente d’approbation" in page and "à la main" in page
    assert "Waiting for approval" not in page
    page = text(supervisor.get(f"/stock/counts/{task_id}"))
    assert "Approuver et ajuster" in page and "à vérifier" in page
    assert "1 unité ou 5" in page  # the tolerance, the percent written the French way
    assert "-84,00" in page  # 8 units at 10,50
    response = supervisor.post(f"/stock/counts/{task_id}/approve")
    page = text(supervisor.get(response.headers["Location"]))
    assert fr("Approuvé : 1 écart ajusté dans le stock.") in page
    assert "terminée" in page and "approuvée" in page
