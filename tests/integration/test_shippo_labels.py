"""Labels from Shippo at the pack station: the real SDK against the fake Shippo on 127.0.0.1.

The app's Shippo timeout is 0.5 s here; the fake's "timeouts" answer after 1 s.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.fakes.shippo_server import API_KEY, FakeShippo
from tests.integration.test_packing import events, number, scan, staged_order, text
from tests.integration.test_shipping import parcel_of
from tests.invariants import assert_invariants
from wms.base.clock import travel
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
    def factory(timeout: float = TIMEOUT, currency: str = "USD") -> Flask:
        # The fake quotes in USD, as for a warehouse in the US.
        return make_app(
            WTF_CSRF_ENABLED=False,
            CURRENCY=currency,
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
    assert (parcel.carrier, parcel.service, parcel.label_amount_minor, parcel.label_currency) == (
        "USPS",
        "Ground Advantage",
        520,
        "USD",
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


def rate_cells(page: str) -> list[str]:
    """The rates table as the packer reads it: "carrier service | days | price" per row."""
    rows = re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", page, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [" | ".join(re.sub(r"<[^>]+>", "", c).strip() for c in row[:3]) for row in cells]


def test_euro_rates_are_shown_in_euros(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    fake.rates_in(
        [
            ("Colissimo", "Domicile", "colissimo_home", 2, "7.90", "EUR"),
            ("Chronopost", "Relais", "chrono_relais", 3, "5.20", "EUR"),
        ]
    )
    packing = Packing(shippo_app(currency="EUR"), make)
    page = packing.to_rates()
    assert "Scan DONE to buy the label: Chronopost Relais, €5.20." in page
    assert rate_cells(page) == [
        "Chronopost Relais | 3 d | €5.20",
        "Colissimo Domicile | 2 d | €7.90",
    ]
    packing.scan("CMD-DONE")
    parcel = parcel_of(app, packing.order_id)
    assert (parcel.label_amount_minor, parcel.label_currency) == (520, "EUR")


def test_only_rates_in_the_warehouse_currency_are_compared(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    fake.rates_in(
        [
            ("USPS", "Ground Advantage", "usps_ground_advantage", 3, "5.20", "USD"),
            ("USPS", "First", "usps_first", 3, "3.90", "USD"),
            ("Colissimo", "Domicile", "colissimo_home", 3, "4.10", "EUR"),
            ("Yamato", "Takkyubin", "yamato_takkyubin", 3, "4000", "JPY"),
        ]
    )
    packing = Packing(shippo_app(currency="EUR"), make)
    page = packing.to_rates()
    # 3.90 is the smallest number, but only euros are compared.
    assert "Scan DONE to buy the label: Colissimo Domicile, €4.10." in page
    assert rate_cells(page) == [
        "Colissimo Domicile | 3 d | €4.10",
        "Yamato Takkyubin | 3 d | ¥4,000 in JPY, not compared",
        "USPS First | 3 d | $3.90 in USD, not compared",
        "USPS Ground Advantage | 3 d | $5.20 in USD, not compared",
    ]
    packing.scan("CMD-DONE")
    parcel = parcel_of(app, packing.order_id)
    assert (parcel.service, parcel.label_amount_minor, parcel.label_currency) == (
        "Domicile",
        410,
        "EUR",
    )


def test_a_zero_decimal_currency_keeps_whole_units(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    fake.rates_in(
        [
            ("Yamato", "Takkyubin", "yamato_takkyubin", 2, "4000", "JPY"),
            ("Sagawa", "Hikyaku", "sagawa_hikyaku", 3, "3500", "JPY"),
        ]
    )
    packing = Packing(shippo_app(currency="JPY"), make)
    page = packing.to_rates()
    assert "Scan DONE to buy the label: Sagawa Hikyaku, ¥3,500." in page
    packing.scan("CMD-DONE")
    parcel = parcel_of(app, packing.order_id)
    assert (parcel.label_amount_minor, parcel.label_currency) == (3500, "JPY")


def test_no_rate_in_the_warehouse_currency_lets_the_packer_pick_one(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    packing = Packing(shippo_app(currency="EUR"), make)  # the fake quotes USD only
    page = packing.to_rates()
    assert "No carrier offered a rate in EUR. Pick a rate below." in page
    assert "Scan DONE to buy the label" not in page


def unconfirmed(order_id: int) -> str:
    return (
        f"The carrier has not confirmed the label for {number(order_id)} yet, so no other label "
        f"will be bought: set the parcel aside and scan DONE in a minute to look for it again"
    )


def release(app: Flask, make: Factories, order_id: int) -> Any:
    supervisor = signed_in(app, make.user(role="supervisor").username)
    return supervisor.post(f"/shipping/unconfirmed/{parcel_of(app, order_id).id}/release")


def test_a_5xx_on_the_purchase_buys_nothing_more_until_a_supervisor_releases_it(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    shippo = shippo_app()
    packing = Packing(shippo, make)
    packing.to_rates()
    fake.fail_next("POST /transactions", status=500)
    response = packing.scan("CMD-DONE")
    assert response.status_code == 503
    assert unconfirmed(packing.order_id) in text(response)
    parcel = parcel_of(app, packing.order_id)
    assert (parcel.label_state, parcel.label_attempts) == ("uncertain", 1)

    # A 500 may come after the sale: DONE looks for the label and buys nothing.
    again = packing.scan("CMD-DONE")
    assert again.status_code == 409
    assert f"{unconfirmed(packing.order_id)} (a supervisor can release it in 15 min" in text(again)
    assert 'data-step="unconfirmed"' in text(again)
    assert len(fake.requests_to("POST /transactions")) == 1
    too_early = release(shippo, make, packing.order_id)
    assert too_early.status_code == 409
    assert "release it in 15 min" in text(too_early)
    desk = signed_in(shippo, make.user(role="supervisor").username).get("/shipping/unconfirmed")
    rows = re.findall(r'<tr data-parcel="\d+">(.*?)</tr>', text(desk), re.S)
    [row] = [r for r in rows if f"<td>{number(packing.order_id)}</td>" in r]
    assert "Can be released from" in row and "<button" not in row

    with travel(timedelta(minutes=16)):
        page = text(packing.scan(number(packing.order_id)))
        assert "a supervisor can now release it under Unconfirmed labels" in page
        desk = signed_in(shippo, make.user(role="supervisor").username).get("/shipping/unconfirmed")
        rows = re.findall(r'<tr data-parcel="\d+">(.*?)</tr>', text(desk), re.S)
        [row] = [r for r in rows if f"<td>{number(packing.order_id)}</td>" in r]
        assert "<button" in row and ">Release</button>" in row
        released = release(shippo, make, packing.order_id)
        assert released.status_code == 302
        assert parcel_of(app, packing.order_id).label_state == "released"
        assert 'data-step="label"' in text(packing.scan("CMD-DONE"))
    assert len(fake.purchases_for(parcel.label_key)) == 1
    assert parcel_of(app, packing.order_id).label_attempts == 2


def test_a_label_shippo_lists_late_is_never_bought_twice(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    packing = Packing(shippo_app(), make)
    packing.to_rates()
    # Shippo sells the label at once but lists it only when it answers, 10 s later.
    fake.sleep_next("POST /transactions", seconds=10, record="unlisted")
    first = packing.scan("CMD-DONE")
    assert first.status_code == 503
    assert unconfirmed(packing.order_id) in text(first)
    key = parcel_of(app, packing.order_id).label_key
    assert len(fake.purchases_for(key)) == 1

    for seconds in (0, 3):  # DONE again at once, and 3 s later: it looks, buys nothing
        with travel(timedelta(seconds=seconds)):
            again = packing.scan("CMD-DONE")
        assert again.status_code == 409
        assert unconfirmed(packing.order_id) in text(again)
    assert len(fake.requests_to("POST /transactions")) == 1
    assert fake.requests_to("GET /transactions")  # it did look

    # After the waiting period DONE still buys nothing on its own.
    with travel(timedelta(minutes=16)):
        assert packing.scan("CMD-DONE").status_code == 409
    assert len(fake.purchases_for(key)) == 1

    fake.answer_now()  # Shippo answers at last and lists the label
    assert fake.wait_for_listing(key)
    page = text(packing.scan("CMD-DONE"))
    assert 'data-step="label"' in page
    [bought] = fake.purchases_for(key)
    assert parcel_of(app, packing.order_id).tracking_number == bought["tracking_number"]
    assert len(fake.requests_to("POST /transactions")) == 1


def test_a_release_finds_the_label_the_carrier_showed_meanwhile(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    shippo = shippo_app()
    packing = Packing(shippo, make)
    packing.to_rates()
    fake.sleep_next("POST /transactions", seconds=10, record="unlisted")
    assert packing.scan("CMD-DONE").status_code == 503
    fake.answer_now()
    key = parcel_of(app, packing.order_id).label_key
    assert fake.wait_for_listing(key)
    with travel(timedelta(minutes=16)):
        released = release(shippo, make, packing.order_id)
    assert released.status_code == 302
    parcel = parcel_of(app, packing.order_id)
    [bought] = fake.purchases_for(key)
    assert (parcel.label_state, parcel.tracking_number) == ("bought", bought["tracking_number"])
    assert len(fake.requests_to("POST /transactions")) == 1


def test_a_purchase_that_timed_out_is_found_and_never_bought_twice(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    packing = Packing(shippo_app(), make)
    packing.to_rates()
    # Shippo buys the label only after the app has given up waiting for the answer.
    fake.sleep_next("POST /transactions", seconds=2 * TIMEOUT, record="after")
    response = packing.scan("CMD-DONE")
    assert response.status_code == 503
    assert unconfirmed(packing.order_id) in text(response)
    parcel = parcel_of(app, packing.order_id)
    assert (parcel.label_state, parcel.label_attempts) == ("uncertain", 1)
    page = text(packing.scan(number(packing.order_id)))
    assert unconfirmed(packing.order_id) in page  # the packer sees why
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
    assert_invariants(app)


@pytest.mark.postgres_only
def test_eight_dones_at_once_buy_one_label(
    app: Flask, shippo_app: Callable[..., Flask], make: Factories, fake: FakeShippo
) -> None:
    shippo = shippo_app(timeout=5.0)
    packing = Packing(shippo, make)
    packing.to_rates()
    screens = [signed_in(shippo, packing.user.username) for _ in range(8)]
    fake.sleep_next("POST /transactions", seconds=0.5)  # the carrier takes its time
    start = threading.Barrier(len(screens))

    def done(client: FlaskClient) -> Any:
        start.wait()
        return scan(client, packing.station, "CMD-DONE")

    with ThreadPoolExecutor(len(screens)) as pool:
        answers = list(pool.map(done, screens))
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 409}, statuses
    refused = [text(a) for a in answers if a.status_code == 409]
    assert all("is being bought right now" in t or "already shipped" in t for t in refused)
    parcel = parcel_of(app, packing.order_id)
    assert len(fake.purchases_for(parcel.label_key)) == 1
    assert len(fake.requests_to("POST /transactions")) == 1
    assert parcel.label_attempts == 1 and parcel.tracking_number
