"""The pick list of a wave: one row per line, in the walking order of the bins.

Every page carries the header (wave code with its Code128, created, picker, totals,
column heads) and the footer (wave, totals, ``Page x of y``).  Each row has a tick
box, the bin (code and Code128), the product (SKU, name and a barcode: EAN-13 when
``product_barcode`` is a valid EAN-13, else Code128 of the SKU), the quantity and
the order (number and Code128) with the tote when there is one. An EAN-13 prints
with its digits beside the bars.

Rows have a fixed height, so the page count is known before drawing and the page
is drawn straight onto the canvas (no Platypus): 1,000 lines take well under a
second.  Texts too long for their column are cut with an ellipsis; a barcode is
narrowed to fit its column, never below ``MIN_MODULE_WIDTH``: a bin or SKU too
long for that (roughly over 13 mixed characters) is encoded as its short
stand-in (``bin_short``, ``product_short``), which scans as the same bin or product.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.pdfgen.canvas import Canvas

from wms.base.codes import is_valid_ean13
from wms.base.i18n import _, n_
from wms.i18n import format_datetime, format_number
from wms.prints.barcodes import (
    CODE128,
    EAN13,
    FONT,
    FONT_BOLD,
    PrintCanvas,
    Symbology,
    barcode_pattern,
    draw_barcode,
    fit_font_size,
    fit_module_width,
    fit_text,
    fits_at_minimum,
    pdf_text,
)
from wms.prints.barcodes import page_size as resolve_page_size


@dataclass(frozen=True)
class PickListLine:
    bin_code: str
    walk_seq: int  # position of the bin on the walk; lower is picked first
    sku: str
    product_name: str
    product_barcode: str  # EAN-13 printed as EAN-13; anything else -> Code128 of the SKU
    qty: int
    order_number: str
    tote: str = ""
    bin_short: str = ""  # what the bin's barcode carries when its code is too long to scan
    product_short: str = ""  # the same for a product printed by its SKU


def walk_order(lines: Sequence[PickListLine]) -> list[PickListLine]:
    """``lines`` sorted by walk sequence, then bin code, then SKU (stable)."""
    return sorted(lines, key=lambda line: (line.walk_seq, line.bin_code, line.sku))


MARGIN_X = 28.0
MARGIN_TOP = 24.0
MARGIN_BOTTOM = 22.0
HEADER_HEIGHT = 84.0
FOOTER_HEIGHT = 22.0
ROW_HEIGHT = 38.0
BAR_HEIGHT = 19.0
MAX_MODULE = 1.0

# Column widths (points); the order column takes what is left.
_TICK_W = 22.0
_BIN_W = 150.0
_PRODUCT_W = 175.0
_QTY_W = 40.0


def rows_per_page(page: str = "A4") -> int:
    """How many lines fit on one page of the given size."""
    height = resolve_page_size(page)[1]
    room = height - MARGIN_TOP - HEADER_HEIGHT - FOOTER_HEIGHT - MARGIN_BOTTOM
    return int(room // ROW_HEIGHT)


class _Patterns:
    """Bar patterns built once per value within one render (bins and orders repeat)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], str] = {}

    def get(self, value: str, symbology: Symbology) -> str:
        key = (symbology, value)
        pattern = self._cache.get(key)
        if pattern is None:
            pattern = barcode_pattern(value, symbology)
            self._cache[key] = pattern
        return pattern


def _barcode_in(
    c: Canvas,
    patterns: _Patterns,
    value: str,
    symbology: Symbology,
    x: float,
    y: float,
    width: float,
    short: str = "",
) -> float:
    """A barcode at (x, y), fitted into ``width`` points (quiet zones included), or its
    short stand-in when it would print too thin; returns the width drawn (0: none)."""
    pattern = patterns.get(value, symbology)
    if not fits_at_minimum(value, width, symbology, pattern=pattern):
        if not short or not fits_at_minimum(short, width, CODE128):
            return 0.0  # no barcode rather than one that does not scan; the text stays
        value, symbology, pattern = short, CODE128, patterns.get(short, CODE128)
    module = fit_module_width(value, width, symbology, max_module_width=MAX_MODULE, pattern=pattern)
    return draw_barcode(
        c, value, x, y, BAR_HEIGHT, symbology=symbology, module_width=module, pattern=pattern
    )


def render_pick_list(
    wave_code: str,
    lines: Sequence[PickListLine],
    page_size: str = "A4",
    created_at: datetime | None = None,
    picker: str = "",
) -> bytes:
    """The pick list PDF of ``wave_code`` on A4 or Letter (``page_size``)."""
    if not wave_code:
        raise ValueError("wave code is required")
    width, height = resolve_page_size(page_size)
    ordered = walk_order(lines)
    per_page = rows_per_page(page_size)
    pages = max(1, -(-len(ordered) // per_page))
    units = sum(line.qty for line in ordered)
    count = len(ordered)
    totals = pdf_text(
        _(
            "%(lines)s, %(units)s",
            lines=n_("%(num)s line", "%(num)s lines", count, num=format_number(count)),
            units=n_("%(num)s unit", "%(num)s units", units, num=format_number(units)),
        )
    )
    patterns = _Patterns()

    buffer = io.BytesIO()
    c = PrintCanvas(buffer, pagesize=(width, height))
    c.setTitle(pdf_text(_("Pick list %(wave)s", wave=wave_code)))
    c.setCreator("wms")

    left = MARGIN_X
    inner = width - 2 * MARGIN_X
    order_w = inner - _TICK_W - _BIN_W - _PRODUCT_W - _QTY_W
    x_bin = left + _TICK_W
    x_product = x_bin + _BIN_W
    x_qty = x_product + _PRODUCT_W
    x_order = x_qty + _QTY_W
    wave_text = pdf_text(wave_code)
    picker_text = pdf_text(_("Picker: %(name)s", name=picker or "______________"))
    created_text = (
        pdf_text(_("Created %(when)s", when=format_datetime(created_at, "screen")))
        if created_at
        else ""
    )
    heads = [pdf_text(w) for w in (_("BIN"), _("PRODUCT"), _("QTY"), _("ORDER / TOTE"))]
    info = "   ".join(p for p in (created_text, picker_text, totals) if p)

    for page in range(pages):
        # Header.
        top = height - MARGIN_TOP
        c.setFont(FONT_BOLD, 8)
        c.drawString(left, top - 8, pdf_text(_("PICK LIST")))
        c.setFont(FONT_BOLD, 20)
        c.drawString(left, top - 30, fit_text(wave_code, FONT_BOLD, 20, inner - 230))
        c.setFont(FONT, 8.5)
        c.drawString(left, top - 46, fit_text(info, FONT, 8.5, inner - 230))
        _wave_barcode(c, patterns, wave_code, left + inner, top - 52)
        head_y = top - HEADER_HEIGHT + 8
        c.setFont(FONT_BOLD, 8)
        c.drawString(x_bin, head_y, heads[0])
        c.drawString(x_product, head_y, fit_text(heads[1], FONT_BOLD, 8, _PRODUCT_W - 4))
        c.drawCentredString(x_qty + _QTY_W / 2, head_y, heads[2])
        c.drawString(x_order, head_y, fit_text(heads[3], FONT_BOLD, 8, order_w))
        c.setLineWidth(1.2)
        c.line(left, head_y - 4, left + inner, head_y - 4)

        # Rows.
        c.setLineWidth(0.4)
        row_top = head_y - 4
        for line in ordered[page * per_page : (page + 1) * per_page]:
            _draw_row(c, patterns, line, row_top, x_bin, x_product, x_qty, x_order, order_w)
            row_top -= ROW_HEIGHT
            c.line(left, row_top, left + inner, row_top)
        if not ordered:
            c.setFont(FONT, 11)
            c.drawString(left, row_top - 20, pdf_text(_("No lines in this wave.")))

        # Footer.
        foot = MARGIN_BOTTOM
        c.setLineWidth(0.8)
        c.line(left, foot + 12, left + inner, foot + 12)
        c.setFont(FONT, 8.5)
        footer = _("Wave %(wave)s - %(totals)s", wave=wave_text, totals=totals)
        c.drawString(left, foot, fit_text(footer, FONT, 8.5, inner - 90))
        c.setFont(FONT_BOLD, 8.5)
        page_of = _("Page %(page)s of %(pages)s", page=page + 1, pages=pages)
        c.drawRightString(left + inner, foot, pdf_text(page_of))
        c.showPage()
    c.save()
    return buffer.getvalue()


def _wave_barcode(c: Canvas, patterns: _Patterns, wave_code: str, right: float, y: float) -> None:
    pattern = patterns.get(wave_code, CODE128)
    module = fit_module_width(wave_code, 220, CODE128, max_module_width=1.2, pattern=pattern)
    total = (len(pattern) + 20) * module
    draw_barcode(c, wave_code, right - total, y, 44, module_width=module, pattern=pattern)


def _draw_row(
    c: Canvas,
    patterns: _Patterns,
    line: PickListLine,
    row_top: float,
    x_bin: float,
    x_product: float,
    x_qty: float,
    x_order: float,
    order_w: float,
) -> None:
    text_y = row_top - 11
    bar_y = row_top - ROW_HEIGHT + 4
    # Tick box.
    c.rect(x_bin - _TICK_W + 2, row_top - ROW_HEIGHT / 2 - 6, 12, 12, stroke=1, fill=0)
    # Bin.
    bin_size = fit_font_size(line.bin_code, FONT_BOLD, 10.5, _BIN_W - 8, 7)
    c.setFont(FONT_BOLD, bin_size)
    c.drawString(x_bin + 4, text_y, fit_text(line.bin_code, FONT_BOLD, bin_size, _BIN_W - 8))
    _barcode_in(c, patterns, line.bin_code, CODE128, x_bin, bar_y, _BIN_W - 6, line.bin_short)
    # Product.
    c.setFont(FONT_BOLD, 8.5)
    sku = fit_text(line.sku, FONT_BOLD, 8.5, _PRODUCT_W - 8)
    c.drawString(x_product + 4, text_y, sku)
    sku_w = c.stringWidth(sku, FONT_BOLD, 8.5)
    name_room = _PRODUCT_W - 14 - sku_w
    if line.product_name and name_room > 20:
        c.setFont(FONT, 8)
        c.drawString(
            x_product + 10 + sku_w, text_y, fit_text(line.product_name, FONT, 8, name_room)
        )
    if is_valid_ean13(line.product_barcode):
        ean = line.product_barcode
        drawn = _barcode_in(c, patterns, ean, EAN13, x_product, bar_y, _PRODUCT_W - 62)
        c.setFont(FONT, 7)
        c.drawString(x_product + drawn + 1, bar_y + BAR_HEIGHT / 2 - 2.5, ean)
    else:
        _barcode_in(
            c, patterns, line.sku, CODE128, x_product, bar_y, _PRODUCT_W - 6, line.product_short
        )
    # Quantity.
    c.setFont(FONT_BOLD, 16)
    c.drawCentredString(x_qty + _QTY_W / 2, row_top - ROW_HEIGHT / 2 - 5, str(line.qty))
    # Order and tote.
    c.setFont(FONT_BOLD, 9.5)
    order = fit_text(line.order_number, FONT_BOLD, 9.5, order_w - 8)
    c.drawString(x_order + 4, text_y, order)
    if line.tote:
        order_text_w = c.stringWidth(order, FONT_BOLD, 9.5)
        tote_room = order_w - 16 - order_text_w
        if tote_room > 20:
            c.setFont(FONT, 8)
            c.drawString(
                x_order + 12 + order_text_w,
                text_y,
                fit_text(_("Tote %(tote)s", tote=line.tote), FONT, 8, tote_room),
            )
    _barcode_in(c, patterns, line.order_number, CODE128, x_order, bar_y, order_w - 2)
