"""Amounts of money: always with their currency, formatted by Babel in one place.

Amounts are ``Decimal`` in the currency's major unit (4.10 EUR, 4000 JPY); the
database keeps them as whole minor units (410, 4000) beside the ISO 4217 code,
with the number of decimals Babel's CLDR data gives for that currency.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, is_currency

DEFAULT_CURRENCY = "EUR"


def normal_currency(code: str) -> str:
    """An ISO 4217 code in capitals; ValueError when Babel does not know it."""
    value = (code or "").strip().upper()
    if not is_currency(value):
        raise ValueError(f"{code!r} is not an ISO 4217 currency code")
    return value


def decimals(currency: str) -> int:
    return int(get_currency_precision(currency.upper()))


def parse_amount(text: object) -> Decimal | None:
    """A carrier's amount ("4.10", 4000) as a Decimal; None when it is not a number."""
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def to_minor(amount: Decimal, currency: str) -> int:
    """4.10 EUR -> 410; 4000 JPY -> 4000 (rounded half up to the currency's decimals)."""
    scale = Decimal(10) ** decimals(currency)
    return int((amount * scale).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor) / (Decimal(10) ** decimals(currency))


def format_money(
    amount: Decimal | int | float | str | None, currency: str, locale: str = "en"
) -> str:
    """``€4.10``, ``$5.20``, ``¥4,000`` (``4,10 €`` in French): symbol and decimals."""
    if amount is None or not currency:
        return ""
    value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    return format_currency(value, currency.upper(), locale=locale)
