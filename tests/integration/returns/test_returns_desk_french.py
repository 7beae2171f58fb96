"""A French supervisor reads the returns desk in French: the list, a return's page,
a decision, the queues and the report; stored values are shown through their labels."""

from __future__ import annotations

import re

from tests.integration.returns.conftest import Site
from tests.integration.returns.test_returns_desk import rma_id

NNBSP = "\u202f"


def french(site: Site) -> None:
    assert site.desk.post("/language", data={"language": "fr"}).status_code in (200, 302, 303)


def page_of(site: Site, url: str) -> str:
    response = site.desk.get(url)
    assert response.status_code == 200
    return re.sub(r"[ \t\r\n]+", " ", response.get_data(as_text=True))


def test_the_returns_desk_speaks_french(site: Site) -> None:
    french(site)
    mug = site.make.product()
    shipped = site.shipped((mug, 2))
    number = site.rma(shipped, (mug, 2), reason="defective")
    site.scan(number)
    site.scan(mug.barcodes[0].code)
    site.scan("1")

    listing = page_of(site, "/returns/")
    assert "<h1>Retours</h1>" in listing
    assert "Nouveau RMA" in listing and "Reconditionnement" in listing
    assert f"en réception{NNBSP}:" in listing and f"unités en attente{NNBSP}:" in listing
    assert "Reçu / autorisé" in listing and "Page 1" in listing
    row = re.search(rf'<tr data-rma="{number}">(.*?)</tr>', listing).group(1)
    assert "en réception" in row and "1 / 2" in row
    assert re.search(r"<td>\d{2}/\d{2}/\d{4} \d{2}:\d{2}</td>", row), "day/month/year, 24 h"
    for english in ("New RMA", "Received / authorised", ">receiving<", "No returns."):
        assert english not in listing

    shown = page_of(site, f"/returns/{rma_id(number)}")
    assert "Défectueux" in shown and "remboursement" in shown and "revendable" in shown
    assert "Imprimer le bon de retour (code-barres du RMA)" in shown
    assert "Articles reçus" in shown and "Items received" not in shown
    (line_id,) = re.findall(r'action="/returns/lines/(\d+)/decide"', shown)
    decided = site.desk.post(f"/returns/lines/{line_id}/decide", data={"decision": "refund"})
    page = page_of(site, decided.headers["Location"])
    assert f"Ligne 1{NNBSP}: Remboursement pour 1 unité." in page

    queue = page_of(site, "/returns/queues?kind=quarantine")
    assert "File de quarantaine" in queue and "Rien n’attend ici." in queue
    report = page_of(site, "/returns/report")
    assert "Rapport des retours" in report and "Taux de retour" in report
    assert "Return rate" not in report
