"""Pure decisions of set-up: the CSV formats (how each column is read and written, so a
file exported and imported again gives back the same data) and the planning of bins
in bulk from a pattern. No session, no Flask."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from wms.base.i18n import N_, Number, Text, _, n_
from wms.inventory import fields as f
from wms.inventory.fields import FieldError


@dataclass(frozen=True)
class Column:
    name: str
    attr: str
    read: Callable[[str], Any]
    write: Callable[[Any], str]
    required: bool = False  # the column must be in the file (and the cell filled)
    hint: str = ""  # marked with N_, shown with _()


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def _int(label: str, *, nullable: bool = False, minimum: int = 0) -> Callable[[str], Any]:
    def read(cell: str) -> Any:
        return f.integer(cell, label, minimum=minimum, default=None if nullable else 0)

    return read


def _yes_no(name: str) -> Column:
    """A yes/no column, yes when left empty."""
    return Column(
        name, name, lambda c: f.boolean(c, name, default=True), f.yes_no, hint=N_("yes or no")
    )


PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column("sku", "sku", f.sku, _plain, required=True, hint=N_("letters, digits, . _ / -")),
    Column(
        "name",
        "name",
        lambda c: f.text(c, _("Name"), max_len=200, required=True),
        _plain,
        required=True,
    ),
    _yes_no("active"),
    Column("weight_g", "weight_g", _int("weight_g"), _plain, hint=N_("grams")),
    Column("length_mm", "length_mm", _int("length_mm"), _plain, hint=N_("millimetres")),
    Column("width_mm", "width_mm", _int("width_mm"), _plain, hint=N_("millimetres")),
    Column("height_mm", "height_mm", _int("height_mm"), _plain, hint=N_("millimetres")),
    Column(
        "unit_cost",
        "unit_cost_cents",
        lambda c: f.money_cents(c, "unit_cost"),
        f.format_money,
        hint=N_("an amount, like %(amount)s"),
    ),
    _yes_no("allow_backorder"),
    Column("safety_stock", "safety_stock", _int("safety_stock"), _plain, hint=N_("units")),
    Column("release_on", "release_on", lambda c: f.day(c, "release_on"), _plain, hint="YYYY-MM-DD"),
    Column(
        "preorder_cap",
        "preorder_cap",
        _int("preorder_cap", nullable=True),
        _plain,
        hint=N_("units, empty for none"),
    ),
    Column(
        "estimated_ship_on",
        "estimated_ship_on",
        lambda c: f.day(c, "estimated_ship_on"),
        _plain,
        hint="YYYY-MM-DD",
    ),
    Column(
        "barcodes",
        "barcodes",
        f.barcode_list,
        lambda bs: f.format_barcodes(bs or []),
        hint=N_("kind, code and units per scan, e.g. ean13:4006381333931; internal:CASE-1:12"),
    ),
)


LOCATION_COLUMNS: tuple[Column, ...] = (
    Column("code", "code", f.location_code, _plain, required=True, hint="A-01-1"),
    Column("kind", "kind", f.location_kind, _plain, required=True, hint=N_("bin, receiving, ...")),
    Column("name", "name", lambda c: f.text(c, "name", max_len=100), _plain),
    Column("zone", "zone", lambda c: f.text(c, "zone", max_len=20), _plain),
    Column("walk_seq", "walk_seq", _int("walk_seq"), _plain, hint=N_("walking order")),
    Column(
        "capacity",
        "capacity",
        _int("capacity", nullable=True),
        _plain,
        hint=N_("units, empty for no limit"),
    ),
    _yes_no("active"),
)


STOCK_COLUMNS: tuple[Column, ...] = (
    Column(
        "sku", "sku", lambda c: f.text(c, "sku", max_len=64, required=True), _plain, required=True
    ),
    Column("location", "location", f.location_code, _plain, required=True),
    Column(
        "qty",
        "qty",
        lambda c: f.required_integer(c, "qty", minimum=1, maximum=10_000_000),
        _plain,
        required=True,
    ),
)


FORMATS: dict[str, tuple[Column, ...]] = {
    "products": PRODUCT_COLUMNS,
    "locations": LOCATION_COLUMNS,
    "stock": STOCK_COLUMNS,
}


class FileError(ValueError):
    """The file as a whole cannot be read (encoding, header); nothing row by row."""


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]  # the known columns present in the file, in file order
    rows: list[tuple[int, dict[str, str]]]  # (line number in the file, cells by column name)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without the BOM spreadsheets add); anything else is refused plainly."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(
            _("The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.")
        ) from None


def read_table(content: str, kind: str) -> Table:
    """Parse a CSV of ``kind``; the header must name known columns, the required ones included."""
    spec = {c.name: c for c in FORMATS[kind]}
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileError(
            _("The file is empty: it needs a header row and at least one row.")
        ) from None
    except csv.Error as error:
        raise FileError(_("The file is not readable CSV: %(error)s.", error=error)) from None
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n not in spec]
    if unknown:
        raise FileError(
            n_(
                "Unknown column %(names)s. The columns are: %(known)s.",
                "Unknown columns %(names)s. The columns are: %(known)s.",
                len(unknown),
                names=", ".join(repr(u) for u in unknown),
                known=", ".join(spec),
            )
        )
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise FileError(
            n_(
                "Column %(names)s appears more than once.",
                "Columns %(names)s appear more than once.",
                len(doubled),
                names=", ".join(doubled),
            )
        )
    missing = [c.name for c in FORMATS[kind] if c.required and c.name not in names]
    if missing:
        raise FileError(
            n_(
                "The file has no %(names)s column; it is required.",
                "The file has no %(names)s columns; they are required.",
                len(missing),
                names=", ".join(missing),
            )
        )
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue  # blank lines (a trailing newline, say) are not rows
            cells = {name: (values[i] if i < len(values) else "") for i, name in enumerate(names)}
            if len(values) > len(names):
                cells["__extra__"] = str(len(values) - len(names))
            rows.append((line, cells))
    except csv.Error as error:
        raise FileError(
            _(
                "The file is not readable CSV near line %(line)s: %(error)s.",
                line=reader.line_num,
                error=error,
            )
        ) from None
    if not rows:
        raise FileError(_("The file has a header but no rows."))
    return Table(tuple(spec[n] for n in names), rows)


# A cell a spreadsheet would run as a formula is written with a leading quote,
# and read back without it, so the round trip stays exact.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _guard(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


def read_row(table: Table, cells: dict[str, str]) -> tuple[dict[str, Any], list[Any]]:
    """Values of one row by attribute, and its problems as sentences (:class:`Text`)."""
    values: dict[str, Any] = {}
    problems: list[Any] = []
    if "__extra__" in cells:
        extra = int(cells["__extra__"])
        problems.append(
            n_(
                "The row has %(num)s more cell than the header.",
                "The row has %(num)s more cells than the header.",
                extra,
            )
        )
    for column in table.columns:
        try:
            values[column.attr] = column.read(_unguard(cells.get(column.name, "")))
        except f.FieldError as error:
            problems.append(error.args[0])
    return values, problems


def write_csv(columns: Sequence[Column], records: Iterable[dict[str, Any]]) -> str:
    """Rows of values by attribute, as CSV text with a header of column names."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in columns])
    for record in records:
        writer.writerow([_guard(c.write(record.get(c.attr))) for c in columns])
    return out.getvalue()


MAX_LOCATIONS = 5000


@dataclass(frozen=True)
class PlannedBin:
    code: str
    aisle: str
    bay: str
    level: str
    walk_seq: int


def parse_range(value: str, label: str | Text, *, letters: bool) -> list[str]:
    """'A-F' or 'A,C,E' (letters); '1-20', '01-20' or '1,3,5' (numbers, padding kept)."""
    value = (value or "").strip().upper().replace(" ", "")
    if not value:
        raise FieldError(_("%(field)s is missing.", field=label))
    out: list[str] = []
    for part in value.split(","):
        if not part:
            continue
        if letters:
            out += _letters(part, label)
        else:
            out += _numbers(part, label)
    if len(set(out)) != len(out):
        raise FieldError(_("%(field)s lists the same one twice.", field=label))
    return out


def _letters(part: str, label: str | Text) -> list[str]:
    match = re.fullmatch(r"([A-Z]{1,2})(?:-([A-Z]{1,2}))?", part)
    if not match:
        raise FieldError(
            _(
                "%(field)s must be letters like A-F or A,B,C, not '%(value)s'.",
                field=label,
                value=part,
            )
        )
    first, last = match.group(1), match.group(2) or match.group(1)
    if len(first) != len(last) or len(first) != 1:
        if first == last:
            return [first]
        raise FieldError(
            _("%(field)s: a range runs between single letters, like A-F.", field=label)
        )
    if last < first:
        raise FieldError(
            _("%(field)s: %(range)s runs backwards.", field=label, range=f"{first}-{last}")
        )
    return [chr(c) for c in range(ord(first), ord(last) + 1)]


def _numbers(part: str, label: str | Text) -> list[str]:
    match = re.fullmatch(r"(\d{1,4})(?:-(\d{1,4}))?", part)
    if not match:
        raise FieldError(
            _(
                "%(field)s must be numbers like 1-20 or 01-20, not '%(value)s'.",
                field=label,
                value=part,
            )
        )
    first_text, last_text = match.group(1), match.group(2) or match.group(1)
    first, last = int(first_text), int(last_text)
    if last < first:
        raise FieldError(
            _(
                "%(field)s: %(range)s runs backwards.",
                field=label,
                range=f"{first_text}-{last_text}",
            )
        )
    # '01-20' pads to two digits; '1-20' does not.
    width = max(len(first_text), len(last_text)) if first_text.startswith("0") else 0
    return [str(n).zfill(width) for n in range(first, last + 1)]


def plan_bins(
    aisles: str,
    bays: str,
    levels: str,
    *,
    separator: str = "-",
    first_seq: int = 10,
    step: int = 10,
    serpentine: bool = True,
) -> list[PlannedBin]:
    """Every bin of the pattern in walking order, with its code and sequence number."""
    aisle_list = parse_range(aisles, _("Aisles"), letters=True)
    bay_list = parse_range(bays, _("Bays"), letters=False)
    level_list = parse_range(levels, _("Levels"), letters=False)
    total = len(aisle_list) * len(bay_list) * len(level_list)
    if total > MAX_LOCATIONS:
        raise FieldError(
            _(
                "That makes %(total)s locations; at most %(max)s at once.",
                total=Number(total),
                max=Number(MAX_LOCATIONS),
            )
        )
    if separator not in ("-", ".", "_", ""):
        raise FieldError(_("The separator must be -, ., _ or nothing."))
    if step < 1:
        raise FieldError(_("The step must be at least 1."))
    out: list[PlannedBin] = []
    seq = first_seq
    for index, aisle in enumerate(aisle_list):
        walk = bay_list if not serpentine or index % 2 == 0 else list(reversed(bay_list))
        for bay in walk:
            for level in level_list:
                code = separator.join((aisle, bay, level))
                out.append(PlannedBin(code, aisle, bay, level, seq))
                seq += step
    return out
