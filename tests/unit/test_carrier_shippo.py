"""The Shippo adapter, driving the real shippo SDK against a fake Shippo on 127.0.0.1.

Client timeout 0.5 s; the fake's "timeouts" sleep 1 s.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests

from tests.fakes.shippo_server import ADDRESS_400_TEXT, API_KEY, FakeShippo
from wms.carriers import (
    Address,
    AddressError,
    Carrier,
    CarrierError,
    CarrierUnavailable,
    Label,
    Parcel,
    Rate,
    choose_rate,
)
from wms.carriers.shippo_adapter import ShippoCarrier, carrier_token

TIMEOUT = 0.5
WAREHOUSE = Address("North Dock", "100 Depot Rd", "Springfield", "62701", state="IL")
CUSTOMER = Address("Ada Byron", "12 Elm St", "Shelbyville", "62565", state="IL")
BOX = Parcel(length_mm=300, width_mm=200, height_mm=105, weight_g=1200)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeShippo]:
    with FakeShippo() as fake:
        yield fake


@pytest.fixture
def fake(server: FakeShippo) -> FakeShippo:
    server.reset()
    return server


@pytest.fixture
def shippo(fake: FakeShippo) -> Iterator[ShippoCarrier]:
    with ShippoCarrier(
        API_KEY, fake.url, timeout=TIMEOUT, retry_backoff=0.01, poll_interval=0.05
    ) as carrier:
        yield carrier


def priority_rate(carrier: ShippoCarrier) -> Rate:
    return choose_rate(carrier.rates(WAREHOUSE, CUSTOMER, BOX, "priority"), "priority")


def one_sentence(said: object) -> bool:
    message = str(said)  # a sentence, read in the reader's language
    return message.endswith(".") and ". " not in message and "{" not in message


def test_rates_are_read_from_the_shipment(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    assert isinstance(shippo, Carrier)
    rates = shippo.rates(WAREHOUSE, CUSTOMER, BOX, "priority")
    by_token = {r.service_level: r for r in rates}
    priority = by_token["usps_priority"]
    assert (priority.carrier, priority.service, priority.amount) == (
        "USPS",
        "Priority Mail",
        Decimal("7.90"),
    )
    assert (priority.currency, priority.days) == ("USD", 2)
    assert by_token["usps_media_mail"].days is None
    assert {r.shipment for r in rates} == {fake.shipments[0]["object_id"]}
    sent = fake.requests_to("POST /shipments")[0].body
    assert sent["async"] is False
    assert sent["parcels"] == [
        {
            "mass_unit": "g",
            "weight": "1200",
            "distance_unit": "cm",
            "length": "30",
            "width": "20",
            "height": "10.5",
        }
    ]
    assert sent["address_to"]["zip"] == "62565"
    assert "extra" not in sent


def test_buying_a_label(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    rate = priority_rate(shippo)
    label = shippo.buy_label(rate, "PDF_4x6", "parcel-1", order_number="W-1")
    [bought] = fake.purchases
    assert label == Label(
        carrier="USPS",
        service="Priority Mail",
        tracking_number=bought["tracking_number"],
        tracking_url=bought["tracking_url_provider"],
        label_format="PDF_4x6",
        label_bytes=label.label_bytes,
        transaction_id=bought["object_id"],
        rate_id=rate.rate_id,
        amount=Decimal("7.90"),
        currency="USD",
    )
    assert label.label_bytes.startswith(b"%PDF")
    assert bought["tracking_number"].encode() in label.label_bytes
    sent = fake.requests_to("POST /transactions")[0].body
    assert sent == {
        "rate": rate.rate_id,
        "label_file_type": "PDF_4x6",
        "metadata": "parcel-1",
        "async": False,
    }


def test_zpl_label(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    label = shippo.buy_label(priority_rate(shippo), "ZPL", "parcel-2")
    assert label.label_format == "ZPL"
    assert f"^BCN,200,Y,N,N^FD{label.tracking_number}^FS".encode() in label.label_bytes
    assert fake.requests_to("POST /transactions")[0].body["label_file_type"] == "ZPLII"


def test_buying_twice_for_one_parcel_buys_once(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    rate = priority_rate(shippo)
    first = shippo.buy_label(rate, "PDF_4x6", "parcel-3")
    again = shippo.buy_label(rate, "PDF_4x6", "parcel-3")
    # Even when asked with another rate (the app quoted again), the label is found.
    cheaper = choose_rate(shippo.rates(WAREHOUSE, CUSTOMER, BOX, "economy"), "economy")
    third = shippo.buy_label(cheaper, "PDF_4x6", "parcel-3")
    assert again == first
    assert third.tracking_number == first.tracking_number
    assert len(fake.purchases_for("parcel-3")) == 1
    assert len(fake.requests_to("POST /transactions")) == 1


def test_find_label_knows_only_bought_keys(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    rate = priority_rate(shippo)
    assert shippo.find_label("parcel-4", rate) is None
    label = shippo.buy_label(rate, "PDF_4x6", "parcel-4")
    found = shippo.find_label("parcel-4")
    assert found is not None
    assert (found.tracking_number, found.carrier, found.amount, found.currency) == (
        label.tracking_number,
        "USPS",
        Decimal("7.90"),
        "USD",
    )
    assert shippo.find_label("parcel-5") is None


def test_carrier_refusing_the_label_is_a_sentence_and_may_be_tried_again(
    fake: FakeShippo, shippo: ShippoCarrier
) -> None:
    rate = priority_rate(shippo)
    fake.refuse_next_purchase("Insufficient postage balance. Please top up your account.")
    with pytest.raises(CarrierError) as caught:
        shippo.buy_label(rate, "PDF_4x6", "parcel-13")
    assert not isinstance(caught.value, CarrierUnavailable)
    assert caught.value.message == "The carrier refused the label: insufficient postage balance."
    assert fake.purchases == []
    label = shippo.buy_label(rate, "PDF_4x6", "parcel-13")
    assert [p["tracking_number"] for p in fake.purchases] == [label.tracking_number]


def test_expired_rate_is_refused_not_retried(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    stale = Rate("gone", "USPS", "Priority Mail", "usps_priority", Decimal("7.90"), "USD", 2, "shp")
    with pytest.raises(CarrierError) as caught:
        shippo.buy_label(stale, "PDF_4x6", "parcel-14")
    assert not isinstance(caught.value, CarrierUnavailable)
    assert "rate does not exist or has expired" in caught.value.message
    assert one_sentence(caught.value.message)
    assert len(fake.requests_to("POST /transactions")) == 1


def test_queued_purchase_is_waited_for(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    fake.queue_next_purchase(reads=1)
    label = shippo.buy_label(priority_rate(shippo), "PDF_4x6", "parcel-15")
    [bought] = fake.purchases
    assert label.tracking_number == bought["tracking_number"] != ""
    assert len(fake.requests_to("GET /transactions/{id}")) == 2


def test_purchase_still_queued_is_not_bought_again(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    rate = priority_rate(shippo)
    # Queued for 4 reads: the adapter's 3 polls, then the next look.
    fake.queue_next_purchase(reads=4)
    with pytest.raises(CarrierUnavailable) as caught:
        shippo.buy_label(rate, "PDF_4x6", "parcel-16")  # polls three times
    assert caught.value.purchase_uncertain is True
    with pytest.raises(CarrierUnavailable) as caught:
        shippo.buy_label(rate, "PDF_4x6", "parcel-16")  # finds it queued: does not buy
    assert caught.value.purchase_uncertain is True
    assert "still buying" in caught.value.message
    label = shippo.buy_label(rate, "PDF_4x6", "parcel-16")  # done by now
    assert [p["tracking_number"] for p in fake.purchases] == [label.tracking_number]
    assert len(fake.requests_to("POST /transactions")) == 1


def test_address_rejected_in_shipment_messages(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    fake.reject_next_address(style="messages")
    with pytest.raises(AddressError) as caught:
        shippo.rates(WAREHOUSE, CUSTOMER, BOX, "standard")
    message = caught.value.message
    assert (
        message == "The carrier rejected the address: the destination address could not be found."
    )
    assert one_sentence(message)
    assert fake.purchases == []


def test_address_rejected_with_a_400(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    fake.reject_next_address(style="400", field_name="address_to")
    with pytest.raises(AddressError) as caught:
        shippo.rates(WAREHOUSE, CUSTOMER, BOX, "standard")
    message = str(caught.value.message)
    assert message.startswith("The carrier rejected the ship-to address (ZIP code): ")
    assert ADDRESS_400_TEXT.rstrip(".").lower() in message.lower()
    assert one_sentence(message)


def test_rates_are_asked_again_after_5xx(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    fake.fail_next("POST /shipments", count=2, status=502)
    assert len(shippo.rates(WAREHOUSE, CUSTOMER, BOX, "priority")) == 5
    assert len(fake.requests_to("POST /shipments")) == 3


def test_rates_give_up_after_the_retries(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    fake.fail_next("POST /shipments", count=3, status=500)
    with pytest.raises(CarrierUnavailable) as caught:
        shippo.rates(WAREHOUSE, CUSTOMER, BOX, "priority")
    assert caught.value.purchase_uncertain is False
    assert one_sentence(caught.value.message)


def test_5xx_on_purchase_then_success_on_retry(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    rate = priority_rate(shippo)
    fake.fail_next("POST /transactions", status=500)
    with pytest.raises(CarrierUnavailable) as caught:
        shippo.buy_label(rate, "PDF_4x6", "parcel-6")
    assert caught.value.purchase_uncertain is True
    assert one_sentence(caught.value.message)
    # The adapter did not buy again by itself.
    assert len(fake.requests_to("POST /transactions")) == 1
    label = shippo.buy_label(rate, "PDF_4x6", "parcel-6")
    assert [p["tracking_number"] for p in fake.purchases_for("parcel-6")] == [label.tracking_number]


def test_timed_out_purchase_that_happened_is_found_not_bought_again(
    fake: FakeShippo, shippo: ShippoCarrier
) -> None:
    rate = priority_rate(shippo)
    # The server buys the label only after the client has given up waiting.
    fake.sleep_next("POST /transactions", seconds=2 * TIMEOUT, record="after")
    with pytest.raises(CarrierUnavailable) as caught:
        shippo.buy_label(rate, "PDF_4x6", "parcel-7")
    assert caught.value.purchase_uncertain is True
    assert fake.wait_for_purchases(1)

    label = shippo.buy_label(rate, "PDF_4x6", "parcel-7")
    [bought] = fake.purchases_for("parcel-7")
    assert label.tracking_number == bought["tracking_number"]
    assert label.transaction_id == bought["object_id"]
    assert len(fake.requests_to("POST /transactions")) == 1


def test_timed_out_purchase_already_recorded_is_returned_at_once(
    fake: FakeShippo, shippo: ShippoCarrier
) -> None:
    rate = priority_rate(shippo)
    fake.sleep_next("POST /transactions", seconds=2 * TIMEOUT, record="before")
    label = shippo.buy_label(rate, "PDF_4x6", "parcel-8")
    [bought] = fake.purchases_for("parcel-8")
    assert label.tracking_number == bought["tracking_number"]
    assert len(fake.purchases) == 1


def test_slow_answer_within_the_timeout(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    rate = priority_rate(shippo)
    fake.sleep_next("POST /transactions", seconds=TIMEOUT / 3)
    fake.sleep_next("POST /shipments", seconds=TIMEOUT / 3)
    label = shippo.buy_label(rate, "PDF_4x6", "parcel-9")
    assert len(shippo.rates(WAREHOUSE, CUSTOMER, BOX, "priority")) == 5
    assert [p["tracking_number"] for p in fake.purchases] == [label.tracking_number]
    assert len(fake.requests_to("POST /shipments")) == 2


def test_transaction_without_created_by(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    fake.omit_created_by = True
    rate = priority_rate(shippo)
    label = shippo.buy_label(rate, "PDF_4x6", "parcel-10")
    [bought] = fake.purchases
    with requests.get(
        f"{fake.url}/transactions/{bought['object_id']}",
        headers={"Authorization": f"ShippoToken {API_KEY}"},
        timeout=TIMEOUT,
    ) as raw:
        assert "created_by" not in raw.json()  # the case the SDK cannot parse
    assert label.tracking_number == bought["tracking_number"]
    assert label.label_bytes.startswith(b"%PDF")
    # Listing transactions (looking before buying) copes with it too.
    assert shippo.buy_label(rate, "PDF_4x6", "parcel-10") == label
    assert len(fake.purchases) == 1


def test_return_label_is_a_return_shipment(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    label = shippo.return_label(CUSTOMER, WAREHOUSE, BOX, "ZPL", "return-1")
    shipment = fake.requests_to("POST /shipments")[0].body
    assert shipment["extra"] == {"is_return": True}
    # Shippo swaps a return's addresses itself: they go as for the outbound parcel.
    assert shipment["address_from"]["name"] == "North Dock"
    assert shipment["address_to"]["name"] == "Ada Byron"
    [bought] = fake.purchases
    assert (bought["metadata"], bought["label_file_type"]) == ("return-1", "ZPLII")
    assert (label.service, label.amount) == ("Media Mail", Decimal("4.10"))  # cheapest, economy
    assert shippo.return_label(CUSTOMER, WAREHOUSE, BOX, "ZPL", "return-1") == label
    assert len(fake.purchases) == 1


def test_tracking(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    label = shippo.buy_label(priority_rate(shippo), "PDF_4x6", "parcel-11")
    status = shippo.track(label.tracking_number, carrier=label.carrier)
    assert (status.status, status.status_details) == (
        "TRANSIT",
        "The parcel left the origin facility.",
    )
    assert status.updated_at is not None and status.updated_at.tzinfo is None
    assert fake.requests_to("GET /tracks")[0].path == f"/tracks/usps/{label.tracking_number}"
    assert carrier_token("DHL Express") == "dhl_express"
    with pytest.raises(ValueError):
        shippo.track(label.tracking_number)


def test_wrong_api_key(fake: FakeShippo) -> None:
    with (
        ShippoCarrier("shippo_test_wrong", fake.url, timeout=TIMEOUT) as carrier,
        pytest.raises(CarrierError) as caught,
    ):
        carrier.rates(WAREHOUSE, CUSTOMER, BOX, "standard")
    assert not isinstance(caught.value, CarrierUnavailable)
    assert caught.value.message == "Shippo refused the API key; check the Shippo settings."


def test_unreachable_shippo_bought_nothing() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before use: nothing listens there
    url = f"http://127.0.0.1:{port}"
    with ShippoCarrier(API_KEY, url, timeout=TIMEOUT, retries=1, retry_backoff=0.01) as carrier:
        rate = Rate(
            "r1", "USPS", "Priority Mail", "usps_priority", Decimal("7.90"), "USD", 2, "shp1"
        )
        with pytest.raises(CarrierUnavailable) as caught:
            carrier.buy_label(rate, "PDF_4x6", "parcel-12")
        assert caught.value.purchase_uncertain is False
        with pytest.raises(CarrierUnavailable) as caught:
            carrier.rates(WAREHOUSE, CUSTOMER, BOX, "standard")
        assert caught.value.message == (
            "Shippo did not answer while asking for rates; try again in a minute."
        )


@pytest.mark.parametrize(
    "body",
    [b"<html>Bad gateway</html>", b"[]", b'{"rates": "none"}', b'{"rates": [{"object_id": "r"}]}'],
)
def test_an_unreadable_rates_answer_is_not_called_no_answer(
    fake: FakeShippo, shippo: ShippoCarrier, body: bytes
) -> None:
    fake.garble_next("POST /shipments", body, count=3)
    with pytest.raises(CarrierUnavailable) as caught:
        shippo.rates(WAREHOUSE, CUSTOMER, BOX, "standard")
    assert caught.value.message == (
        "Shippo answered while asking for rates, but its answer could not be read; try again "
        "in a minute, and tell an admin if it keeps happening."
    )


def test_a_server_error_is_worded_as_one(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    fake.fail_next("POST /shipments", count=3, status=502)
    with pytest.raises(CarrierUnavailable) as caught:
        shippo.rates(WAREHOUSE, CUSTOMER, BOX, "standard")
    assert caught.value.message == (
        "Shippo had a problem on its side (HTTP 502) while asking for rates; try again in a minute."
    )


def test_a_refusal_is_worded_as_one(fake: FakeShippo, shippo: ShippoCarrier) -> None:
    fake.garble_next("POST /shipments", b'{"detail": "Parcel weight is not valid."}', status=400)
    with pytest.raises(CarrierError) as caught:
        shippo.rates(WAREHOUSE, CUSTOMER, BOX, "standard")
    assert not isinstance(caught.value, CarrierUnavailable)
    assert caught.value.message == (
        "Shippo refused the request while asking for rates: parcel weight is not valid."
    )


def test_given_session_is_used_with_the_timeout(fake: FakeShippo) -> None:
    session = requests.Session()
    seen: list[object] = []
    original = session.send

    def spy(request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        seen.append(kwargs.get("timeout"))
        return original(request, **kwargs)

    session.send = spy  # type: ignore[method-assign]
    with ShippoCarrier(API_KEY, fake.url, timeout=(0.3, 0.7), session=session) as carrier:
        carrier.rates(WAREHOUSE, CUSTOMER, BOX, "standard")
    assert seen == [(0.3, 0.7)]
    session.close()
