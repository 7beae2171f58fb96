"""Reading what a supervisor types or uploads: ASN lines from a CSV file, a form's lines,
a date. Pure: the catalogue's facts come in as arguments."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from wms.base.clock import from_local
from wms.base.errors import InvalidInput
from wms.base.i18n import Text, _

COLUMNS = ("reference", "supplier", "expected_at", "sku", "qty")


@dataclass(frozen=True)
class NewInboundLine:
    sku: str
    qty: int


@dataclass
class ParsedInbound:
    reference: str
    supplier: str
    expected_at: datetime
    lines: dict[str, int] = field(default_factory=dict)


@dataclass
class Parsed:
    inbounds: list[ParsedInbound]
    errors: list[Text]


def csv_rows(raw: bytes) -> tuple[list[dict[str, str]], list[Text]]:
    """The rows of a ``reference,supplier,expected_at,sku,qty`` file, or why it has none."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [_("The file is not UTF-8 text.")]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [
            _(
                "The header must name the columns %(columns)s; missing: %(missing)s.",
                columns=", ".join(COLUMNS),
                missing=", ".join(missing),
            )
        ]
    return list(reader), []


def check_rows(rows: list[dict[str, str]], known: set[str], existing: set[str]) -> Parsed:
    """The inbounds the rows make, and what is wrong with each bad row.

    ``known`` holds the SKUs of the catalogue the rows name, ``existing`` the
    references of inbounds already made.
    """
    errors: list[Text] = []
    by_ref: dict[str, ParsedInbound] = {}
    for n, row in enumerate(rows, start=2):
        ref = (row.get("reference") or "").strip()
        sku = (row.get("sku") or "").strip()
        when = (row.get("expected_at") or "").strip()
        qty_text = (row.get("qty") or "").strip()
        problems: list[Text] = []
        if not ref:
            problems.append(_("Row %(row)s: the reference is empty.", row=n))
        elif ref in existing:
            problems.append(_("Row %(row)s: inbound %(ref)s already exists.", row=n, ref=ref))
        if sku not in known:
            problems.append(_("Row %(row)s: no product has the SKU '%(sku)s'.", row=n, sku=sku))
        try:
            # The warehouse's wall clock, as on the desk's form; a time marked Z (or with
            # an offset) says its own zone.
            expected_at = from_local(datetime.fromisoformat(when))
        except ValueError:
            problems.append(
                _(
                    "Row %(row)s: '%(when)s' is not a date and time like 2026-11-24T09:00.",
                    row=n,
                    when=when,
                )
            )
            expected_at = None
        if not qty_text.isdigit() or int(qty_text) <= 0:
            problems.append(
                _(
                    "Row %(row)s: the quantity '%(qty)s' is not a whole number above zero.",
                    row=n,
                    qty=qty_text,
                )
            )
        if problems:
            errors.extend(problems)
            continue
        inbound = by_ref.setdefault(
            ref, ParsedInbound(ref, (row.get("supplier") or "").strip(), expected_at)
        )
        if inbound.expected_at != expected_at:
            errors.append(
                _("Row %(row)s: inbound %(ref)s has two different expected times.", row=n, ref=ref)
            )
            continue
        inbound.lines[sku] = inbound.lines.get(sku, 0) + int(qty_text)
    if not rows:
        errors.append(_("The file has no rows."))
    return Parsed(list(by_ref.values()), errors)


def form_lines(text: str) -> list[NewInboundLine]:
    """The lines typed in the new-inbound form, one 'SKU, quantity' a line."""
    lines = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        sku, _sep, qty = raw.replace(";", ",").partition(",")
        if not qty.strip().isdigit() or int(qty) <= 0:
            raise InvalidInput(
                _("Line %(line)s: write 'SKU, quantity' with a quantity above zero.", line=n)
            )
        lines.append(NewInboundLine(sku.strip(), int(qty)))
    if not lines:
        raise InvalidInput(_("Add at least one line: 'SKU, quantity'."))
    return lines


def expected_time(text: str) -> datetime:
    """A time typed on the desk (the warehouse's wall clock) as the stored UTC moment."""
    try:
        return from_local(datetime.fromisoformat(text.strip()))
    except ValueError as exc:
        raise InvalidInput(_("Give the expected time as 2026-11-24T09:00.")) from exc


def required(value: str, refusal: Text) -> str:
    """The value, stripped; refused with ``refusal`` (a whole sentence) when empty."""
    if not value.strip():
        raise InvalidInput(refusal)
    return value.strip()
