"""Packing rules as plain functions: what a scan means for the parcel, and weights.

No database here: the services load plain values, ask these functions, and
apply the answer. Weights are written in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from wms.base.errors import ExtraItem, InvalidInput, WrongItem
from wms.base.i18n import _, n_
from wms.i18n import weight

MAX_WEIGHT_G = 70_000
# A scale that types like a keyboard sends "1250", "1.25", "1.250 kg" or "2.6 lb".
# At most five digits before the point, so no product barcode (8+ digits) reads as one.
_WEIGHT_RE = re.compile(r"^(\d{1,5}(?:[.,]\d{1,3})?)\s*(g|kg|lb|lbs|oz)?$", re.IGNORECASE)
_GRAMS_PER = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "lb": Decimal("453.59237"),
    "lbs": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}


def looks_like_weight(text: str) -> bool:
    return _WEIGHT_RE.match(text.strip()) is not None


def parse_weight(text: str) -> int:
    """Grams from what a scale or a packer typed.

    A bare whole number is grams; a bare decimal is kilograms (scales that send
    "1.250"); a unit (g, kg, lb, oz) says so itself.
    """
    match = _WEIGHT_RE.match(text.strip())
    if match is None:
        raise InvalidInput(
            _("%(typed)s is not a weight; type grams, like 1250, or 1.25 kg.", typed=text.strip())
        )
    number, unit = match.group(1).replace(",", "."), (match.group(2) or "").lower()
    try:
        value = Decimal(number)
    except InvalidOperation as exc:  # the pattern lets only numbers through
        raise InvalidInput(_("%(typed)s is not a weight.", typed=number)) from exc
    if not unit:
        unit = "kg" if "." in number else "g"
    grams = int((value * _GRAMS_PER[unit]).to_integral_value())
    if grams <= 0:
        raise InvalidInput(_("The scale read nothing; put the parcel on it and weigh again."))
    if grams > MAX_WEIGHT_G:
        raise InvalidInput(
            _(
                "%(weight)s is more than one parcel may weigh (%(most)s); split it into two boxes.",
                weight=format_grams(grams),
                most=format_grams(MAX_WEIGHT_G),
            )
        )
    return grams


def format_grams(grams: int) -> str:
    """``850 g``, ``1,25 kg`` in French: a number and its unit that never part."""
    return weight(grams)


def check_weight(weight_g: int, tare_g: int, box_code: str) -> None:
    """A packed box cannot weigh less than the empty box."""
    if weight_g <= tare_g:
        raise InvalidInput(
            _(
                "%(weight)s is no more than the empty %(box)s (%(tare)s); weigh the packed parcel.",
                weight=format_grams(weight_g),
                box=box_code,
                tare=format_grams(tare_g),
            )
        )


@dataclass(frozen=True)
class LineToPack:
    line_id: int
    product_id: int
    sku: str
    qty: int  # units of the line going into this parcel
    qty_verified: int

    @property
    def left(self) -> int:
        return self.qty - self.qty_verified


def line_for_scan(
    lines: list[LineToPack], product_id: int, sku: str, units: int, order_number: str
) -> LineToPack:
    """The parcel line a scanned item (``units`` of it) counts against, or why it is refused."""
    mine = [line for line in lines if line.product_id == product_id]
    if not mine:
        raise WrongItem(
            _("%(sku)s is not on order %(order)s; put it aside.", sku=sku, order=order_number),
            sku=sku,
            order=order_number,
        )
    open_lines = [line for line in mine if line.left > 0]
    if not open_lines:
        packed = sum(line.qty for line in mine)
        raise ExtraItem(
            n_(
                "%(sku)s is extra: all %(num)s for %(order)s are already in the box.",
                "%(sku)s is extra: all %(num)s for %(order)s are already in the box.",
                packed,
                sku=sku,
                order=order_number,
            ),
            sku=sku,
            order=order_number,
        )
    line = next((ln for ln in open_lines if ln.left >= units), None)
    if line is None:
        left = sum(ln.left for ln in open_lines)
        raise ExtraItem(
            n_(
                "That scan counts %(units)s of %(sku)s, but only %(num)s more is needed; "
                "scan single units.",
                "That scan counts %(units)s of %(sku)s, but only %(num)s more are needed; "
                "scan single units.",
                left,
                units=units,
                sku=sku,
            ),
            sku=sku,
            order=order_number,
        )
    return line


def units_left(lines: list[LineToPack]) -> int:
    return sum(line.left for line in lines)
