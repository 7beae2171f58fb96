"""4x6 inch shipping labels: PDF (vector Code128) and ZPL II for 203 dpi printers.

Layout, top to bottom: carrier and service (service reversed out, for sorting),
ship date, FROM block (small), SHIP TO block (large), order number, weight and
reference, then the tracking number as a Code128 barcode with the number in text.

A label with a ``notice`` (the built-in carrier's: an internal label, valid
with no carrier) prints it reversed out under the carrier, on the PDF and the ZPL.

Addresses are never cut: each line is fitted by its measured width, shrunk
down to a minimum size, then wrapped between words (a postal code with its
state is never split; a word longer than the line breaks after a hyphen, else
between letters). The PDF measures with the font's own metrics (reportlab's
``stringWidth``). The ZPL prints with the printer's scalable font 0 (CG
Triumvirate Bold Condensed); Zebra publishes no per-character widths for it,
so it is measured with Helvetica-Bold's widths (Triumvirate is a Helvetica
design, and its bold condensed cut is narrower) plus 10 %, which errs on the
wide side: a line measured to fit never reaches the label's edge.

Tracking numbers must be printable ASCII (what Code128 carries); in ZPL a ``>``
is refused too, because Zebra printers read it as a Code128 invocation code.
Text is made safe for the built-in PDF fonts (see ``barcodes.pdf_text``); in ZPL
every field is hex-escaped through ``^FH`` where needed (``^``, ``~``, ``\\`` and
non-ASCII, sent as UTF-8 under ``^CI28``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from wms.base.address import Address
from wms.base.i18n import _
from wms.i18n import format_date, format_decimal
from wms.prints.barcodes import (
    CODE128,
    FONT,
    FONT_BOLD,
    PrintCanvas,
    code128_pattern,
    draw_barcode,
    fit_font_size,
    fit_module_width,
    fit_text,
    pdf_text,
)

LABEL_WIDTH = 288.0  # 4 in
LABEL_HEIGHT = 432.0  # 6 in
ZPL_DPI = 203
ZPL_WIDTH = 812  # dots: 4 in at 203 dpi
ZPL_HEIGHT = 1218  # dots: 6 in


@dataclass(frozen=True)
class ShippingLabelData:
    carrier: str  # e.g. "WMS Local"
    service: str  # e.g. "Express"
    tracking_number: str
    ship_from: Address
    ship_to: Address
    weight_g: int
    order_number: str  # e.g. "W-10422"
    reference: str = ""  # e.g. parcel id or box code
    shipped_on: date | None = None
    notice: str = ""  # printed reversed out under the carrier, e.g. "INTERNAL LABEL ..."


def address_chunks(address: Address) -> list[list[str]]:
    """The printed lines of an address as their unbreakable pieces, empty parts left out.

    Name, company, street lines, ``"City, ST ZIP"`` (or ``"ZIP City"`` outside the
    US and Canada), country code. The state and postal code stay one piece
    (``"QC J3B 1A1"``), so wrapping never separates or splits them.
    """
    lines = [line.split() for line in (address.name, address.company)]
    lines += [line.split() for line in (address.street1, address.street2)]
    city, state, code = address.city.strip(), address.state.strip(), address.zip.strip()
    if address.country.upper() in ("US", "CA", ""):
        words = f"{city},".split() if city and (state or code) else city.split()
        tail = " ".join(p for p in (state, code) if p)
        place = [*words, tail] if tail else words
    else:
        place = ([code] if code else []) + city.split() + ([state] if state else [])
    lines.append(place)
    lines.append([address.country.strip().upper()])
    return [[" ".join(piece.split()) for piece in line] for line in lines if any(line)]


def address_lines(address: Address) -> list[str]:
    """The printed lines of an address (see ``address_chunks``) as plain text."""
    return [" ".join(chunks) for chunks in address_chunks(address)]


# --------------------------------------------------------------------------- fitting

Measure = Callable[[str, float], float]


def _break_word(word: str, measure: Measure, size: float, width: float) -> list[str]:
    """A word too long for a line, in pieces that fit: after hyphens, else between letters."""
    pieces: list[str] = []
    rest = word
    while rest and measure(rest, size) > width:
        cut = max(
            1, max((i for i in range(1, len(rest)) if measure(rest[:i], size) <= width), default=1)
        )
        hyphen = rest.rfind("-", 0, cut)
        if hyphen > 0:
            cut = hyphen + 1
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def wrap_chunks(chunks: list[str], measure: Measure, size: float, width: float) -> list[str]:
    """Greedy lines of whole chunks that fit ``width``; no character is dropped."""
    lines: list[str] = []
    current = ""
    for chunk in chunks:
        candidate = f"{current} {chunk}" if current else chunk
        if measure(candidate, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _break_word(chunk, measure, size, width)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class FittedLine:
    text: str
    size: float
    bold: bool


def fit_address(
    lines: list[tuple[list[str], float, bool]],
    measure: Callable[[str, float, bool], float],
    width: float,
    height: float,
    min_size: float,
    floor: float,
    leading: float = 1.12,
) -> list[FittedLine]:
    """Each (chunks, largest size, bold) line at the largest size that fits ``width``,
    down to ``min_size``, then wrapped; the whole block shrunk (to ``floor`` at most)
    until its lines fit ``height``."""
    fitted: list[FittedLine] = []
    for scale in (1.0, 0.92, 0.85, 0.78, 0.72, 0.66, 0.6, 0.55, 0.5):
        low = max(floor, min_size * scale)
        fitted = []
        for chunks, largest, bold in lines:
            top = max(low, largest * scale)
            text = " ".join(chunks)

            def fits(size: float, text: str = text, bold: bool = bold) -> bool:
                return measure(text, size, bold) <= width

            if fits(top):
                fitted.append(FittedLine(text, top, bold))
            elif fits(low):
                size = max(low, round(top * width / measure(text, top, bold), 1))
                while not fits(size) and size > low:
                    size = max(low, round(size - 0.5, 1))
                fitted.append(FittedLine(text, size, bold))
            else:
                for part in wrap_chunks(chunks, lambda t, s, b=bold: measure(t, s, b), low, width):
                    fitted.append(FittedLine(part, low, bold))
        if sum(line.size * leading for line in fitted) <= height:
            return fitted
    return fitted


def format_weight(weight_g: int) -> str:
    """Grams as kilograms with two decimals in the reader's language: 1250 -> ``"1.25 kg"``,
    ``"1,25 kg"`` in French."""
    return f"{format_decimal(weight_g / 1000, '#,##0.00')} kg"


def _check(label: ShippingLabelData) -> None:
    tracking = label.tracking_number
    if not tracking or not tracking.isascii() or not tracking.isprintable():
        raise ValueError(f"tracking number must be printable ASCII: {tracking!r}")
    if label.weight_g < 0:
        raise ValueError(f"weight cannot be negative: {label.weight_g}")


# --------------------------------------------------------------------------- PDF

_M = 10.0  # margin
_INNER = LABEL_WIDTH - 2 * _M


def _rule(c: Canvas, y: float, weight: float = 1.2) -> None:
    c.setLineWidth(weight)
    c.line(_M, y, LABEL_WIDTH - _M, y)


def _caption(c: Canvas, x: float, y: float, text: object) -> None:
    c.setFont(FONT_BOLD, 6.5)
    c.drawString(x, y, pdf_text(text))


def _pdf_measure(text: str, size: float, bold: bool) -> float:
    return stringWidth(pdf_text(text), FONT_BOLD if bold else FONT, size)


def _draw_address(
    c: Canvas, address: Address, x: float, top: float, height: float, big: bool
) -> None:
    """An address block from ``top`` down, every character kept, within the label's width."""
    chunks = address_chunks(address)
    if big:  # name, city line and country in bold, larger
        specs = [
            (line, 14.0 if i == 0 or i >= len(chunks) - 2 else 12.0, i == 0 or i >= len(chunks) - 2)
            for i, line in enumerate(chunks)
        ]
        fitted = fit_address(specs, _pdf_measure, LABEL_WIDTH - _M - x, height, 9.0, 6.0)
    else:
        specs = [(line, 7.5, False) for line in chunks]
        fitted = fit_address(specs, _pdf_measure, LABEL_WIDTH - _M - x, height, 6.5, 5.0)
    y = top
    for line in fitted:
        y -= line.size * (1.0 if line is fitted[0] else 1.12)
        c.setFont(FONT_BOLD if line.bold else FONT, line.size)
        c.drawString(x, y, pdf_text(line.text))


def _draw_notice(c: Canvas, top: float, notice: str) -> float:
    """The notice reversed out in a band under ``top``; returns the band's height."""
    band = 16.0
    c.rect(_M, top - band, _INNER, band, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    size = fit_font_size(notice, FONT_BOLD, 9.5, _INNER - 8, 6)
    c.setFont(FONT_BOLD, size)
    c.drawCentredString(
        LABEL_WIDTH / 2, top - band + 5, fit_text(notice, FONT_BOLD, size, _INNER - 8)
    )
    c.setFillColorRGB(0, 0, 0)
    return band + 2


def _draw_label(c: Canvas, label: ShippingLabelData) -> None:
    top = LABEL_HEIGHT - _M

    # Carrier (left) and service reversed out (right).
    service = pdf_text(label.service.strip() or "-")
    service_size = fit_font_size(service, FONT_BOLD, 18, _INNER / 2 - 12, 9)
    box_w = stringWidth(service, FONT_BOLD, service_size) + 12
    box_h = 30.0
    c.setFillColorRGB(0, 0, 0)
    c.rect(LABEL_WIDTH - _M - box_w, top - box_h, box_w, box_h, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(FONT_BOLD, service_size)
    c.drawCentredString(LABEL_WIDTH - _M - box_w / 2, top - box_h + 10, service)
    c.setFillColorRGB(0, 0, 0)
    carrier_room = _INNER - box_w - 8
    carrier_size = fit_font_size(label.carrier, FONT_BOLD, 20, carrier_room, 10)
    c.setFont(FONT_BOLD, carrier_size)
    c.drawString(_M, top - 22, fit_text(label.carrier, FONT_BOLD, carrier_size, carrier_room))
    if label.shipped_on is not None:
        c.setFont(FONT, 8)
        c.drawString(
            _M, top - 39, pdf_text(_("Ship date %(day)s", day=format_date(label.shipped_on)))
        )
    y = top - 46
    # The notice takes its band from the barcode's height, so every block keeps its room.
    shift = _draw_notice(c, y - 1, label.notice) if label.notice else 0.0
    top -= shift
    y = top - 46
    _rule(c, y)

    # FROM, small.
    _caption(c, _M, y - 9, _("FROM"))
    _draw_address(c, label.ship_from, _M, y - 10, 52, big=False)
    y = top - 110
    _rule(c, y)

    # SHIP TO, large.
    _caption(c, _M, y - 9, _("SHIP TO"))
    _draw_address(c, label.ship_to, _M + 8, y - 11, 98, big=True)
    y = top - 222
    _rule(c, y, 2.0)

    # Order number, weight, reference.
    _caption(c, _M, y - 9, _("ORDER"))
    _caption(c, _M + _INNER * 0.62, y - 9, _("WEIGHT"))
    c.setFont(FONT_BOLD, 16)
    c.drawString(_M, y - 27, fit_text(label.order_number, FONT_BOLD, 16, _INNER * 0.6))
    c.setFont(FONT_BOLD, 14)
    c.drawString(_M + _INNER * 0.62, y - 27, format_weight(label.weight_g))
    if label.reference:
        c.setFont(FONT, 8)
        c.drawString(_M, y - 41, fit_text(_("Ref: %(ref)s", ref=label.reference), FONT, 8, _INNER))
    y = top - 272
    _rule(c, y, 2.0)

    # Tracking barcode, as wide as the label allows, in whole 203 dpi dots.
    _caption(c, _M, y - 9, _("TRACKING #"))
    tracking = label.tracking_number
    pattern = code128_pattern(tracking)
    module = fit_module_width(
        tracking, _INNER, CODE128, max_module_width=1.45, snap_dpi=ZPL_DPI, pattern=pattern
    )
    total = (len(pattern) + 20) * module
    draw_barcode(
        c,
        tracking,
        (LABEL_WIDTH - total) / 2,
        _M + 26,
        88 - shift,
        module_width=module,
        pattern=pattern,
    )
    size = fit_font_size(tracking, FONT_BOLD, 13, _INNER, 7)
    c.setFont(FONT_BOLD, size)
    c.drawCentredString(LABEL_WIDTH / 2, _M + 10, tracking)


def render_labels_pdf(labels: Sequence[ShippingLabelData]) -> bytes:
    """One 4x6 inch page (288x432 pt) per label, in the order given."""
    if not labels:
        raise ValueError("no labels to render")
    for label in labels:
        _check(label)
    buffer = io.BytesIO()
    c = PrintCanvas(buffer, pagesize=(LABEL_WIDTH, LABEL_HEIGHT))
    c.setTitle(pdf_text(_("Shipping labels")))
    c.setCreator("wms")
    for label in labels:
        _draw_label(c, label)
        c.showPage()
    c.save()
    return buffer.getvalue()


# --------------------------------------------------------------------------- ZPL

_ZPL_MARGIN = 30
_ZPL_INNER = ZPL_WIDTH - 2 * _ZPL_MARGIN


def zpl_escape(text: str) -> str:
    """Field data for ``^FH\\^FD``: ``^``, ``~``, ``\\`` and non-ASCII as ``\\XX`` hex
    (UTF-8 bytes, for ``^CI28``); control characters become spaces."""
    out: list[str] = []
    for ch in text:
        if ch in "^~\\" or ord(ch) > 126:
            out.append("".join(f"\\{b:02X}" for b in ch.encode("utf-8")))
        elif ord(ch) < 32:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


# Font 0 measured conservatively: Helvetica-Bold advance widths (per 1000 units of the
# font's width parameter) plus this margin; see the module docstring.
ZPL_WIDTH_MARGIN = 1.10


def zpl_text_width(text: str, width: int) -> int:
    """Dots that ``text`` takes in font 0 at ``^A0N,h,width`` (never less than it prints)."""
    return int(stringWidth(pdf_text(text), FONT_BOLD, width) * ZPL_WIDTH_MARGIN) + 1


def _zpl_clip(text: str, height: int, width: int) -> str:
    """Cut ``text`` to what font 0 at ``height`` dots fits in ``width`` (for short fields)."""
    text = text.strip()
    if zpl_text_width(text, height) <= width:
        return text
    while text and zpl_text_width(text + ".", height) > width:
        text = text[:-1]
    return text.rstrip() + "."


def _zpl_text(x: int, y: int, height: int, text: str, width: int = _ZPL_INNER) -> str:
    clipped = zpl_escape(_zpl_clip(text, height, width))
    return f"^FO{x},{y}^A0N,{height},{height}^FH\\^FD{clipped}^FS"


def _zpl_rule(y: int, thickness: int = 3) -> str:
    return f"^FO{_ZPL_MARGIN},{y}^GB{_ZPL_INNER},{thickness},{thickness}^FS"


def _zpl_measure(text: str, size: float, bold: bool) -> float:
    return zpl_text_width(text, int(size))


def _zpl_address(address: Address, x: int, top: int, height: int, big: bool) -> list[str]:
    """An address block from ``top`` down: fitted, wrapped, every character kept."""
    chunks = address_chunks(address)
    width = ZPL_WIDTH - _ZPL_MARGIN - x
    if big:
        specs = [(line, 38.0, True) for line in chunks]
        fitted = fit_address(specs, _zpl_measure, width, height, 28.0, 18.0, leading=1.15)
    else:
        specs = [(line, 24.0, True) for line in chunks]
        fitted = fit_address(specs, _zpl_measure, width, height, 20.0, 16.0, leading=1.1)
    out: list[str] = []
    y = top
    for line in fitted:
        size = int(line.size)
        out.append(f"^FO{x},{y}^A0N,{size},{size}^FH\\^FD{zpl_escape(line.text)}^FS")
        y += int(size * (1.15 if big else 1.1)) + 1
    return out


def render_label_zpl(label: ShippingLabelData) -> str:
    """ZPL II for one 4x6 label at 203 dpi (812x1218 dots), ``^XA`` ... ``^XZ``."""
    _check(label)
    if ">" in label.tracking_number:
        raise ValueError("ZPL Code128 cannot carry '>' in a tracking number")
    m = _ZPL_MARGIN
    out = ["^XA", "^CI28", f"^PW{ZPL_WIDTH}", f"^LL{ZPL_HEIGHT}", "^LH0,0"]

    service = _zpl_clip(label.service or "-", 56, _ZPL_INNER // 2 - 30)
    box_w = min(_ZPL_INNER // 2, zpl_text_width(service, 56) + 30)
    box_x = ZPL_WIDTH - m - box_w
    out.append(f"^FO{box_x},{m}^GB{box_w},84,84^FS")
    out.append(f"^FO{box_x},{m + 16}^A0N,56,56^FB{box_w},1,0,C^FR^FH\\^FD{zpl_escape(service)}^FS")
    out.append(_zpl_text(m, m + 6, 60, label.carrier, _ZPL_INNER - box_w - 20))
    if label.shipped_on is not None:
        day = format_date(label.shipped_on)
        out.append(_zpl_text(m, m + 76, 24, str(_("Ship date %(day)s", day=day))))
    shift = 0
    if label.notice:
        # The notice reversed out in a band; the barcode gives up the height it takes.
        shift = 48
        size = 30
        while size > 16 and zpl_text_width(label.notice, size) > _ZPL_INNER - 20:
            size -= 1
        notice = _zpl_clip(label.notice, size, _ZPL_INNER - 20)
        out.append(f"^FO{m},{m + 106}^GB{_ZPL_INNER},42,42^FS")
        out.append(
            f"^FO{m},{m + 127 - size // 2}^A0N,{size},{size}^FB{_ZPL_INNER},1,0,C^FR"
            f"^FH\\^FD{zpl_escape(notice)}^FS"
        )
    y = m + 108 + shift
    out.append(_zpl_rule(y))

    out.append(_zpl_text(m, y + 10, 20, str(_("FROM"))))
    out += _zpl_address(label.ship_from, m, y + 36, 156, big=False)
    y = m + 300 + shift
    out.append(_zpl_rule(y))

    out.append(_zpl_text(m, y + 10, 20, str(_("SHIP TO"))))
    out += _zpl_address(label.ship_to, m + 20, y + 40, 272, big=True)
    y = m + 620 + shift
    out.append(_zpl_rule(y, 6))

    out.append(_zpl_text(m, y + 10, 20, str(_("ORDER"))))
    out.append(_zpl_text(m + 500, y + 10, 20, str(_("WEIGHT")), 250))
    out.append(_zpl_text(m, y + 36, 48, label.order_number, 460))
    out.append(_zpl_text(m + 500, y + 36, 44, format_weight(label.weight_g), 250))
    if label.reference:
        out.append(_zpl_text(m, y + 94, 24, str(_("Ref: %(ref)s", ref=label.reference))))
    y = m + 760 + shift
    out.append(_zpl_rule(y, 6))

    out.append(_zpl_text(m, y + 12, 20, str(_("TRACKING #"))))
    modules = len(code128_pattern(label.tracking_number)) + 20
    dots = max(1, min(4, _ZPL_INNER // modules))
    x = max(0, (ZPL_WIDTH - modules * dots) // 2) + 10 * dots
    height = 230 - shift
    out.append(
        f"^FO{x},{y + 50}^BY{dots},3,{height}^BCN,{height},N,N,N,A"
        f"^FH\\^FD{zpl_escape(label.tracking_number)}^FS"
    )
    out.append(
        f"^FO{m},{y + 300 - shift}^A0N,40,40^FB{_ZPL_INNER},1,0,C"
        f"^FH\\^FD{zpl_escape(label.tracking_number)}^FS"
    )
    out.append("^PQ1")
    out.append("^XZ")
    return "\n".join(out) + "\n"


def render_labels_zpl(labels: Sequence[ShippingLabelData]) -> str:
    """The labels' ZPL, one ``^XA`` ... ``^XZ`` format per label, in order."""
    return "".join(render_label_zpl(label) for label in labels)
