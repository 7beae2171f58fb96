"""The one interface every carrier adapter shares, and how the app picks a rate.

Adapters work on the plain dataclasses below; they import neither Flask nor the
database. The app's service layer records purchase attempts and calls them.

Purchase safety, for every adapter:

* ``buy_label(rate, label_format, idempotency_key)`` takes a key that identifies
  the parcel. An adapter that can ask its carrier "was a label with this key
  bought?" does so before every purchase ("look before you buy"), so calling
  ``buy_label`` again for the same parcel returns the label already bought
  instead of buying a second one.
* When the carrier cannot be reached, ``CarrierUnavailable`` is raised; its
  ``purchase_uncertain`` says whether a label might have been bought anyway (the
  request may have reached the carrier). The caller must then not buy again on
  its own: it asks ``find_label`` with the same key until the carrier shows the
  label (a carrier may list a purchase only some time after making it), and
  buys again only once someone decides the purchase never happened.

Service levels an order can ask for, with the most transit days they allow:
``express`` (1), ``priority`` (2), ``standard`` (5) and ``economy`` (any).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from wms.base.address import Address
from wms.base.i18n import Text, _, n_

__all__ = [
    "LABEL_FORMATS",
    "SERVICE_LEVELS",
    "Address",
    "AddressError",
    "Carrier",
    "CarrierError",
    "CarrierUnavailable",
    "Label",
    "NoRate",
    "Parcel",
    "Rate",
    "TrackingStatus",
    "choose_rate",
    "meets_service_level",
]

# Order service level -> most transit days a rate may take (None: any).
SERVICE_LEVELS: dict[str, int | None] = {
    "express": 1,
    "priority": 2,
    "standard": 5,
    "economy": None,
}

# Label formats the app asks for: a 4x6 inch PDF page, or ZPL for a thermal printer.
LABEL_FORMATS: tuple[str, ...] = ("PDF_4x6", "ZPL")


@dataclass(frozen=True)
class Parcel:
    length_mm: int
    width_mm: int
    height_mm: int
    weight_g: int


@dataclass(frozen=True)
class Rate:
    """One way to ship a parcel, as quoted by a carrier.

    ``shipment`` is an opaque string the adapter that made the rate needs to buy
    it (Shippo: the shipment's object id; built-in: the addresses and parcel).
    It is plain text so the app may store it with the rate and rebuild the Rate
    later; callers must not interpret it. ``amount`` is in ``currency``'s major
    unit (4.10 EUR, 4000 JPY), as the carrier quoted it.
    """

    rate_id: str
    carrier: str
    service: str
    service_level: str
    amount: Decimal
    currency: str
    days: int | None
    shipment: str = field(default="", repr=False)


@dataclass(frozen=True)
class Label:
    carrier: str
    service: str
    tracking_number: str
    tracking_url: str
    label_format: str  # "PDF_4x6" or "ZPL"
    label_bytes: bytes = field(repr=False)
    transaction_id: str
    rate_id: str
    amount: Decimal | None  # None when the carrier did not say what it cost
    currency: str


@dataclass(frozen=True)
class TrackingStatus:
    tracking_number: str
    status: str  # UNKNOWN, PRE_TRANSIT, TRANSIT, DELIVERED, RETURNED or FAILURE
    status_details: Text | str  # the carrier's own words, or ours in the reader's language
    updated_at: datetime | None


class CarrierError(Exception):
    """A carrier could not do what was asked; ``message`` is one sentence for the packer."""

    def __init__(self, message: Text | str) -> None:
        super().__init__(message)
        self.message = message


class AddressError(CarrierError):
    """The carrier rejected an address; the message says what is wrong with it."""


class CarrierUnavailable(CarrierError):
    """The carrier did not answer (timeout, 5xx, connection refused).

    ``purchase_uncertain`` is True when a label purchase was under way and might
    have happened all the same: look for it with ``find_label`` (same key); an
    empty answer does not prove that nothing was bought.
    """

    def __init__(self, message: str, *, purchase_uncertain: bool = False) -> None:
        super().__init__(message)
        self.purchase_uncertain = purchase_uncertain


class NoRate(CarrierError):
    """No rate fits the parcel or the order's service level."""


class Carrier(ABC):
    """What the app calls on every carrier adapter; a return label is bought the same way
    by all of them, through the three steps an adapter may change."""

    code: str
    name: str
    currency: str  # the currency its rates are compared in

    @abstractmethod
    def rates(
        self, ship_from: Address, ship_to: Address, parcel: Parcel, service_level: str
    ) -> list[Rate]:
        """Quotes for the parcel; ``service_level`` is a hint, pick with ``choose_rate``."""

    @abstractmethod
    def buy_label(
        self, rate: Rate, label_format: str, idempotency_key: str, *, order_number: str = ""
    ) -> Label:
        """Buy (or find the already bought) label for the parcel the key identifies."""

    @abstractmethod
    def find_label(self, idempotency_key: str, rate: Rate | None = None) -> Label | None:
        """The label already bought with this key, or None if the carrier has none."""

    @abstractmethod
    def track(self, tracking_number: str, *, carrier: str = "") -> TrackingStatus:
        """Where the parcel is; ``carrier`` is the Label's carrier where the adapter needs it."""

    def return_label(
        self,
        ship_from: Address,
        ship_to: Address,
        parcel: Parcel,
        label_format: str,
        idempotency_key: str,
        *,
        order_number: str = "",
        service_level: str = "economy",
    ) -> Label:
        """A label for the customer (``ship_from``) to send the parcel to the warehouse
        (``ship_to``), under a key of its own (not the outbound parcel's).

        The cheapest rate meeting ``service_level`` is bought, looking first for
        a label already bought with the key, as ``buy_label`` does.
        """
        found = self._return_label_found(label_format, idempotency_key)
        if found is not None:
            return found
        rates = self._return_rates(ship_from, ship_to, parcel, service_level)
        rate = choose_rate(rates, service_level, self.currency)
        return self._buy_return_label(rate, label_format, idempotency_key, order_number)

    def _return_label_found(self, label_format: str, idempotency_key: str) -> Label | None:
        return None

    def _return_rates(
        self, ship_from: Address, ship_to: Address, parcel: Parcel, service_level: str
    ) -> list[Rate]:
        return self.rates(ship_from, ship_to, parcel, service_level)

    def _buy_return_label(
        self, rate: Rate, label_format: str, idempotency_key: str, order_number: str
    ) -> Label:
        return self.buy_label(rate, label_format, idempotency_key, order_number=order_number)


def _normal_level(service_level: str) -> str:
    level = service_level.strip().lower()
    if level not in SERVICE_LEVELS:
        known = ", ".join(SERVICE_LEVELS)
        raise ValueError(f"Unknown service level {service_level!r}; expected one of {known}.")
    return level


def meets_service_level(rate: Rate, service_level: str) -> bool:
    """True when the rate's transit days are known and within the level's days (economy: any)."""
    max_days = SERVICE_LEVELS[_normal_level(service_level)]
    if max_days is None:
        return True
    return rate.days is not None and rate.days <= max_days


def _no_rate_for(level: str, max_days: int) -> Text:
    """No rate met the level: one whole sentence per level, the days said by number."""
    if level == "express":
        return n_(
            "No carrier offered an express rate (delivery within %(num)s day).",
            "No carrier offered an express rate (delivery within %(num)s days).",
            max_days,
        )
    if level == "priority":
        return n_(
            "No carrier offered a priority rate (delivery within %(num)s day).",
            "No carrier offered a priority rate (delivery within %(num)s days).",
            max_days,
        )
    return n_(
        "No carrier offered a standard rate (delivery within %(num)s day).",
        "No carrier offered a standard rate (delivery within %(num)s days).",
        max_days,
    )


def choose_rate(rates: Iterable[Rate], service_level: str, currency: str | None = None) -> Rate:
    """The cheapest rate that meets the order's service level.

    With ``currency``, only rates in that currency are compared (4000 JPY is not
    cheaper than 5.20 USD); the others are never chosen on their own. Ties go to
    fewer days (unknown days last), then carrier and service name. Raises NoRate
    when no rate meets the level, and ValueError for a level that is not one of
    express, priority, standard or economy.
    """
    level = _normal_level(service_level)
    rates = list(rates)
    if currency is not None:
        same = [rate for rate in rates if rate.currency.upper() == currency.upper()]
        if rates and not same:
            raise NoRate(_("No carrier offered a rate in %(currency)s.", currency=currency.upper()))
        rates = same
    fitting = [rate for rate in rates if meets_service_level(rate, level)]
    if not fitting:
        max_days = SERVICE_LEVELS[level]
        if max_days is None:
            raise NoRate(_("No carrier offered a rate for this parcel."))
        raise NoRate(_no_rate_for(level, max_days))
    return min(
        fitting,
        key=lambda r: (
            r.amount,
            r.days if r.days is not None else 10**6,
            r.carrier,
            r.service,
        ),
    )
