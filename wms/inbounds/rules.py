"""Reading what a supervisor types or uploads: ASN lines from a CSV file, a form's lines,
a date. Pure: the catalogue's facts come in as arguments."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from wms.base.errors import InvalidInput

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
    errors: list[str]


def csv_rows(raw: bytes) -> tuple[list[dict[str, str]], list[str]]:
    """The rows of a ``reference,supplier,expected_at,sku,qty`` file, or why it has none."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["The file is not UTF-8 text."]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [
            f"The header must name the columns {', '.join(COLUMNS)}; missing: {', '.join(missing)}."
        ]
    return list(reader), []


def check_rows(rows: list[dict[str, str]], known: set[str], existing: set[str]) -> Parsed:
    """The inbounds the rows make, and what is wrong with each bad row.

    ``known`` holds the SKUs of the catalogue the rows name, ``existing`` the
    references of inbounds already made.
    """
    errors: list[str] = []
    by_ref: dict[str, ParsedInbound] = {}
    for n, row in enumerate(rows, start=2):
        ref = (row.get("reference") or "").strip()
        sku = (row.get("sku") or "").strip()
        when = (row.get("expected_at") or "").strip()
        qty_text = (row.get("qty") or "").strip()
        problems = []
        if not ref:
            problems.append("the reference is empty")
        elif ref in existing:
            problems.append(f"inbound {ref} already exists")
        if sku not in known:
            problems.append(f"no product has the SKU '{sku}'")
        try:
            expected_at = datetime.fromisoformat(when.replace("Z", ""))
        except ValueError:
            problems.append(f"'{when}' is not a date and time like 2026-11-24T09:00")
            expected_at = None
        if not qty_text.isdigit() or int(qty_text) <= 0:
            problems.append(f"the quantity '{qty_text}' is not a whole number above zero")
        if problems:
            errors.append(f"Row {n}: " + "; ".join(problems) + ".")
            continue
        inbound = by_ref.setdefault(
            ref, ParsedInbound(ref, (row.get("supplier") or "").strip(), expected_at)
        )
        if inbound.expected_at != expected_at:
            errors.append(f"Row {n}: inbound {ref} has two different expected times.")
            continue
        inbound.lines[sku] = inbound.lines.get(sku, 0) + int(qty_text)
    if not rows:
        errors.append("The file has no rows.")
    return Parsed(list(by_ref.values()), errors)


def form_lines(text: str) -> list[NewInboundLine]:
    """The lines typed in the new-inbound form, one 'SKU, quantity' a line."""
    lines = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        sku, _, qty = raw.replace(";", ",").partition(",")
        if not qty.strip().isdigit() or int(qty) <= 0:
            raise InvalidInput(f"Line {n}: write 'SKU, quantity' with a quantity above zero.")
        lines.append(NewInboundLine(sku.strip(), int(qty)))
    if not lines:
        raise InvalidInput("Add at least one line: 'SKU, quantity'.")
    return lines


def expected_time(text: str) -> datetime:
    """The expected time as the form gives it."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput("Give the expected time as 2026-11-24T09:00.") from exc


def required(value: str, what: str) -> str:
    """The value, stripped; refused when empty."""
    if not value.strip():
        raise InvalidInput(f"The {what} is required.")
    return value.strip()
