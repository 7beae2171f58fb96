"""ASN lines from a CSV file: every row checked, nothing written unless all are good."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from wms.core.models import Inbound
from wms.extensions import db
from wms.inventory.models import Product

COLUMNS = ("reference", "supplier", "expected_at", "sku", "qty")


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


def parse(raw: bytes) -> Parsed:
    """Read ``reference,supplier,expected_at,sku,qty`` rows; say what is wrong with each."""
    errors: list[str] = []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Parsed([], ["The file is not UTF-8 text."])
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return Parsed(
            [],
            [
                f"The header must name the columns {', '.join(COLUMNS)}; "
                f"missing: {', '.join(missing)}."
            ],
        )
    by_ref: dict[str, ParsedInbound] = {}
    rows = list(reader)
    skus = {r.get("sku", "").strip() for r in rows}
    known = set(db.session.scalars(select(Product.sku).where(Product.sku.in_(skus))))
    existing = set(
        db.session.scalars(
            select(Inbound.reference).where(
                Inbound.reference.in_({r.get("reference", "").strip() for r in rows})
            )
        )
    )
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
