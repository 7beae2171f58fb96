"""Labels from Shippo at the pack station: the real SDK against the fake Shippo on 127.0.0.1.

The app's Shippo timeout is 0.5 s here; the fake's "timeouts" answer after 1 s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.fakes.shippo_server import API_KEY, FakeShippo
from tests.integration.test_packing import events, number, scan, staged_order, text
from tests.integration.test_shipping import parcel_of
from wms.inventory.models import Location, LocationKind

TIMEOUT = 0.5


@pytest.fixture(scope="module")
def server() -> Iterator[FakeShippo]:
    with FakeShippo() as fake:
        yield fake


@pytest.fixture
def fake(server: FakeShippo) -> FakeShippo:
    server.reset()
    return server


@pytest.fixture
def shippo_app(make_app: Callable[..., Flask], fake: FakeShippo) -> Callable[..., Flask]:
    def factory(timeout: float = TIMEOUT) -> Flask:
        return make_app(
            WTF_CSRF_ENABLED=False,
            SHIPPO_API_KEY=API_KEY,
            SHIPPO_API_URL=fake.url,
            SHIPPO_TIMEOUT=timeout,
            SHIPPO_RETRY_BACKOFF=0.01,
            SHIPPO_POLL_INTERVAL=0.05,
        )

    return factory


def signed_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": "secret-pass"})
    assert response.status_code == 302
    return client


class Packing:
    """An order staged in a tote and packed up to its label, on the Shippo-configured app."""

    def __init__(self, app: Flask, make: Factories, **order: Any) -> None:
        self.user = make.user()
        self.client = signed_in(app, self.user.username)
        self.station: Location = make.pack_station()
        self.tote = make.location(LocationKind.TOTE)
        self.product = make.product()
        self.order_id = staged_order(make, [(self.product, 1)], self.tote, **order)
        self.box = make.box()

    def scan(self, code: str) -> Any:
        return scan(self.client, self.station, code)

    def up_to_weight(self) -> None:
        self.scan(self.tote.code)
        self.scan(self.product.sku)
        self.scan(self.box.code)

    def to_rates(self) -> str:
        self.up_to_weight()
        return text(self.scan("1200"))


def test_rates_are_shopped_and_the_label_bought_from_shippo(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    packing = Packing(shippo_app(), make, service_level="standard")
    page = packing.to_rates()
    # Cheapest among rates delivering within 5 days; Media Mail is cheaper but undated.
    assert "Scan DONE to buy the label: USPS Ground Advantage, $5.20." in page
    assert "UPS Ground" in page and "Priority Mail Express" in page

    page = text(packing.scan("CMD-DONE"))
    assert 'data-step="label"' in page
    parcel = parcel_of(app, packing.order_id)
    [bought] = fake.purchases
    assert bought["metadata"] == parcel.label_key
    assert (parcel.tracking_number, parcel.tracking_url) == (
        bought["tracking_number"],
        bought["tracking_url_provider"],
    )
    assert (parcel.carrier, parcel.service, parcel.label_amount_cents) == (
        "USPS",
        "Ground Advantage",
        520,
    )
    pdf = packing.client.get(f"/pack/parcels/{parcel.id}/label.pdf")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and bought["tracking_number"].encode() in pdf.data

    packing.scan(parcel.tracking_number)
    [shipped] = events(app, packing.order_id, "order.shipped")
    assert (shipped["carrier"], shipped["tracking_number"], shipped["tracking_url"]) == (
        "USPS",
        bought["tracking_number"],
        bought["tracking_url_provider"],
    )


def test_an_address_the_carrier_rejects_is_one_sentence(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    packing = Packing(shippo_app(), make)
    packing.up_to_weight()
    fake.reject_next_address(style="messages")
    response = packing.scan("1200")
    assert response.status_code == 422
    assert "The carrier rejected the address: the destination address could not be found." in text(
        response
    )
    assert parcel_of(app, packing.order_id).weight_g == 1200  # kept: weigh again or DONE
    page = text(packing.scan("CMD-DONE"))
    assert "Rates are in: scan DONE to buy the label." in page
    assert fake.purchases == []


def test_a_5xx_on_the_purchase_is_tried_again_and_buys_once(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    packing = Packing(shippo_app(), make)
    packing.to_rates()
    fake.fail_next("POST /transactions", status=500)
    response = packing.scan("CMD-DONE")
    assert response.status_code == 503
    assert "Shippo did not confirm the label purchase" in text(response)
    parcel = parcel_of(app, packing.order_id)
    assert (parcel.label_state, parcel.label_attempts) == ("uncertain", 1)

    page = text(packing.scan("CMD-DONE"))
    assert 'data-step="label"' in page
    assert len(fake.purchases_for(parcel.label_key)) == 1
    assert parcel_of(app, packing.order_id).label_attempts == 2


def test_a_purchase_that_timed_out_is_found_and_never_bought_twice(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    packing = Packing(shippo_app(), make)
    packing.to_rates()
    # Shippo buys the label only after the app has given up waiting for the answer.
    fake.sleep_next("POST /transactions", seconds=2 * TIMEOUT, record="after")
    response = packing.scan("CMD-DONE")
    assert response.status_code == 503
    message = text(response)
    assert "wait a minute and try again" in message
    parcel = parcel_of(app, packing.order_id)
    assert (parcel.label_state, parcel.label_attempts) == ("uncertain", 1)
    page = text(packing.scan(number(packing.order_id)))
    assert "Shippo did not confirm the label purchase" in page  # the packer sees why
    refused = packing.scan("1300")  # a label for 1.2 kg may exist: no re-weighing now
    assert refused.status_code == 409
    assert "A label may already be bought for this parcel" in text(refused)

    assert fake.wait_for_purchases(1)
    page = text(packing.scan("CMD-DONE"))
    assert 'data-step="label"' in page
    [bought] = fake.purchases_for(parcel.label_key)
    assert parcel_of(app, packing.order_id).tracking_number == bought["tracking_number"]
    assert len(fake.requests_to("POST /transactions")) == 1


def test_a_slow_answer_within_the_timeout_is_waited_for(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    packing = Packing(shippo_app(), make)
    fake.sleep_next("POST /shipments", seconds=TIMEOUT / 3)
    packing.to_rates()
    fake.sleep_next("POST /transactions", seconds=TIMEOUT / 3)
    assert 'data-step="label"' in text(packing.scan("CMD-DONE"))
    assert len(fake.purchases) == 1


def test_a_transaction_without_created_by_is_read(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    fake.omit_created_by = True
    packing = Packing(shippo_app(), make)
    packing.to_rates()
    assert 'data-step="label"' in text(packing.scan("CMD-DONE"))
    [bought] = fake.purchases
    assert parcel_of(app, packing.order_id).tracking_number == bought["tracking_number"]


def test_the_attempt_is_on_record_before_shippo_is_asked_and_a_second_buy_waits(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    shippo = shippo_app(timeout=3.0)
    packing = Packing(shippo, make)
    packing.to_rates()
    fake.sleep_next("POST /transactions", seconds=1.0)
    answers: list[Any] = []
    buyer = threading.Thread(target=lambda: answers.append(packing.scan("CMD-DONE")))
    buyer.start()
    deadline = time.monotonic() + 3
    while parcel_of(app, packing.order_id).label_state != "buying":
        assert time.monotonic() < deadline, "the purchase was not on record before the call"
        time.sleep(0.02)
    assert fake.purchases == [] or len(fake.purchases) == 1

    # The same packer presses buy again on another screen while the first is under way.
    other = signed_in(shippo, packing.user.username)
    second = scan(other, packing.station, "CMD-DONE")
    assert second.status_code == 409
    assert (
        f"The label for {number(packing.order_id)} is being bought right now; wait a moment, "
        f"then scan {number(packing.order_id)} to see it." in text(second)
    )
    buyer.join(timeout=10)
    assert answers and answers[0].status_code == 200
    assert len(fake.purchases) == 1
    assert len(fake.requests_to("POST /transactions")) == 1
