"""A French returns clerk reads the bench in French: the return started, the grade asked,
where each grade sends the unit, an item not on the return, the parcel done."""

from __future__ import annotations

from tests.integration.returns.conftest import Site
from wms.base.numbers import order_number

NNBSP = "\u202f"


def french(site: Site) -> None:
    assert site.clerk.post("/language", data={"language": "fr"}).status_code in (200, 302, 303)


def test_receive_grade_restock_and_quarantine_in_french(site: Site) -> None:
    french(site)
    scuffed, broken, stray = site.make.product(), site.make.product(), site.make.product()
    shipped = site.shipped((scuffed, 1), (broken, 1))
    number = site.rma(shipped, (scuffed, 1), (broken, 1), reason="defective")

    page = site.text(site.scan(number))
    assert f"{number} · commande {order_number(shipped)}" in page
    assert "Scannez chaque article." in page
    assert "0/2 unités" in page

    page = site.text(site.scan(scuffed.barcodes[0].code))
    assert f"{scuffed.sku} · évaluez son état" in page
    assert "À reconditionner" in page and "Pas à nous" in page
    page = site.text(site.scan("1"))
    assert "Revendable" in page
    assert "Portez-le là, puis scannez l’article suivant." in page

    site.scan(broken.barcodes[0].code)
    damaged = site.scan("CMD-DAMAGED")
    assert site.where(damaged) == [f"QUARANTAINE {site.places['quarantine'].code}"]
    assert "Endommagé" in site.text(damaged)

    refused = site.scan(stray.barcodes[0].code)
    page = site.text(refused)
    assert f"{stray.sku} n’est pas sur {number}." in page
    assert f"Absent de {number}{NNBSP}: un responsable va l’examiner." in page
    assert "is not on" not in page

    page = site.text(site.scan("CMD-DONE"))
    assert f"{number} terminé{NNBSP}: 2 unités revenues sur 2." in page
    assert "Scannez le numéro de retour, de commande ou de suivi suivant." in page


def test_a_grade_before_an_item_is_refused_in_french(site: Site) -> None:
    french(site)
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    site.scan(number)
    refused = site.scan("2")
    assert refused.status_code == 422
    assert "Scannez d’abord un article, puis son état." in site.text(refused)
