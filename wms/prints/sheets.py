"""Sheets of labels and cards on A4 or Letter: locations, products, commands, badges.

Label stock (the labels are laid out to match these die-cut sheets):

* A4: 3 x 7 labels of 63.5 x 38.1 mm (Avery L7160 layout, 21 per sheet).
* Letter: 3 x 10 labels of 2.625 x 1 in (Avery 5160 layout, 30 per sheet).

Badges are ID-card sized (85.6 x 54 mm) with dashed cut lines, 10 per A4 page and
8 per Letter page.  The command sheet is two pages: the screens' commands, then the
actions'. The screens' page also carries one barcode per language the app speaks
(``CMD-LANG-FR``...), captioned with the language's own name.

A location or product barcode spans the whole label, its quiet zones in the
label's margins, and never prints below ``MIN_MODULE_WIDTH``: a code too long for
that (about 17 characters on these labels) is encoded as its short stand-in
(``short``, see ``wms.base.codes.short_code``), with the real code as the text.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas

from wms.base.codes import COMMANDS, SCREEN_COMMANDS, command_code, language_command
from wms.base.i18n import N_, _
from wms.i18n import available_languages, language_name
from wms.prints.barcodes import (
    CODE128,
    FONT,
    FONT_BOLD,
    PrintCanvas,
    Symbology,
    barcode_pattern,
    barcode_width,
    draw_barcode,
    fit_font_size,
    fit_module_width,
    fit_text,
    fits_at_minimum,
    pdf_text,
    product_symbology,
)
from wms.prints.barcodes import page_size as resolve_page_size


@dataclass(frozen=True)
class LocationLabel:
    code: str  # the bin / location code, encoded as Code128
    name: str = ""  # e.g. "Aisle A, bay 1, level 3"
    kind: str = ""  # e.g. "pick", "reserve", "dock"
    short: str = ""  # encoded instead when the code is too long to scan at this size


@dataclass(frozen=True)
class ProductLabel:
    sku: str
    name: str
    barcode: str = ""  # EAN-13 printed as EAN-13; other values as Code128; empty -> SKU
    short: str = ""  # encoded instead when the value is too long to scan at this size


@dataclass(frozen=True)
class Badge:
    name: str
    role: str
    badge_code: str  # encoded as Code128; what the badge scanner reads


@dataclass(frozen=True)
class _Grid:
    cols: int
    rows: int
    label_w: float
    label_h: float
    left: float  # page edge to the first label
    top: float  # page edge (top) to the first label
    pitch_x: float  # label to label, left edges
    pitch_y: float  # label to label, top edges

    @property
    def per_page(self) -> int:
        return self.cols * self.rows


_LABEL_GRIDS = {
    "A4": _Grid(3, 7, 63.5 * mm, 38.1 * mm, 7.2 * mm, 15.1 * mm, 66.0 * mm, 38.1 * mm),
    "LETTER": _Grid(3, 10, 2.625 * inch, 1.0 * inch, 0.1875 * inch, 0.5 * inch, 2.75 * inch, inch),
}

_BADGE_W = 85.6 * mm
_BADGE_H = 54.0 * mm


def _badge_grid(page: str) -> _Grid:
    width, height = resolve_page_size(page)
    cols = int((width - 36) // _BADGE_W)
    rows = int((height - 36) // _BADGE_H)
    left = (width - cols * _BADGE_W) / 2
    top = (height - rows * _BADGE_H) / 2
    return _Grid(cols, rows, _BADGE_W, _BADGE_H, left, top, _BADGE_W, _BADGE_H)


def labels_per_page(page_size: str = "A4") -> int:
    """Location or product labels per sheet."""
    return _label_grid(page_size).per_page


def badges_per_page(page_size: str = "A4") -> int:
    return _badge_grid(page_size).per_page


def _label_grid(page: str) -> _Grid:
    resolve_page_size(page)  # the error for an unknown size
    return _LABEL_GRIDS[page.upper()]


def _cells(c: Canvas, grid: _Grid, height: float, count: int) -> Iterator[tuple[float, float]]:
    """Lower-left corners of ``count`` cells, filling rows left to right, then pages."""
    for i in range(count):
        slot = i % grid.per_page
        if i and slot == 0:
            c.showPage()
        row, col = divmod(slot, grid.cols)
        x = grid.left + col * grid.pitch_x
        y = height - grid.top - row * grid.pitch_y - grid.label_h
        yield x, y


def _height(page: str) -> float:
    return resolve_page_size(page)[1]


def _new_canvas(page: str, title: object) -> tuple[Canvas, io.BytesIO]:
    buffer = io.BytesIO()
    c = PrintCanvas(buffer, pagesize=resolve_page_size(page))
    c.setTitle(pdf_text(title))
    c.setCreator("wms")
    return c, buffer


def _finish(c: Canvas, buffer: io.BytesIO) -> bytes:
    c.showPage()
    c.save()
    return buffer.getvalue()


def _centred_barcode(
    c: Canvas,
    value: str,
    symbology: Symbology,
    centre_x: float,
    y: float,
    width: float,
    height: float,
    *,
    max_module: float,
    text: str | bool = False,
) -> None:
    pattern = barcode_pattern(value, symbology)
    module = fit_module_width(value, width, symbology, max_module_width=max_module, pattern=pattern)
    total = barcode_width(value, module, symbology, pattern=pattern)
    draw_barcode(
        c,
        value,
        centre_x - total / 2,
        y,
        height,
        symbology=symbology,
        module_width=module,
        pattern=pattern,
        text=text,
        font_size=7,
    )


# --------------------------------------------------------------------------- locations


_EDGE = 2.0  # the bars' quiet zones may reach this close to a label's edge


def _encoded(value: str, short: str, symbology: Symbology, width: float) -> str:
    """What the label's bars carry: the value, or its short stand-in when the value
    would print below the minimum module width."""
    if fits_at_minimum(value, width, symbology):
        return value
    if short and fits_at_minimum(short, width, CODE128):
        return short
    raise ValueError(f"{value!r} is too long to print as a barcode that scans on this label")


def render_location_labels(locations: Sequence[LocationLabel], page_size: str = "A4") -> bytes:
    """Location labels (code in large text, its Code128, name and kind) on label sheets."""
    if not locations:
        raise ValueError("no locations to print")
    grid = _label_grid(page_size)
    field = grid.label_w - 2 * _EDGE
    encoded = []
    for location in locations:
        barcode_pattern(location.code, CODE128)  # refuse bad codes before drawing
        encoded.append(_encoded(location.code, location.short, CODE128, field))
    c, buffer = _new_canvas(page_size, _("Location labels"))
    pad = 8.0
    inner = grid.label_w - 2 * pad
    for location, value, (x, y) in zip(
        locations, encoded, _cells(c, grid, _height(page_size), len(locations)), strict=True
    ):
        top = y + grid.label_h
        size = fit_font_size(location.code, FONT_BOLD, 15, inner, 8)
        c.setFont(FONT_BOLD, size)
        code = fit_text(location.code, FONT_BOLD, size, inner)
        c.drawCentredString(x + grid.label_w / 2, top - pad - size + 2, code)
        detail = " - ".join(p for p in (location.name, location.kind.upper()) if p)
        bar_bottom = y + pad - 2
        if detail:
            c.setFont(FONT, 7)
            c.drawCentredString(x + grid.label_w / 2, y + pad - 3, fit_text(detail, FONT, 7, inner))
            bar_bottom += 8
        bar_height = top - pad - size - 2 - bar_bottom
        _centred_barcode(
            c,
            value,
            CODE128,
            x + grid.label_w / 2,
            bar_bottom,
            field,
            bar_height,
            max_module=1.4,
        )
    return _finish(c, buffer)


# --------------------------------------------------------------------------- products


def product_label_symbol(product: ProductLabel) -> tuple[Symbology, str]:
    """What a product label encodes: (EAN-13, barcode), else (Code128, barcode or SKU)."""
    value = product.barcode or product.sku
    return product_symbology(value), value


def render_product_labels(products: Sequence[ProductLabel], page_size: str = "A4") -> bytes:
    """Product labels (SKU, name, barcode with its digits) on label sheets."""
    if not products:
        raise ValueError("no products to print")
    grid = _label_grid(page_size)
    field = grid.label_w - 2 * _EDGE
    symbols = []
    for product in products:
        symbology, value = product_label_symbol(product)
        barcode_pattern(value, symbology)
        encoded = _encoded(value, product.short, symbology, field)
        symbols.append((symbology if encoded == value else CODE128, encoded, value))
    c, buffer = _new_canvas(page_size, _("Product labels"))
    pad = 7.0
    inner = grid.label_w - 2 * pad
    for product, (symbology, value, caption), (x, y) in zip(
        products, symbols, _cells(c, grid, _height(page_size), len(products)), strict=True
    ):
        top = y + grid.label_h
        size = fit_font_size(product.sku, FONT_BOLD, 10, inner, 7)
        c.setFont(FONT_BOLD, size)
        c.drawString(x + pad, top - pad - size + 2, fit_text(product.sku, FONT_BOLD, size, inner))
        c.setFont(FONT, 7)
        name_y = top - pad - size - 7
        c.drawString(x + pad, name_y, fit_text(product.name, FONT, 7, inner))
        bar_bottom = y + pad - 3
        _centred_barcode(
            c,
            value,
            symbology,
            x + grid.label_w / 2,
            bar_bottom,
            field,
            name_y - 4 - bar_bottom,
            max_module=1.2,
            text=caption,
        )
    return _finish(c, buffer)


# --------------------------------------------------------------------------- commands


# What each command does, printed small under its word (in the reader's language;
# the word and the barcode stay the same in every language).
COMMAND_CAPTIONS = {
    "MENU": N_("Back to the menu"),
    "RECEIVE": N_("Receive inbound units"),
    "PUTAWAY": N_("Put away from dock, tote or lane"),
    "PICK": N_("Pick the next wave"),
    "PACK": N_("Pack station"),
    "RETURNS": N_("Returns bench"),
    "COUNT": N_("Cycle count"),
    "LOOKUP": N_("Scan anything"),
    "BOARD": N_("Dock board"),
    "LOGOUT": N_("Log out"),
    "DONE": N_("Finish; twice closes a receipt"),
    "UNDO": N_("Take back the last scan"),
    "SKIP": N_("Leave this line for later"),
    "SHORT": N_("The bin holds too few"),
    "DAMAGED": N_("The next unit is damaged"),
    "PRINT": N_("Print the label again"),
    "BLIND": N_("Receive without an ASN"),
    "NEW": N_("Another inbound or return"),
    "RESELL": N_("Return grade: resellable"),
    "REWORK": N_("Return grade: needs rework"),
    "NOT-OURS": N_("Return grade: not ours"),
}


def command_caption(word: str) -> str:
    """What the command ``word`` does, in the reader's language; a language's command
    is captioned with that language's own name (``Français``), for whoever reads it."""
    if word.startswith("LANG-"):
        return language_name(word.removeprefix("LANG-").lower())
    caption = COMMAND_CAPTIONS.get(word)
    return str(_(caption)) if caption else ""


def render_command_sheet(page_size: str = "A4") -> bytes:
    """Two pages of command barcodes, two a row: the screens (MENU, RECEIVE, PICK...,
    LOGOUT) with the languages (LANG-EN, LANG-FR...), then the actions (DONE, UNDO,
    SKIP, SHORT, DAMAGED, PRINT, BLIND, NEW and the returns grades RESELL, REWORK,
    NOT-OURS).

    Each encodes ``command_code(word)`` (e.g. ``CMD-DONE``), with the word in large
    text above it and what it does in small text.
    """
    width, height = resolve_page_size(page_size)
    c, buffer = _new_canvas(page_size, _("Command barcodes"))
    languages = [language_command(code).removeprefix("CMD-") for code in available_languages()]
    pages = (
        (
            _("Command barcodes · Screens"),
            _(
                "Scan on any floor screen to open another, or to change its language. "
                "Keep this sheet at the station."
            ),
            (*SCREEN_COMMANDS, *languages),
        ),
        (
            _("Command barcodes · Actions"),
            _("Scan on the floor screen you work on. Keep this sheet at the station."),
            COMMANDS,
        ),
    )
    for number, (title, note, words) in enumerate(pages):
        if number:
            c.showPage()
        _command_page(c, width, height, pdf_text(title), pdf_text(note), words)
    return _finish(c, buffer)


def _command_page(
    c: Canvas, width: float, height: float, title: str, note: str, words: Sequence[str]
) -> None:
    margin = 40.0
    c.setFont(FONT_BOLD, 20)
    c.drawString(margin, height - margin - 20, fit_text(title, FONT_BOLD, 20, width - 2 * margin))
    c.setFont(FONT, 9)
    c.drawString(margin, height - margin - 36, fit_text(note, FONT, 9, width - 2 * margin))
    cols = 2
    rows = -(-len(words) // cols)
    cell_w = (width - 2 * margin) / cols
    cell_top = height - margin - 56
    cell_h = (cell_top - margin) / rows
    for i, word in enumerate(words):
        row, col = divmod(i, cols)
        x = margin + col * cell_w
        y = cell_top - (row + 1) * cell_h
        c.setLineWidth(0.5)
        c.setDash(3, 3)
        c.rect(x + 4, y + 4, cell_w - 8, cell_h - 8, stroke=1, fill=0)
        c.setDash()
        c.setFont(FONT_BOLD, 26)
        c.drawCentredString(x + cell_w / 2, y + cell_h - 36, word)
        c.setFont(FONT, 8)
        caption = fit_text(command_caption(word), FONT, 8, cell_w - 16)
        c.drawCentredString(x + cell_w / 2, y + cell_h - 48, caption)
        _centred_barcode(
            c,
            command_code(word),
            CODE128,
            x + cell_w / 2,
            y + 20,
            cell_w - 30,
            cell_h - 76,
            max_module=1.6,
            text=True,
        )


# --------------------------------------------------------------------------- badges


def render_badges(badges: Sequence[Badge], page_size: str = "A4") -> bytes:
    """ID-card sized badges (name, role, Code128 of the badge code) with cut lines."""
    if not badges:
        raise ValueError("no badges to print")
    for badge in badges:
        barcode_pattern(badge.badge_code, CODE128)
    grid = _badge_grid(page_size)
    c, buffer = _new_canvas(page_size, _("Badges"))
    pad = 12.0
    inner = grid.label_w - 2 * pad
    for badge, (x, y) in zip(badges, _cells(c, grid, _height(page_size), len(badges)), strict=True):
        top = y + grid.label_h
        c.setLineWidth(0.4)
        c.setDash(2, 2)
        c.rect(x, y, grid.label_w, grid.label_h, stroke=1, fill=0)
        c.setDash()
        c.setFillColorRGB(0, 0, 0)
        c.rect(x, top - 20, grid.label_w, 20, stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)
        c.setFont(FONT_BOLD, 9)
        c.drawString(x + pad, top - 14, fit_text(_("WAREHOUSE STAFF"), FONT_BOLD, 9, inner))
        c.setFillColorRGB(0, 0, 0)
        size = fit_font_size(badge.name, FONT_BOLD, 17, inner, 9)
        c.setFont(FONT_BOLD, size)
        c.drawString(x + pad, top - 42, fit_text(badge.name, FONT_BOLD, size, inner))
        c.setFont(FONT, 10)
        c.drawString(x + pad, top - 56, fit_text(badge.role, FONT, 10, inner))
        _centred_barcode(
            c,
            badge.badge_code,
            CODE128,
            x + grid.label_w / 2,
            y + 8,
            inner + 2 * pad - 8,
            top - 66 - (y + 8),
            max_module=1.3,
            text=True,
        )
    return _finish(c, buffer)
