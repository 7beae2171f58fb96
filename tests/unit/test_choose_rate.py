"""Picking the rate an order's service level allows, cheapest first."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wms.carriers import NoRate, Rate, choose_rate, meets_service_level


def rate(
    rate_id: str,
    cents: int,
    days: int | None,
    carrier: str = "C",
    service: str = "S",
    currency: str = "USD",
    amount: str = "",
) -> Rate:
    return Rate(
        rate_id=rate_id,
        carrier=carrier,
        service=service,
        service_level=service.lower(),
        amount=Decimal(amount) if amount else Decimal(cents) / 100,
        currency=currency,
        days=days,
    )


RATES = [
    rate("ground", 520, 5),
    rate("priority", 790, 2),
    rate("overnight", 2635, 1),
    rate("media", 410, None),
    rate("slow", 300, 8),
]


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        ("express", "overnight"),
        ("priority", "priority"),
        ("standard", "ground"),
        ("economy", "slow"),
    ],
)
def test_cheapest_rate_that_meets_the_level(level: str, expected: str) -> None:
    assert choose_rate(RATES, level).rate_id == expected


def test_unknown_transit_days_only_fit_economy() -> None:
    rates = [rate("media", 410, None), rate("ground", 520, 5)]
    assert choose_rate(rates, "standard").rate_id == "ground"
    assert choose_rate(rates, "economy").rate_id == "media"


@pytest.mark.parametrize(
    ("level", "days", "meets"),
    [
        ("express", 1, True),
        ("express", 2, False),
        ("priority", 2, True),
        ("priority", 3, False),
        ("standard", 5, True),
        ("standard", 6, False),
        ("economy", 30, True),
        ("economy", None, True),
        ("standard", None, False),
    ],
)
def test_level_boundaries(level: str, days: int | None, meets: bool) -> None:
    assert meets_service_level(rate("r", 100, days), level) is meets


def test_ties_go_to_fewer_days_then_carrier_and_service() -> None:
    rates = [
        rate("b-slow", 500, 4, carrier="B"),
        rate("b-fast", 500, 2, carrier="B"),
        rate("a-fast", 500, 2, carrier="A", service="Zed"),
        rate("a-fast-2", 500, 2, carrier="A", service="Alpha"),
    ]
    assert choose_rate(rates, "standard").rate_id == "a-fast-2"
    assert choose_rate(rates[:2], "standard").rate_id == "b-fast"


def test_no_rate_meets_the_level_says_so_in_one_sentence() -> None:
    with pytest.raises(NoRate) as caught:
        choose_rate([rate("ground", 520, 5), rate("media", 410, None)], "express")
    message = caught.value.message
    assert message == "No carrier offered an express rate (delivery within 1 day)."
    assert str(caught.value) == message


def test_no_rates_at_all() -> None:
    with pytest.raises(NoRate, match="No carrier offered a rate"):
        choose_rate([], "economy")


def test_level_is_read_forgivingly_but_must_be_known() -> None:
    assert choose_rate(RATES, "  Express ").rate_id == "overnight"
    with pytest.raises(ValueError, match="Unknown service level"):
        choose_rate(RATES, "same-day")


MIXED = [
    rate("usd", 0, 3, currency="USD", amount="3.90"),
    rate("eur", 0, 3, currency="EUR", amount="4.10"),
    rate("jpy", 0, 3, currency="JPY", amount="4000"),
    rate("eur-dear", 0, 3, currency="EUR", amount="6.80"),
]


def test_only_rates_in_the_warehouse_currency_are_compared() -> None:
    # 3.90 USD is the smallest number, but it is not in euros.
    assert choose_rate(MIXED, "standard", "EUR").rate_id == "eur"
    assert choose_rate(MIXED, "standard", "usd").rate_id == "usd"
    assert choose_rate(MIXED, "standard", "JPY").rate_id == "jpy"


def test_no_rate_in_the_warehouse_currency_chooses_none() -> None:
    with pytest.raises(NoRate, match=r"No carrier offered a rate in GBP\."):
        choose_rate(MIXED, "standard", "GBP")
