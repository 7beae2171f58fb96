"""The built-in local carrier: flat rates, own tracking numbers, labels that scan."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from tests.scanning import decode_pdf, page_sizes, pdf_text
from wms.base.money import to_minor
from wms.carriers import (
    Address,
    AddressError,
    Carrier,
    CarrierError,
    NoRate,
    Parcel,
    Rate,
    choose_rate,
)
from wms.carriers.builtin import (
    BuiltinCarrier,
    is_valid_tracking_number,
    tracking_number_for,
)

WAREHOUSE = Address("North Dock", "100 Depot Rd", "Springfield", "62701", state="IL")
CUSTOMER = Address("Ada Byron", "12 Elm St", "Shelbyville", "62565", state="IL", street2="Apt 3")
BOX = Parcel(length_mm=300, width_mm=200, height_mm=100, weight_g=1200)
SHIP_DAY = date(2024, 5, 2)


@pytest.fixture
def carrier() -> BuiltinCarrier:
    return BuiltinCarrier(today=lambda: SHIP_DAY)


def test_it_is_a_carrier(carrier: BuiltinCarrier) -> None:
    assert isinstance(carrier, Carrier)
    assert carrier.code == "builtin"


def test_four_services_with_their_days_and_prices(carrier: BuiltinCarrier) -> None:
    rates = carrier.rates(WAREHOUSE, CUSTOMER, BOX, "standard")
    table = {r.service_level: (to_minor(r.amount, r.currency), r.days, r.currency) for r in rates}
    assert table == {
        "economy": (650, 7, "EUR"),
        "standard": (790, 4, "EUR"),
        "priority": (1190, 2, "EUR"),
        "express": (1990, 1, "EUR"),
    }
    assert choose_rate(rates, "standard").service == "Standard"
    assert choose_rate(rates, "priority").amount == Decimal("11.90")


@pytest.mark.parametrize(
    ("weight_g", "economy_cents", "express_cents"),
    [
        (1, 450, 1590),
        (500, 450, 1590),
        (501, 650, 1990),
        (2_000, 650, 1990),
        (4_999, 890, 2690),
        (10_000, 1290, 3790),
        (10_001, 1890, 5490),
        (30_000, 2590, 7490),
    ],
)
def test_price_follows_the_weight_band(
    carrier: BuiltinCarrier, weight_g: int, economy_cents: int, express_cents: int
) -> None:
    parcel = Parcel(200, 150, 100, weight_g)
    rates = {r.service_level: r for r in carrier.rates(WAREHOUSE, CUSTOMER, parcel, "economy")}
    assert to_minor(rates["economy"].amount, "EUR") == economy_cents
    assert to_minor(rates["express"].amount, "EUR") == express_cents


@pytest.mark.parametrize(
    ("parcel", "words"),
    [
        (Parcel(300, 200, 100, 30_001), "up to 30 kg"),
        (Parcel(300, 200, 100, 0), "no weight"),
        (Parcel(1_501, 200, 100, 1_000), "up to 150 cm"),
    ],
)
def test_parcels_it_will_not_take(carrier: BuiltinCarrier, parcel: Parcel, words: str) -> None:
    with pytest.raises(NoRate) as caught:
        carrier.rates(WAREHOUSE, CUSTOMER, parcel, "economy")
    assert words in caught.value.message
    assert str(caught.value.message).endswith(".")


def test_incomplete_address_is_named_in_one_sentence(carrier: BuiltinCarrier) -> None:
    no_zip = Address("Ada Byron", "12 Elm St", "Shelbyville", "  ")
    with pytest.raises(AddressError) as caught:
        carrier.rates(WAREHOUSE, no_zip, BOX, "standard")
    assert caught.value.message == "The ship-to address has no ZIP code."
    bare = Address("", "", "", "62701")
    with pytest.raises(AddressError) as caught:
        carrier.rates(bare, CUSTOMER, BOX, "standard")
    assert caught.value.message == "The ship-from address has no name, street and city."


def test_tracking_number_check_digit() -> None:
    # GS1 mod 10 over 1234567890: weights 3,1,3,... from the right give 85, check 5.
    assert is_valid_tracking_number("WL12345678905")
    assert is_valid_tracking_number(" wl12345678905 ")
    assert not is_valid_tracking_number("WL12345678904")
    assert not is_valid_tracking_number("WL21345678905")  # two digits swapped
    assert not is_valid_tracking_number("XX12345678905")
    assert not is_valid_tracking_number("WL1234567890")
    assert not is_valid_tracking_number("")


def test_tracking_numbers_come_from_the_parcel_key() -> None:
    number = tracking_number_for("parcel-41")
    assert re.fullmatch(r"WL\d{11}", number)
    assert is_valid_tracking_number(number)
    assert tracking_number_for("parcel-41") == number
    assert tracking_number_for("parcel-42") != number
    with pytest.raises(ValueError):
        tracking_number_for("")


def test_serials_give_numbers_that_never_repeat() -> None:
    numbers = {tracking_number_for("ignored", serial) for serial in range(20_000)}
    assert len(numbers) == 20_000
    assert all(is_valid_tracking_number(n) for n in numbers)
    carrier = BuiltinCarrier(serial_for=lambda key: int(key.rsplit("-", 1)[1]))
    assert carrier.tracking_number("parcel-7") == tracking_number_for("x", 7)


def test_same_key_gives_the_same_label_never_two(carrier: BuiltinCarrier) -> None:
    rate = choose_rate(carrier.rates(WAREHOUSE, CUSTOMER, BOX, "standard"), "standard")
    first = carrier.buy_label(rate, "PDF_4x6", "parcel-1001", order_number="W-1001")
    again = carrier.buy_label(rate, "PDF_4x6", "parcel-1001", order_number="W-1001")
    other = carrier.buy_label(rate, "PDF_4x6", "parcel-1002", order_number="W-1001")
    assert again == first
    assert again.label_bytes == first.label_bytes
    assert other.tracking_number != first.tracking_number
    assert first.transaction_id == f"builtin-{first.tracking_number}"
    assert first.tracking_url == f"/track/{first.tracking_number}"
    assert (first.carrier, first.service, first.amount, first.currency) == (
        "WMS Local",
        "Standard",
        Decimal("7.90"),
        "EUR",
    )
    assert first.rate_id == rate.rate_id
    assert carrier.find_label("parcel-1001", rate) is None


def test_rate_survives_a_trip_through_storage(carrier: BuiltinCarrier) -> None:
    rate = carrier.rates(WAREHOUSE, CUSTOMER, BOX, "express")[0]
    stored = {k: getattr(rate, k) for k in rate.__dataclass_fields__}
    rebuilt = Rate(**stored)
    assert carrier.buy_label(rebuilt, "ZPL", "p-9") == carrier.buy_label(rate, "ZPL", "p-9")


def test_pdf_label_scans_as_its_tracking_number(carrier: BuiltinCarrier) -> None:
    rate = choose_rate(carrier.rates(WAREHOUSE, CUSTOMER, BOX, "express"), "express")
    label = carrier.buy_label(rate, "PDF_4x6", "parcel-2001", order_number="W-2001")
    assert label.label_format == "PDF_4x6"
    assert page_sizes(label.label_bytes) == [(288.0, 432.0)]  # one 4x6 inch page
    assert decode_pdf(label.label_bytes) == [[("CODE-128", label.tracking_number)]]
    text = pdf_text(label.label_bytes)
    assert "W-2001" in text and "Express" in text
    assert text.index("North Dock") < text.index("SHIP TO") < text.index("Ada Byron")


def test_zpl_label_carries_the_tracking_number_in_code128(carrier: BuiltinCarrier) -> None:
    rate = choose_rate(carrier.rates(WAREHOUSE, CUSTOMER, BOX, "economy"), "economy")
    label = carrier.buy_label(rate, "ZPL", "parcel-3001", order_number="W-3001")
    zpl = label.label_bytes.decode("utf-8")
    assert label.label_format == "ZPL"
    assert zpl.lstrip().startswith("^XA") and zpl.rstrip().endswith("^XZ")
    barcode = re.search(r"\^BC[^\^]*(?:\^FH\\)?\^FD([^\^]*)\^FS", zpl)
    assert barcode is not None
    assert barcode.group(1) == label.tracking_number
    assert "W-3001" in zpl


def test_return_label_goes_from_customer_to_warehouse(carrier: BuiltinCarrier) -> None:
    label = carrier.return_label(CUSTOMER, WAREHOUSE, BOX, "ZPL", "return-77", order_number="W-77")
    zpl = label.label_bytes.decode("utf-8")
    ship_to = zpl.index("SHIP TO")
    assert zpl.index("Ada Byron") < ship_to < zpl.index("North Dock")
    assert label.service == "Economy"
    assert label.tracking_number == tracking_number_for("return-77")


def test_bad_requests_are_refused(carrier: BuiltinCarrier) -> None:
    rate = carrier.rates(WAREHOUSE, CUSTOMER, BOX, "economy")[0]
    with pytest.raises(ValueError):
        carrier.buy_label(rate, "PNG", "p-1")
    with pytest.raises(ValueError):
        carrier.buy_label(rate, "PDF_4x6", "")
    foreign = Rate(
        "r1", "USPS", "Priority Mail", "usps_priority", Decimal("7.90"), "USD", 2, shipment="shp"
    )
    with pytest.raises(NoRate, match="not quoted by the built-in carrier"):
        carrier.buy_label(foreign, "PDF_4x6", "p-1")


def test_tracking_answers_from_the_number(carrier: BuiltinCarrier) -> None:
    number = tracking_number_for("parcel-5")
    status = carrier.track(number.lower())
    assert (status.tracking_number, status.status) == (number, "PRE_TRANSIT")
    with pytest.raises(CarrierError, match="not a local carrier tracking number"):
        carrier.track("WL12345678904")
