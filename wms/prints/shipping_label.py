"""4x6 inch shipping labels: PDF (vector Code128) and ZPL II for 203 dpi printers.

Layout, top to bottom: carrier and service (service reversed out, for sorting),
ship date, FROM block (small), SHIP TO block (large), order number, weight and
reference, then the tracking number as a Code128 barcode with the number in text.

Tracking numbers must be printable ASCII (what Code128 carries); in ZPL a ``>``
is refused too, because Zebra printers read it as a Code128 invocation code.
Text is made safe for the built-in PDF fonts (see ``barcodes.pdf_text``); in ZPL
every field is hex-escaped through ``^FH`` where needed (``^``, ``~``, ``\\`` and
non-ASCII, sent as UTF-8 under ``^CI28``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

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
class LabelAddress:
    name: str
    street1: str
    street2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = "US"
    company: str = ""


@dataclass(frozen=True)
class ShippingLabelData:
    carrier: str  # e.g. "WMS Local"
    service: str  # e.g. "Express"
    tracking_number: str
    ship_from: LabelAddress
    ship_to: LabelAddress
    weight_g: int
    order_number: str  # e.g. "W-10422"
    reference: str = ""  # e.g. parcel id or box code
    shipped_on: date | None = None


def address_lines(address: LabelAddress) -> list[str]:
    """The printed lines of an address, empty parts left out.

    Name, company, street lines, ``"City, ST ZIP"`` (or ``"ZIP City"`` outside the
    US and Canada), country code.
    """
    lines = [address.name, address.company, address.street1, address.street2]
    if address.country.upper() in ("US", "CA", ""):
        place = ", ".join(p for p in (address.city, address.state) if p)
        place = " ".join(p for p in (place, address.zip) if p)
    else:
        place = " ".join(p for p in (address.zip, address.city, address.state) if p)
    lines.append(place)
    lines.append(address.country.upper())
    return [line.strip() for line in lines if line and line.strip()]


def format_weight(weight_g: int) -> str:
    """Grams as kilograms with two decimals: 1250 -> ``"1.25 kg"``."""
    return f"{weight_g / 1000:.2f} kg"


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


def _caption(c: Canvas, x: float, y: float, text: str) -> None:
    c.setFont(FONT_BOLD, 6.5)
    c.drawString(x, y, text)


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
        c.drawString(_M, top - 39, f"Ship date {label.shipped_on.isoformat()}")
    y = top - 46
    _rule(c, y)

    # FROM, small.
    _caption(c, _M, y - 9, "FROM")
    c.setFont(FONT, 7.5)
    line_y = y - 17
    for line in address_lines(label.ship_from)[:6]:
        c.drawString(_M, line_y, fit_text(line, FONT, 7.5, _INNER))
        line_y -= 8.6
    y = top - 110
    _rule(c, y)

    # SHIP TO, large.
    _caption(c, _M, y - 9, "SHIP TO")
    lines = address_lines(label.ship_to)[:6]
    line_y = y - 24
    for i, line in enumerate(lines):
        bold = i == 0 or i >= len(lines) - 2  # name, city line, country
        font = FONT_BOLD if bold else FONT
        size = fit_font_size(line, font, 14 if bold else 12, _INNER - 8, 8)
        c.setFont(font, size)
        c.drawString(_M + 8, line_y, fit_text(line, font, size, _INNER - 8))
        line_y -= 15
    y = top - 222
    _rule(c, y, 2.0)

    # Order number, weight, reference.
    _caption(c, _M, y - 9, "ORDER")
    _caption(c, _M + _INNER * 0.62, y - 9, "WEIGHT")
    c.setFont(FONT_BOLD, 16)
    c.drawString(_M, y - 27, fit_text(label.order_number, FONT_BOLD, 16, _INNER * 0.6))
    c.setFont(FONT_BOLD, 14)
    c.drawString(_M + _INNER * 0.62, y - 27, format_weight(label.weight_g))
    if label.reference:
        c.setFont(FONT, 8)
        c.drawString(_M, y - 41, fit_text(f"Ref: {label.reference}", FONT, 8, _INNER))
    y = top - 272
    _rule(c, y, 2.0)

    # Tracking barcode, as wide as the label allows, in whole 203 dpi dots.
    _caption(c, _M, y - 9, "TRACKING #")
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
        88,
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
    c.setTitle("Shipping labels")
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


def _zpl_clip(text: str, height: int, width: int) -> str:
    """Cut ``text`` to what font 0 at ``height`` dots fits in ``width`` (an estimate)."""
    text = text.strip()
    room = max(1, int(width / (height * 0.56)))
    return text if len(text) <= room else text[: room - 1].rstrip() + "."


def _zpl_text(x: int, y: int, height: int, text: str, width: int = _ZPL_INNER) -> str:
    clipped = zpl_escape(_zpl_clip(text, height, width))
    return f"^FO{x},{y}^A0N,{height},{height}^FH\\^FD{clipped}^FS"


def _zpl_rule(y: int, thickness: int = 3) -> str:
    return f"^FO{_ZPL_MARGIN},{y}^GB{_ZPL_INNER},{thickness},{thickness}^FS"


def render_label_zpl(label: ShippingLabelData) -> str:
    """ZPL II for one 4x6 label at 203 dpi (812x1218 dots), ``^XA`` ... ``^XZ``."""
    _check(label)
    if ">" in label.tracking_number:
        raise ValueError("ZPL Code128 cannot carry '>' in a tracking number")
    m = _ZPL_MARGIN
    out = ["^XA", "^CI28", f"^PW{ZPL_WIDTH}", f"^LL{ZPL_HEIGHT}", "^LH0,0"]

    service = _zpl_clip(label.service or "-", 56, _ZPL_INNER // 2)
    box_w = min(_ZPL_INNER // 2, int(len(service) * 56 * 0.6) + 30)
    box_x = ZPL_WIDTH - m - box_w
    out.append(f"^FO{box_x},{m}^GB{box_w},84,84^FS")
    out.append(f"^FO{box_x},{m + 16}^A0N,56,56^FB{box_w},1,0,C^FR^FH\\^FD{zpl_escape(service)}^FS")
    out.append(_zpl_text(m, m + 6, 60, label.carrier, _ZPL_INNER - box_w - 20))
    if label.shipped_on is not None:
        out.append(_zpl_text(m, m + 76, 24, f"Ship date {label.shipped_on.isoformat()}"))
    y = m + 108
    out.append(_zpl_rule(y))

    out.append(_zpl_text(m, y + 10, 20, "FROM"))
    line_y = y + 36
    for line in address_lines(label.ship_from)[:6]:
        out.append(_zpl_text(m, line_y, 24, line))
        line_y += 26
    y = m + 300
    out.append(_zpl_rule(y))

    out.append(_zpl_text(m, y + 10, 20, "SHIP TO"))
    line_y = y + 40
    for line in address_lines(label.ship_to)[:6]:
        out.append(_zpl_text(m + 20, line_y, 38, line, _ZPL_INNER - 20))
        line_y += 44
    y = m + 620
    out.append(_zpl_rule(y, 6))

    out.append(_zpl_text(m, y + 10, 20, "ORDER"))
    out.append(_zpl_text(m + 500, y + 10, 20, "WEIGHT", 250))
    out.append(_zpl_text(m, y + 36, 48, label.order_number, 460))
    out.append(_zpl_text(m + 500, y + 36, 44, format_weight(label.weight_g), 250))
    if label.reference:
        out.append(_zpl_text(m, y + 94, 24, f"Ref: {label.reference}"))
    y = m + 760
    out.append(_zpl_rule(y, 6))

    out.append(_zpl_text(m, y + 12, 20, "TRACKING #"))
    modules = len(code128_pattern(label.tracking_number)) + 20
    dots = max(1, min(4, _ZPL_INNER // modules))
    x = max(0, (ZPL_WIDTH - modules * dots) // 2) + 10 * dots
    height = 230
    out.append(
        f"^FO{x},{y + 50}^BY{dots},3,{height}^BCN,{height},N,N,N,A"
        f"^FH\\^FD{zpl_escape(label.tracking_number)}^FS"
    )
    out.append(
        f"^FO{m},{y + 300}^A0N,40,40^FB{_ZPL_INNER},1,0,C"
        f"^FH\\^FD{zpl_escape(label.tracking_number)}^FS"
    )
    out.append("^PQ1")
    out.append("^XZ")
    return "\n".join(out) + "\n"


def render_labels_zpl(labels: Sequence[ShippingLabelData]) -> str:
    """The labels' ZPL, one ``^XA`` ... ``^XZ`` format per label, in order."""
    return "".join(render_label_zpl(label) for label in labels)
