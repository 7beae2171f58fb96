"""The built-in local carrier: the default, with no account and no network.

It quotes flat rates from the table below, makes its own tracking numbers and
draws its own labels (``wms.prints.shipping_label``). Everything it does is a
pure function of its inputs: the same parcel key always gives the same tracking
number and the same label, so buying twice for one parcel never makes two.

Rates, in hundredths of the warehouse's currency (``currency``, EUR unless told;
rounded to a zero-decimal currency's whole units), by parcel weight (a band
includes its upper bound) and service level, with the transit days each service
promises:

=============  ===============  ================  ================  ===============
weight up to   economy (7 d)    standard (4 d)    priority (2 d)    express (1 d)
=============  ===============  ================  ================  ===============
500 g          450              590               890               1590
2 kg           650              790               1190              1990
5 kg           890              1090              1590              2690
10 kg          1290             1590              2290              3790
20 kg          1890             2390              3290              5490
30 kg          2590             3190              4490              7490
=============  ===============  ================  ================  ===============

A parcel over 30 kg, weighing nothing, or with a side over 1.5 m gets no rate.

Tracking numbers: ``WL`` + 10 digits + a GS1 mod-10 check digit over the 10
digits (13 characters, e.g. ``WL12345678903``). The digits come from the
parcel's idempotency key: by default the first 8 bytes of its SHA-256 taken
modulo 10**10. Such numbers are unique only with high probability (two keys
share a number with odds of about n**2 / 2e10 over n parcels), so an app that
must never repeat one passes ``serial_for``: a function giving each key a stable
integer of its own (e.g. the parcel's database id). The serial is then mixed by
a bijection of 0..10**10-1, so different serials always give different numbers.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from decimal import Decimal

from wms.base.clock import today as warehouse_today
from wms.base.codes import gs1_check_digit
from wms.base.i18n import N_, Number, Text, _, text
from wms.base.money import DEFAULT_CURRENCY, from_minor, normal_currency, to_minor
from wms.carriers import (
    LABEL_FORMATS,
    Address,
    AddressError,
    Carrier,
    CarrierError,
    Label,
    NoRate,
    Parcel,
    Rate,
    TrackingStatus,
)
from wms.prints.shipping_label import (
    ShippingLabelData,
    render_label_zpl,
    render_labels_pdf,
)

TRACKING_PREFIX = "WL"
# On every label it draws: no carrier takes these parcels on this label alone.
INTERNAL_NOTICE = N_("INTERNAL LABEL - NOT VALID WITH ANY CARRIER")
_DIGITS = 10
_MODULUS = 10**_DIGITS
# serial -> (serial * _MIX_A + _MIX_B) mod 10**10 is a bijection because
# _MIX_A shares no factor with 10 (it is odd and does not end in 5).
_MIX_A = 3_141_592_653
_MIX_B = 2_718_281_828
_TRACKING_RE = re.compile(rf"{TRACKING_PREFIX}(\d{{{_DIGITS + 1}}})")

MAX_WEIGHT_G = 30_000
MAX_SIDE_MM = 1_500

# (service level, service name, transit days), cheapest first.
SERVICES: tuple[tuple[str, str, int], ...] = (
    ("economy", "Economy", 7),
    ("standard", "Standard", 4),
    ("priority", "Priority", 2),
    ("express", "Express", 1),
)

# (heaviest weight in grams, price in cents per service level).
RATE_TABLE: tuple[tuple[int, dict[str, int]], ...] = (
    (500, {"economy": 450, "standard": 590, "priority": 890, "express": 1590}),
    (2_000, {"economy": 650, "standard": 790, "priority": 1190, "express": 1990}),
    (5_000, {"economy": 890, "standard": 1090, "priority": 1590, "express": 2690}),
    (10_000, {"economy": 1290, "standard": 1590, "priority": 2290, "express": 3790}),
    (20_000, {"economy": 1890, "standard": 2390, "priority": 3290, "express": 5490}),
    (30_000, {"economy": 2590, "standard": 3190, "priority": 4490, "express": 7490}),
)

_SHIPMENT_VERSION = 1
_ADDRESS_FIELDS = (
    ("name", N_("name")),
    ("street1", N_("street")),
    ("city", N_("city")),
    ("zip", N_("ZIP code")),
)


def tracking_number_for(idempotency_key: str, serial: int | None = None) -> str:
    """The built-in tracking number for a parcel key (or for its serial, when given)."""
    if serial is not None:
        if serial < 0:
            raise ValueError("serial must not be negative")
        value = (serial * _MIX_A + _MIX_B) % _MODULUS
    else:
        if not idempotency_key:
            raise ValueError("an idempotency key is needed for a tracking number")
        digest = hashlib.sha256(idempotency_key.encode("utf-8")).digest()
        value = int.from_bytes(digest[:8], "big") % _MODULUS
    body = f"{value:0{_DIGITS}d}"
    return f"{TRACKING_PREFIX}{body}{gs1_check_digit(body)}"


def is_valid_tracking_number(code: str) -> bool:
    """True for ``WL`` + 10 digits + the right check digit (case and spaces forgiven)."""
    match = _TRACKING_RE.fullmatch(code.strip().upper())
    if match is None:
        return False
    digits = match.group(1)
    return gs1_check_digit(digits[:-1]) == int(digits[-1])


def _band(weight_g: int) -> tuple[int, dict[str, int]]:
    for heaviest, prices in RATE_TABLE:
        if weight_g <= heaviest:
            return heaviest, prices
    raise NoRate(
        _("The local carrier takes parcels up to %(kg)s kg only.", kg=Number(MAX_WEIGHT_G // 1000))
    )


def _check_address(address: Address, which: str) -> None:
    missing = [label for attr, label in _ADDRESS_FIELDS if not getattr(address, attr).strip()]
    if missing:
        words = [text(_(label)) for label in missing]
        listed: Text | str = (
            words[0]
            if len(words) == 1
            else _("%(fields)s and %(last)s", fields=", ".join(words[:-1]), last=words[-1])
        )
        if which == "ship-from":
            raise AddressError(_("The ship-from address has no %(fields)s.", fields=listed))
        raise AddressError(_("The ship-to address has no %(fields)s.", fields=listed))


class BuiltinCarrier(Carrier):
    """The local carrier that needs no account: flat rates, own labels and numbers."""

    code = "builtin"
    name = "WMS Local"

    def __init__(
        self,
        *,
        serial_for: Callable[[str], int | None] | None = None,
        tracking_url_prefix: str = "/track/",
        today: Callable[[], date] = warehouse_today,
        currency: str = DEFAULT_CURRENCY,
    ) -> None:
        self._serial_for = serial_for
        self.currency = normal_currency(currency)
        self._tracking_url_prefix = tracking_url_prefix
        self._today = today

    # ------------------------------------------------------------------ rates

    def rates(
        self, ship_from: Address, ship_to: Address, parcel: Parcel, service_level: str = ""
    ) -> list[Rate]:
        """All four services for the parcel (``service_level`` is not needed to quote)."""
        _check_address(ship_from, "ship-from")
        _check_address(ship_to, "ship-to")
        if parcel.weight_g <= 0:
            raise NoRate(_("The parcel has no weight; weigh it before buying a label."))
        if max(parcel.length_mm, parcel.width_mm, parcel.height_mm) > MAX_SIDE_MM:
            raise NoRate(
                _(
                    "The local carrier takes parcels up to %(cm)s cm on a side only.",
                    cm=Number(MAX_SIDE_MM // 10),
                )
            )
        heaviest, prices = _band(parcel.weight_g)
        shipment = self._shipment_ref(ship_from, ship_to, parcel)
        return [
            Rate(
                rate_id=f"builtin-{level}-{heaviest}g",
                carrier=self.name,
                service=service,
                service_level=level,
                amount=self._price(prices[level]),
                currency=self.currency,
                days=days,
                shipment=shipment,
            )
            for level, service, days in SERVICES
        ]

    def _price(self, hundredths: int) -> Decimal:
        amount = Decimal(hundredths) / 100
        return from_minor(to_minor(amount, self.currency), self.currency)

    @staticmethod
    def _shipment_ref(ship_from: Address, ship_to: Address, parcel: Parcel) -> str:
        data = {
            "v": _SHIPMENT_VERSION,
            "from": asdict(ship_from),
            "to": asdict(ship_to),
            "parcel": asdict(parcel),
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    @staticmethod
    def _read_shipment_ref(rate: Rate) -> tuple[Address, Address, Parcel]:
        try:
            data = json.loads(rate.shipment)
            if data.get("v") != _SHIPMENT_VERSION:
                raise ValueError("unknown version")
            return Address(**data["from"]), Address(**data["to"]), Parcel(**data["parcel"])
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # A rate another carrier quoted (or an older form of ours): the packer weighs
            # again for fresh rates, nothing was bought.
            raise NoRate(
                _("This rate was not quoted by the built-in carrier; ask it for rates again.")
            ) from exc

    # ----------------------------------------------------------------- labels

    def tracking_number(self, idempotency_key: str) -> str:
        """The tracking number a label bought with this key has."""
        serial = self._serial_for(idempotency_key) if self._serial_for else None
        return tracking_number_for(idempotency_key, serial)

    def buy_label(
        self, rate: Rate, label_format: str, idempotency_key: str, *, order_number: str = ""
    ) -> Label:
        """Draw the label for the rate; the same key always gives the same label."""
        if label_format not in LABEL_FORMATS:
            raise ValueError(f"label_format must be one of {', '.join(LABEL_FORMATS)}")
        if not idempotency_key:
            raise ValueError("an idempotency key is needed to buy a label")
        ship_from, ship_to, parcel = self._read_shipment_ref(rate)
        number = self.tracking_number(idempotency_key)
        data = ShippingLabelData(
            carrier=self.name,
            service=rate.service,
            tracking_number=number,
            ship_from=ship_from,
            ship_to=ship_to,
            weight_g=parcel.weight_g,
            order_number=order_number,
            reference=idempotency_key,
            shipped_on=self._today(),
            notice=text(_(INTERNAL_NOTICE)),  # in the language of who buys the label
        )
        if label_format == "ZPL":
            content = render_label_zpl(data).encode("utf-8")
        else:
            content = render_labels_pdf([data])
        return Label(
            carrier=self.name,
            service=rate.service,
            tracking_number=number,
            tracking_url=f"{self._tracking_url_prefix}{number}",
            label_format=label_format,
            label_bytes=content,
            transaction_id=f"builtin-{number}",
            rate_id=rate.rate_id,
            amount=rate.amount,
            currency=rate.currency,
        )

    def find_label(self, idempotency_key: str, rate: Rate | None = None) -> Label | None:
        """Always None: this carrier keeps no record, and buying again is harmless
        because the same key draws the same label with the same tracking number."""
        return None

    # --------------------------------------------------------------- tracking

    def track(self, tracking_number: str, *, carrier: str = "") -> TrackingStatus:
        """What the number alone tells: a label exists and waits for pickup."""
        number = tracking_number.strip().upper()
        if not is_valid_tracking_number(number):
            raise CarrierError(
                _("'%(number)s' is not a local carrier tracking number.", number=tracking_number)
            )
        return TrackingStatus(
            tracking_number=number,
            status="PRE_TRANSIT",
            status_details=_("Label created: the parcel waits for pickup at the warehouse."),
            updated_at=None,
        )
