"""Return labels: bought once per RMA, from the built-in carrier or from Shippo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.fakes.shippo_server import API_KEY, FakeShippo
from tests.integration.returns.conftest import Site
from tests.scanning import decode_pdf
from wms.base.clock import travel
from wms.extensions import db
from wms.returns.models import ReturnAuthorisation


def rma_id(number: str) -> int:
    return int(number[2:]) - 10000


def label_of(site: Site, number: str) -> ReturnAuthorisation:
    with site.app.app_context():
        rma = db.session.get(ReturnAuthorisation, rma_id(number))
        db.session.expunge(rma)
        return rma


def buy(site: Site, number: str, fmt: str = "PDF_4x6") -> str:
    response = site.desk.post(f"/returns/{rma_id(number)}/label", data={"format": fmt})
    assert response.status_code == 302
    return site.desk.get(response.headers["Location"]).get_data(as_text=True)


@pytest.fixture(scope="module")
def shippo_server() -> Iterator[FakeShippo]:
    with FakeShippo() as fake:
        yield fake


@pytest.fixture
def shippo(site: Site, shippo_server: FakeShippo) -> FakeShippo:
    shippo_server.reset()
    site.app.config.update(
        SHIPPO_API_KEY=API_KEY,
        SHIPPO_API_URL=shippo_server.url,
        SHIPPO_TIMEOUT=0.5,
        CURRENCY="USD",  # the fake quotes in USD, as for a warehouse in the US
    )
    return shippo_server


def test_the_built_in_carrier_draws_a_return_label_once(site: Site) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    page = buy(site, number)
    rma = label_of(site, number)
    assert rma.label_status == "bought" and rma.tracking_number.startswith("WL")
    assert f"Return label bought: WMS Local {rma.tracking_number}." in page
    label = site.desk.get(f"/returns/{rma_id(number)}/label")
    assert label.mimetype == "application/pdf"
    assert ("CODE-128", rma.tracking_number) in decode_pdf(label.data)[0]
    # A second click buys nothing more: there is no button, and a post changes nothing.
    assert "Buy a return label" not in page
    buy(site, number)
    assert label_of(site, number).tracking_number == rma.tracking_number
    created = [e for e in site.events("return.label_created") if e["number"] == number]
    assert len(created) == 1


def test_two_returns_never_share_a_built_in_tracking_number(site: Site) -> None:
    product = site.make.product()
    first = site.rma(site.shipped((product, 1)), (product, 1))
    second = site.rma(site.shipped((product, 1)), (product, 1))
    buy(site, first)
    buy(site, second, "ZPL")
    assert label_of(site, first).tracking_number != label_of(site, second).tracking_number
    zpl = site.desk.get(f"/returns/{rma_id(second)}/label")
    assert zpl.mimetype == "text/plain" and zpl.data.startswith(b"^XA")


def test_shippo_sells_the_return_label_with_is_return(site: Site, shippo: FakeShippo) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    buy(site, number)
    rma = label_of(site, number)
    assert rma.label_status == "bought" and rma.carrier == "USPS"
    (purchase,) = shippo.purchases_for(f"return-{number}")
    assert purchase["tracking_number"] == rma.tracking_number
    (shipment,) = shippo.shipments
    assert shipment["extra"]["is_return"] is True
    buy(site, number)
    assert len(shippo.purchases_for(f"return-{number}")) == 1


def test_a_purchase_whose_answer_was_lost_is_found_not_bought_again(
    site: Site, shippo: FakeShippo
) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    # Shippo buys the label but answers after the client gave up.
    shippo.sleep_next("POST /transactions", 1.0, record="before")
    buy(site, number)
    # The adapter looked for the key after the timeout and found the label.
    rma = label_of(site, number)
    assert rma.label_status == "bought"
    (purchase,) = shippo.purchases_for(f"return-{number}")
    assert purchase["tracking_number"] == rma.tracking_number


def test_a_carrier_that_refuses_leaves_the_return_ready_to_try_again(
    site: Site, shippo: FakeShippo
) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    shippo.refuse_next_purchase("The carrier's account is suspended.")
    page = buy(site, number)
    rma = label_of(site, number)
    assert rma.label_status == "failed"
    assert "suspended" in rma.label_error and "Try the return label again" in page
    buy(site, number)
    assert label_of(site, number).label_status == "bought"
    assert len(shippo.purchases_for(f"return-{number}")) == 1


def test_a_return_label_shippo_lists_late_is_never_bought_twice(
    site: Site, shippo: FakeShippo
) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    # Shippo sells the label at once but lists it only when it answers, 10 s later.
    shippo.sleep_next("POST /transactions", 10, record="unlisted")
    page = buy(site, number)
    assert label_of(site, number).label_status == "uncertain"
    assert f"The carrier has not confirmed the return label of {number} yet" in page
    for seconds in (0, 3):
        with travel(timedelta(seconds=seconds)):
            page = buy(site, number)
        assert "so no other is bought" in page
    assert len(shippo.purchases_for(f"return-{number}")) == 1
    assert len(shippo.requests_to("POST /transactions")) == 1

    release = f"/returns/{rma_id(number)}/label/release"
    early = site.desk.get(site.desk.post(release).headers["Location"]).get_data(as_text=True)
    assert "it can be released in 15 min" in early
    shippo.answer_now()
    assert shippo.wait_for_listing(f"return-{number}")
    page = buy(site, number)
    rma = label_of(site, number)
    (purchase,) = shippo.purchases_for(f"return-{number}")
    assert (rma.label_status, rma.tracking_number) == ("bought", purchase["tracking_number"])


def test_a_return_label_never_shown_is_bought_again_only_after_a_release(
    site: Site, shippo: FakeShippo
) -> None:
    product = site.make.product()
    number = site.rma(site.shipped((product, 1)), (product, 1))
    shippo.fail_next("POST /transactions", status=500)
    buy(site, number)
    assert label_of(site, number).label_status == "uncertain"
    release = f"/returns/{rma_id(number)}/label/release"
    with travel(timedelta(minutes=16)):
        buy(site, number)
        assert label_of(site, number).label_status == "uncertain"
        page = site.desk.get(site.desk.post(release).headers["Location"]).get_data(as_text=True)
        assert f"{number} may buy its return label again." in page
        assert label_of(site, number).label_status == "released"
        page = buy(site, number)
    assert label_of(site, number).label_status == "bought", page
    assert len(shippo.purchases_for(f"return-{number}")) == 1
    assert len(shippo.requests_to("POST /transactions")) == 2
