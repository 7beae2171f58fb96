"""What a scanned code names, whichever floor screen it was scanned on.

A receiver who scans an order number, a picker who scans a badge: each
screen asks here before calling a code unknown, and answers a code of the
wrong kind with one sentence that names it ("That is order W-10204 — scan a
unit, or DONE to finish"), changing nothing. Everything is looked up in one
query, so a screen pays one round trip for a code it did not expect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, case, literal, select
from sqlalchemy.orm import aliased

from wms.auth.models import User
from wms.base.codes import command_of, parse_short_code, product_code_forms, screen_command_of
from wms.base.errors import WrongKind
from wms.base.i18n import N_, Text, _
from wms.base.numbers import (
    order_id_from_number,
    order_number,
    rma_id_from_number,
    rma_number,
    wave_code,
    wave_id_from_code,
)
from wms.core.models import Inbound, Order
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Barcode, Location, Product
from wms.inventory.queries import ScannedProduct

# Pick lists and returns are areas above the core: their tables are named here
# (WAVES, RETURNS) rather than imported, only to say whether a number exists.
WAVES = "waves"
RETURNS = "return_authorisations"

# How a place is named in a sentence, by its kind (each whole: other languages
# put the article and the code where their grammar wants them).
PLACE_WORDS = {
    "receiving": N_("receiving dock %(code)s"),
    "bin": N_("bin %(code)s"),
    "staging_lane": N_("lane %(code)s"),
    "hold_lane": N_("hold lane %(code)s"),
    "tote": N_("tote %(code)s"),
    "packing": N_("pack station %(code)s"),
    "shipping_dock": N_("shipping dock %(code)s"),
    "returns": N_("returns bench %(code)s"),
    "quarantine": N_("quarantine %(code)s"),
    "rework": N_("rework area %(code)s"),
    "exceptions": N_("exceptions area %(code)s"),
}
INBOUND_WORDS = {
    "asn": N_("ASN %(code)s"),
    "po": N_("PO %(code)s"),
    "blind": N_("blind receipt %(code)s"),
}

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Recognised:
    """A scanned code and what it is: ``kind`` is command, screen, product,
    location, order, inbound, rma, wave, badge or unknown."""

    kind: str
    code: str
    label: Text | str = ""  # "order W-10204", "bin A-01-1", in the reader's language
    product: ScannedProduct | None = None
    location: Location | None = None
    ref_id: int | None = None  # the order, inbound, return, wave or user

    @property
    def known(self) -> bool:
        return self.kind != UNKNOWN

    def refusal(self, hint: Text | str) -> WrongKind:
        """The sentence for a code of the wrong kind: what it is, then what to scan."""
        return WrongKind(
            _("That is %(what)s — %(hint)s.", what=self.label, hint=hint), self.code, self.kind
        )


def recognise(code: str) -> Recognised:
    """What ``code`` names: a command by its form, anything else in one query."""
    code = code.strip()
    word = command_of(code)
    if word is not None:
        return Recognised("command", code, _("the %(word)s command", word=word))
    word = screen_command_of(code)
    if word is not None:
        return Recognised("screen", code, _("the %(word)s command", word=word))
    if not code or len(code) > 80:
        return Recognised(UNKNOWN, code)
    short = parse_short_code(code)
    if short is not None:
        return _short(code, *short)
    forms = product_code_forms(code)
    barcodes = (forms.barcodes if forms else ()) + (code,) * 3
    row = db.session.execute(
        _lookup(),
        {
            "code": code,
            "upper": code.upper(),
            "g1": barcodes[0],
            "g2": barcodes[1],
            "g3": barcodes[2],
            "order_id": order_id_from_number(code) or 0,
            "rma_id": rma_id_from_number(code) or 0,
            "wave_id": wave_id_from_code(code) or 0,
        },
    ).one()
    return _read(code, row, forms.count if forms else None)


def _short(code: str, kind: str, ident: int) -> Recognised:
    """A label's short stand-in for a bin or a product whose own code is too long."""
    if kind == "L":
        place = db.session.get(Location, ident)
        if place is not None:
            return _place(code, place)
    else:
        product = db.session.get(Product, ident)
        if product is not None:
            return Recognised(
                "product", code, _product_label(product), product=ScannedProduct(product, 1)
            )
    return Recognised(UNKNOWN, code)


def _product_label(product: Product) -> str:
    return f"{product.sku} ({product.name})"  # data, in no language


def _place(code: str, place: Location) -> Recognised:
    words = PLACE_WORDS.get(place.kind)
    label = _(words, code=place.code) if words else f"{place.kind} {place.code}"
    return Recognised("location", code, label, location=place)


def _read(code: str, row: Any, count: int | None) -> Recognised:
    if row.Location is not None:
        return _place(code, row.Location)
    product = row.barcode_product or row.sku_product
    if product is not None:
        units = (count or row.units) if row.barcode_product is not None else 1
        label = _product_label(product)
        return Recognised("product", code, label, product=ScannedProduct(product, units))
    if row.inbound_id is not None:
        words = INBOUND_WORDS.get(row.inbound_kind, INBOUND_WORDS["asn"])
        label = _(words, code=row.inbound_reference)
        return Recognised("inbound", code, label, ref_id=row.inbound_id)
    if row.order_id is not None:
        label = _("order %(number)s", number=order_number(row.order_id))
        return Recognised("order", code, label, ref_id=row.order_id)
    if row.rma_id is not None:
        label = _("return %(number)s", number=rma_number(row.rma_id))
        return Recognised("rma", code, label, ref_id=row.rma_id)
    if row.wave_id is not None:
        label = _("pick list %(code)s", code=wave_code(row.wave_id))
        return Recognised("wave", code, label, ref_id=row.wave_id)
    if row.user_id is not None:
        name = row.user_full_name or row.user_username
        return Recognised("badge", code, _("the badge of %(name)s", name=name), ref_id=row.user_id)
    return Recognised(UNKNOWN, code)


@prebuilt
def _lookup() -> Any:
    """Every kind of thing a code can name, each found by a unique index: one row."""
    waves = db.metadata.tables[WAVES]
    returns = db.metadata.tables[RETURNS]
    code, upper = bindparam("code"), bindparam("upper")
    sku_product = aliased(Product, name="sku_product")
    barcode_product = aliased(Product, name="barcode_product")
    exact_first = case((Barcode.code == code, 0), else_=1)
    barcode_id = (
        select(Barcode.id)
        .where(Barcode.code.in_([code, bindparam("g1"), bindparam("g2"), bindparam("g3")]))
        .order_by(exact_first, Barcode.id)
        .limit(1)
        .scalar_subquery()
    )
    sku_id = (
        select(Product.id)
        .where(Product.sku.in_([code, upper]))
        .order_by(case((Product.sku == code, 0), else_=1))
        .limit(1)
        .scalar_subquery()
    )
    inbound_id = (
        select(Inbound.id)
        .where(Inbound.reference.in_([code, upper]))
        .order_by(case((Inbound.reference == code, 0), else_=1))
        .limit(1)
        .scalar_subquery()
    )
    user_id = (
        select(User.id)
        .where(User.badge_code.in_([code, upper]))
        .order_by(case((User.badge_code == code, 0), else_=1))
        .limit(1)
        .scalar_subquery()
    )
    anchor = select(literal(1).label("one")).subquery()
    return (
        select(
            Location,
            barcode_product,
            Barcode.units,
            sku_product,
            Inbound.id.label("inbound_id"),
            Inbound.reference.label("inbound_reference"),
            Inbound.kind.label("inbound_kind"),
            Order.id.label("order_id"),
            returns.c.id.label("rma_id"),
            waves.c.id.label("wave_id"),
            User.id.label("user_id"),
            User.full_name.label("user_full_name"),
            User.username.label("user_username"),
        )
        .select_from(anchor)
        .outerjoin(Location, Location.code == upper)
        .outerjoin(Barcode, Barcode.id == barcode_id)
        .outerjoin(barcode_product, barcode_product.id == Barcode.product_id)
        .outerjoin(sku_product, sku_product.id == sku_id)
        .outerjoin(Inbound, Inbound.id == inbound_id)
        .outerjoin(Order, Order.id == bindparam("order_id"))
        .outerjoin(returns, returns.c.id == bindparam("rma_id"))
        .outerjoin(waves, waves.c.id == bindparam("wave_id"))
        .outerjoin(User, User.id == user_id)
    )
