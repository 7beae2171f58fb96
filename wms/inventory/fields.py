"""Reading set-up values typed in a form or a CSV cell, with a plain sentence when wrong.

Pure functions (no Flask, no database): the admin forms and the CSV import
read values the same way, so a file exported and imported again gives back
exactly what was there.

A field's ``label`` names it inside the sentence (a CSV column's name, or a
form field's name marked for the catalog); the sentences are written so that a
language may put the name first, as a heading ("Nom : à remplir."), and never
has to agree with it.

Numbers are read as either language writes them: ``1,234`` and ``1 234`` are a
thousand and more, ``12.50`` and ``12,50`` twelve and a half.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from wms.base.codes import is_valid_ean13, is_valid_upc
from wms.base.i18n import Number, Text, _
from wms.inventory.models import BarcodeKind, LocationKind

MAX_INT = 2_000_000_000  # inside a 32-bit INTEGER column on both databases
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "on", "oui", "o", "vrai"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "off", "", "non", "faux"})
# What separates thousands as people type them: a comma, a space, a (narrow) no-break space.
_GROUPS = re.compile(r"[,\s\u00a0\u202f]")
_WHOLE_RE = re.compile(r"[+-]?(\d{1,3}(?:[,\s\u00a0\u202f]\d{3})+|\d+)")
CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9._-]*$")
SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
BARCODE_RE = re.compile(r"^[\x21-\x7e]+$")  # printable ASCII, no spaces: Code128 prints it
BARCODE_KINDS = tuple(k.value for k in BarcodeKind)
LOCATION_KINDS = tuple(k.value for k in LocationKind)


class FieldError(ValueError):
    """A value that cannot be used; the message is one plain sentence (a :class:`Text`,
    read in the reader's language when turned into a string)."""


Label = str | Text


def text(value: str | None, label: Label, *, max_len: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise FieldError(_("%(field)s is missing.", field=label))
    if len(value) > max_len:
        raise FieldError(
            _("%(field)s is longer than %(max)s characters.", field=label, max=max_len)
        )
    return value


def integer(
    value: str | None,
    label: Label,
    *,
    minimum: int = 0,
    maximum: int = MAX_INT,
    default: int | None = 0,
) -> int | None:
    """A whole number; an empty value gives ``default`` (None means the field may be empty)."""
    typed = (value or "").strip()
    value = _GROUPS.sub("", typed)
    if not value:
        return default
    # Separators only between groups of three: '1,5' is one and a half in French, not 15.
    if not re.fullmatch(r"[+-]?\d+", value) or not _WHOLE_RE.fullmatch(typed):
        raise FieldError(
            _("%(field)s must be a whole number, not '%(value)s'.", field=label, value=typed)
        )
    number = int(value)
    if number < minimum:
        raise FieldError(_("%(field)s must be at least %(min)s.", field=label, min=Number(minimum)))
    if number > maximum:
        raise FieldError(_("%(field)s must be at most %(max)s.", field=label, max=Number(maximum)))
    return number


def required_integer(
    value: str | None, label: Label, *, minimum: int = 0, maximum: int = MAX_INT
) -> int:
    if not (value or "").strip():
        raise FieldError(_("%(field)s is missing.", field=label))
    number = integer(value, label, minimum=minimum, maximum=maximum)
    assert number is not None
    return number


def boolean(value: str | None, label: Label, *, default: bool) -> bool:
    word = (value or "").strip().lower()
    if not word:
        return default
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FieldError(_("%(field)s must be yes or no, not '%(value)s'.", field=label, value=value))


def money_cents(value: str | None, label: Label) -> int:
    """'12.50' or '12,50' -> 1250; at most two decimals, never negative.

    A comma followed by one or two digits at the end is the decimal comma (French);
    a comma before three digits separates thousands (``1,250`` is 1250).
    """
    value = (value or "").strip()
    if re.fullmatch(r"[^.]*,\d{1,2}", value):
        value = value[: value.rindex(",")] + "." + value[value.rindex(",") + 1 :]
    value = _GROUPS.sub("", value)
    if not value:
        return 0
    match = re.fullmatch(r"(\d+)(?:\.(\d{1,2}))?", value)
    if not match:
        raise FieldError(
            _("%(field)s must be an amount like 12.50, not '%(value)s'.", field=label, value=value)
        )
    cents = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if cents > MAX_INT:
        raise FieldError(_("%(field)s is too large.", field=label))
    return cents


def format_money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def day(value: str | None, label: Label) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FieldError(
            _(
                "%(field)s must be a date like 2025-03-31, not '%(value)s'.",
                field=label,
                value=value,
            )
        ) from None


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def sku(value: str | None) -> str:
    value = text(value, _("SKU"), max_len=64, required=True)
    if not SKU_RE.fullmatch(value):
        raise FieldError(
            _("SKU '%(sku)s' may hold only letters, digits and . _ / - (no spaces).", sku=value)
        )
    return value


def location_code(value: str | None) -> str:
    """Codes are kept upper case: the handheld looks them up that way."""
    value = text(value, _("Location code"), max_len=32, required=True).upper()
    if not CODE_RE.fullmatch(value):
        raise FieldError(
            _(
                "Location code '%(code)s' may hold only letters, digits and . _ - (no spaces).",
                code=value,
            )
        )
    return value


def location_kind(value: str | None) -> str:
    value = (value or "").strip().lower().replace(" ", "_")
    if value not in LOCATION_KINDS:
        raise FieldError(
            _(
                "Kind must be one of %(kinds)s; '%(value)s' is not.",
                kinds=", ".join(LOCATION_KINDS),
                value=value,
            )
        )
    return value


def badge_code(value: str | None) -> str | None:
    value = text(value, _("Badge code"), max_len=64)
    if not value:
        return None
    if not BARCODE_RE.fullmatch(value):
        raise FieldError(_("A badge code may hold only letters, digits and signs, no spaces."))
    return value


@dataclass(frozen=True)
class BarcodeSpec:
    code: str
    kind: str
    units: int = 1


def guess_barcode_kind(code: str) -> str:
    if is_valid_ean13(code):
        return BarcodeKind.EAN13
    if is_valid_upc(code):
        return BarcodeKind.UPC
    return BarcodeKind.INTERNAL


def barcode(code: str | None, kind: str | None = None, units: str | int | None = 1) -> BarcodeSpec:
    """One barcode, its kind checked (EAN-13 and UPC check digits) and its units per scan."""
    code = text(code, _("Barcode"), max_len=64, required=True)
    if not BARCODE_RE.fullmatch(code):
        raise FieldError(
            _("Barcode '%(code)s' may hold only letters, digits and signs, no spaces.", code=code)
        )
    kind = (kind or "").strip().lower() or guess_barcode_kind(code)
    if kind not in BARCODE_KINDS:
        raise FieldError(
            _(
                "Barcode kind must be one of %(kinds)s; '%(value)s' is not.",
                kinds=", ".join(BARCODE_KINDS),
                value=kind,
            )
        )
    if kind == BarcodeKind.EAN13 and not is_valid_ean13(code):
        raise FieldError(
            _("%(code)s is not a valid EAN-13: 13 digits with a correct check digit.", code=code)
        )
    if kind == BarcodeKind.UPC and not is_valid_upc(code):
        raise FieldError(
            _("%(code)s is not a valid UPC: 12 digits with a correct check digit.", code=code)
        )
    if units in (1, "1", "", None):
        return BarcodeSpec(code, kind, 1)
    count = integer(str(units), _("Units per scan"), minimum=1, maximum=100_000, default=1)
    assert count is not None
    return BarcodeSpec(code, kind, count)


def barcode_list(value: str | None) -> list[BarcodeSpec]:
    """'ean13:4006381333931; internal:CASE-1:12' -> barcodes (kind and units optional)."""
    out: list[BarcodeSpec] = []
    for entry in (value or "").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        parts = [p.strip() for p in entry.split(":")]
        if len(parts) == 1:
            spec = barcode(parts[0])
        elif len(parts) == 2:
            spec = barcode(parts[1], parts[0])
        elif len(parts) == 3:
            spec = barcode(parts[1], parts[0], parts[2])
        else:
            raise FieldError(
                _(
                    "Barcode '%(entry)s' should look like ean13:4006381333931"
                    " or internal:CASE-1:12 (kind, code, units per scan).",
                    entry=entry,
                )
            )
        if any(b.code == spec.code for b in out):
            raise FieldError(_("Barcode %(code)s is listed twice.", code=spec.code))
        out.append(spec)
    return out


def format_barcodes(barcodes: list[BarcodeSpec]) -> str:
    return "; ".join(
        f"{b.kind}:{b.code}" + (f":{b.units}" if b.units != 1 else "") for b in barcodes
    )
