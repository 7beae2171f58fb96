"""Money is an amount with its currency, shown with the currency's symbol and decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wms.base.money import format_money, from_minor, normal_currency, to_minor


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("4.10", "EUR", "€4.10"),
        ("5.2", "USD", "$5.20"),
        ("4000", "JPY", "¥4,000"),
        ("1234.5", "EUR", "€1,234.50"),
    ],
)
def test_amounts_show_the_currency_symbol_and_its_decimals(
    amount: str, currency: str, shown: str
) -> None:
    assert format_money(Decimal(amount), currency) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("4.10", "EUR", 410), ("4000", "JPY", 4000), ("1.234", "KWD", 1234), ("0.005", "EUR", 1)],
)
def test_minor_units_follow_the_currency(amount: str, currency: str, minor: int) -> None:
    assert to_minor(Decimal(amount), currency) == minor


def test_minor_units_read_back() -> None:
    assert from_minor(410, "EUR") == Decimal("4.10")
    assert from_minor(4000, "JPY") == Decimal(4000)


def test_an_unknown_currency_is_refused() -> None:
    assert normal_currency(" eur ") == "EUR"
    with pytest.raises(ValueError, match="not an ISO 4217 currency code"):
        normal_currency("EURO")
