"""Office documents: packing slip, inbound discrepancy report, carrier manifest.

Each is a plain dataclass in and PDF bytes out (Platypus tables, vector
barcodes).  Every page has a footer with the document and ``Page x of y``; the
total is a form XObject filled in when the document is saved, so one pass is
enough.  ``page_size`` is ``"A4"`` (default) or ``"Letter"``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from wms.base.address import Address
from wms.base.i18n import Text, _, n_
from wms.i18n import format_date, format_datetime, format_number
from wms.prints.barcodes import (
    FONT,
    FONT_BOLD,
    BarcodeFlowable,
    PrintCanvas,
    barcode_pattern,
    fit_text,
    pdf_text,
)
from wms.prints.barcodes import page_size as resolve_page_size
from wms.prints.shipping_label import address_lines, format_weight

# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class PackingSlipLine:
    sku: str
    name: str
    qty_ordered: int  # units of this product on the order
    qty_in_parcel: int  # units of it packed in this parcel (the rest ships separately)


@dataclass(frozen=True)
class PackingSlip:
    order_number: str  # printed large and as Code128
    ship_to: Address
    lines: Sequence[PackingSlipLine]
    box: str = ""  # box code or type the parcel was packed in
    note: str = ""  # customer or gift note, printed as given
    parcel: str = ""  # which parcel this is, e.g. "1 of 2" or a parcel id
    order_date: date | None = None
    packed_at: datetime | None = None
    ship_from: Address | None = None  # shop / return address, top left
    channel: str = ""  # shop or marketplace name shown in the title


@dataclass(frozen=True)
class DiscrepancyLine:
    sku: str
    name: str
    expected: int  # units announced by the supplier
    received: int  # units counted in, damaged ones included
    damaged: int = 0  # of ``received``, units damaged

    @property
    def short(self) -> int:
        return max(self.expected - self.received, 0)

    @property
    def over(self) -> int:
        return max(self.received - self.expected, 0)

    @property
    def is_discrepancy(self) -> bool:
        return self.short > 0 or self.over > 0 or self.damaged > 0


@dataclass(frozen=True)
class DiscrepancyReport:
    inbound_reference: str  # ASN / PO reference, printed as Code128
    supplier: str
    lines: Sequence[DiscrepancyLine]
    expected_date: date | None = None
    closed_at: datetime | None = None  # when receiving was closed
    closed_by: str = ""
    warehouse: str = ""
    note: str = ""


@dataclass(frozen=True)
class ManifestParcel:
    tracking_number: str  # printed as text and Code128
    order_number: str
    service: str
    weight_g: int
    reference: str = ""  # parcel id or box code


@dataclass(frozen=True)
class Manifest:
    carrier: str
    ship_date: date
    parcels: Sequence[ManifestParcel]
    warehouse: str = ""  # site name shown in the header
    account: str = ""  # carrier account number
    created_at: datetime | None = None


# --------------------------------------------------------------------------- layout

_FORM = "wmsPageCount"
_MARGIN = 36.0
_GRID = colors.Color(0.55, 0.55, 0.55)
_HEAD_BG = colors.Color(0.88, 0.88, 0.88)
_FLAG_BG = colors.Color(0.96, 0.93, 0.80)

_BODY = ParagraphStyle("wms-body", fontName=FONT, fontSize=9, leading=11)
_SMALL = ParagraphStyle("wms-small", fontName=FONT, fontSize=8, leading=9.5)
_TITLE = ParagraphStyle("wms-title", fontName=FONT_BOLD, fontSize=18, leading=22)
_BIG = ParagraphStyle("wms-big", fontName=FONT_BOLD, fontSize=14, leading=17)
_LABEL = ParagraphStyle("wms-label", fontName=FONT_BOLD, fontSize=7.5, leading=9)


class _PagedCanvas(PrintCanvas):
    """Counts the pages; at save, defines the form that prints the page total."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages_shown = 0

    def showPage(self) -> None:
        self.pages_shown += 1
        super().showPage()

    def save(self) -> None:
        self.beginForm(_FORM, lowerx=0, lowery=-4, upperx=60, uppery=12)
        self.setFont(FONT_BOLD, 8)
        self.drawString(0, 0, str(self.pages_shown))
        self.endForm()
        super().save()


def _text(value: object) -> str:
    """Paragraph markup for plain text."""
    return escape(pdf_text(str(value)))


def _para(value: object, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(_text(value), style)


def _footer(title: object) -> Any:
    def draw(c: Canvas, doc: SimpleDocTemplate) -> None:
        width = doc.pagesize[0]
        c.saveState()
        c.setLineWidth(0.6)
        c.line(_MARGIN, _MARGIN - 8, width - _MARGIN, _MARGIN - 8)
        c.setFont(FONT, 8)
        c.drawString(_MARGIN, _MARGIN - 20, fit_text(title, FONT, 8, width - 2 * _MARGIN - 90))
        # The page total is only known at the end: the sentence is cut where it goes.
        page = _("Page %(page)s of %(pages)s", page=c.getPageNumber(), pages="\x00")
        before, _sep, after = pdf_text(str(page).replace("\x00", "\x01")).partition("\x01")
        x = width - _MARGIN - 70
        c.setFont(FONT_BOLD, 8)
        c.drawString(x, _MARGIN - 20, before)
        c.translate(x + c.stringWidth(before, FONT_BOLD, 8), _MARGIN - 20)
        c.doForm(_FORM)
        if after:
            c.drawString(c.stringWidth("0000", FONT_BOLD, 8), 0, after)
        c.restoreState()

    return draw


def _build(story: list[Flowable], page: str, title: object, footer: object) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=resolve_page_size(page),
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN + 10,
        title=pdf_text(title),
        author="wms",
        creator="wms",
    )
    on_page = _footer(footer)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page, canvasmaker=_PagedCanvas)
    return buffer.getvalue()


def _content_width(page: str) -> float:
    return resolve_page_size(page)[0] - 2 * _MARGIN


def _title_block(title: object, code: str, code_label: object, width: float) -> Table:
    """Title and the document's code (large text over its Code128), side by side."""
    code_cell = [
        _para(code_label, _LABEL),
        _para(code, _BIG),
        BarcodeFlowable(code, height=34, max_module_width=1.2),
    ]
    table = Table([[_para(title, _TITLE), code_cell]], colWidths=[width - 230, 230], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _facts(pairs: Sequence[tuple[object, str]], width: float) -> Table:
    """A compact two-column "label: value" block (empty values left out)."""
    rows = [[_para(label, _LABEL), _para(value, _BODY)] for label, value in pairs if value]
    if not rows:
        rows = [["", ""]]
    table = Table(rows, colWidths=[90, width - 90], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _heads(*words: Text) -> list[str]:
    """Column heads in the reader's language, as drawable text."""
    return [pdf_text(word) for word in words]


def _grid_style(extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8),
            ("BACKGROUND", (0, 0), (-1, 0), _HEAD_BG),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, _GRID),
            ("BOX", (0, 0), (-1, -1), 0.6, _GRID),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
            *extra,
        ]
    )


def _when(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "screen")
    return format_date(value)


# --------------------------------------------------------------------------- packing slip


def render_packing_slip(slip: PackingSlip, page_size: str = "A4") -> bytes:
    """Packing slip for one parcel of an order."""
    barcode_pattern(slip.order_number, "code128")
    width = _content_width(page_size)
    title = _("Packing slip - %(shop)s", shop=slip.channel) if slip.channel else _("Packing slip")
    story: list[Flowable] = [_title_block(title, slip.order_number, _("ORDER"), width)]
    story.append(Spacer(1, 10))

    ship_to = "<br/>".join(_text(line) for line in address_lines(slip.ship_to))
    left: list[Flowable] = [_para(_("SHIP TO"), _LABEL), Paragraph(ship_to, _BODY)]
    if slip.ship_from is not None:
        sender = "<br/>".join(_text(line) for line in address_lines(slip.ship_from))
        left += [Spacer(1, 6), _para(_("FROM"), _LABEL), Paragraph(sender, _SMALL)]
    facts = _facts(
        [
            (_("Order date"), _when(slip.order_date)),
            (_("Packed"), _when(slip.packed_at)),
            (_("Parcel"), slip.parcel),
            (_("Box"), slip.box),
        ],
        width / 2 - 10,
    )
    top = Table([[left, facts]], colWidths=[width / 2, width / 2], hAlign="LEFT")
    top.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    story += [top, Spacer(1, 14)]

    ordered = sum(line.qty_ordered for line in slip.lines)
    packed = sum(line.qty_in_parcel for line in slip.lines)
    table = _lines_table(
        _heads(_("SKU"), _("PRODUCT"), _("ORDERED"), _("IN THIS PARCEL")),
        [
            (
                [
                    fit_text(line.sku, FONT, 9, 100),
                    _para(line.name),
                    format_number(line.qty_ordered),
                    format_number(line.qty_in_parcel),
                ],
                line.qty_in_parcel != line.qty_ordered,
            )
            for line in slip.lines
        ],
        ["", pdf_text(_("Total units")), format_number(ordered), format_number(packed)],
        [106, width - 106 - 60 - 90, 60, 90],
    )
    story.append(table)
    if packed != ordered:
        story += [
            Spacer(1, 4),
            _para(_("Shaded lines ship (partly) in another parcel."), _SMALL),
        ]
    if slip.note:
        note = Table([[[_para(_("NOTE"), _LABEL), _para(slip.note)]]], colWidths=[width])
        note.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.black)]))
        story += [Spacer(1, 14), KeepTogether(note)]
    footer = (
        _(
            "Packing slip - order %(order)s - parcel %(parcel)s",
            order=slip.order_number,
            parcel=slip.parcel,
        )
        if slip.parcel
        else _("Packing slip - order %(order)s", order=slip.order_number)
    )
    return _build(story, page_size, _("Packing slip %(order)s", order=slip.order_number), footer)


def _lines_table(
    header: list[str],
    lines: list[tuple[list[Any], bool]],
    totals: list[str],
    widths: list[float],
) -> Table:
    """A document's lines under their header, each shaded when flagged, and the totals
    in bold last; the header repeats on every page."""
    rows = [header, *(cells for cells, _flag in lines), totals]
    flagged = [
        ("BACKGROUND", (0, i), (-1, i), _FLAG_BG)
        for i, (_cells, flag) in enumerate(lines, start=1)
        if flag
    ]
    last = len(rows) - 1
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(_grid_style([*flagged, ("FONT", (0, last), (-1, last), FONT_BOLD, 9)]))
    return table


# --------------------------------------------------------------------------- discrepancy


def render_discrepancy_report(report: DiscrepancyReport, page_size: str = "A4") -> bytes:
    """Receiving discrepancies of one inbound: per line expected/received/short/over/damaged."""
    barcode_pattern(report.inbound_reference, "code128")
    width = _content_width(page_size)
    story: list[Flowable] = [
        _title_block(
            _("Receiving discrepancy report"), report.inbound_reference, _("INBOUND"), width
        ),
        Spacer(1, 8),
    ]
    flagged_count = sum(1 for line in report.lines if line.is_discrepancy)
    story.append(
        _facts(
            [
                (_("Supplier"), report.supplier),
                (_("Warehouse"), report.warehouse),
                (_("Expected date"), _when(report.expected_date)),
                (_("Closed at"), _when(report.closed_at)),
                (_("Closed by"), report.closed_by),
                (
                    _("Lines"),
                    str(
                        _(
                            "%(lines)s (%(flagged)s with a discrepancy)",
                            lines=format_number(len(report.lines)),
                            flagged=format_number(flagged_count),
                        )
                    ),
                ),
            ],
            width,
        )
    )
    story.append(Spacer(1, 12))

    num_w = 52.0
    lines = report.lines
    table = _lines_table(
        _heads(
            _("SKU"),
            _("PRODUCT"),
            _("EXPECTED"),
            _("RECEIVED"),
            _("SHORT"),
            _("OVER"),
            _("DAMAGED"),
        ),
        [
            (
                [
                    fit_text(line.sku, FONT, 9, 86),
                    _para(line.name),
                    format_number(line.expected),
                    format_number(line.received),
                    format_number(line.short) if line.short else "",
                    format_number(line.over) if line.over else "",
                    format_number(line.damaged) if line.damaged else "",
                ],
                line.is_discrepancy,
            )
            for line in lines
        ],
        [
            "",
            pdf_text(_("Totals")),
            format_number(sum(line.expected for line in lines)),
            format_number(sum(line.received for line in lines)),
            format_number(sum(line.short for line in lines)),
            format_number(sum(line.over for line in lines)),
            format_number(sum(line.damaged for line in lines)),
        ],
        [92, width - 92 - 5 * num_w, *([num_w] * 5)],
    )
    story.append(table)
    story += [
        Spacer(1, 4),
        _para(
            _(
                "Received counts every unit booked in, damaged ones included. "
                "Shaded lines have a discrepancy."
            ),
            _SMALL,
        ),
    ]
    if report.note:
        story += [Spacer(1, 10), _para(_("NOTE"), _LABEL), _para(report.note)]
    return _build(
        story,
        page_size,
        _("Discrepancy report %(inbound)s", inbound=report.inbound_reference),
        _(
            "Discrepancy report - inbound %(inbound)s - %(supplier)s",
            inbound=report.inbound_reference,
            supplier=report.supplier,
        ),
    )


# --------------------------------------------------------------------------- manifest


def render_manifest(manifest: Manifest, page_size: str = "A4") -> bytes:
    """End-of-day manifest for one carrier: one row per parcel with its tracking barcode."""
    for parcel in manifest.parcels:
        barcode_pattern(parcel.tracking_number, "code128")
    width = _content_width(page_size)
    total_g = sum(parcel.weight_g for parcel in manifest.parcels)
    services: dict[str, int] = {}
    for parcel in manifest.parcels:
        services[parcel.service] = services.get(parcel.service, 0) + 1
    by_service = ", ".join(
        str(_("%(service)s: %(count)s", service=name, count=format_number(count)))
        for name, count in sorted(services.items())
    )
    title = _("Manifest - %(carrier)s", carrier=manifest.carrier)
    story: list[Flowable] = [
        _para(title, _TITLE),
        Spacer(1, 6),
        _facts(
            [
                (_("Carrier"), manifest.carrier),
                (_("Ship date"), _when(manifest.ship_date)),
                (_("Warehouse"), manifest.warehouse),
                (_("Account"), manifest.account),
                (_("Created"), _when(manifest.created_at)),
                (_("Parcels"), format_number(len(manifest.parcels))),
                (_("Total weight"), format_weight(total_g)),
                (_("By service"), by_service),
            ],
            width,
        ),
        Spacer(1, 12),
    ]

    track_w = 236.0
    rows: list[list[Any]] = [
        ["#", *_heads(_("TRACKING NUMBER"), _("ORDER"), _("SERVICE"), _("WEIGHT"))]
    ]
    for i, parcel in enumerate(manifest.parcels, start=1):
        tracking = [
            _para(parcel.tracking_number, _BODY),
            BarcodeFlowable(parcel.tracking_number, height=24, max_module_width=1.0),
        ]
        order = "\n".join(
            pdf_text(part) for part in (parcel.order_number, parcel.reference) if part
        )
        rows.append(
            [
                str(i),
                tracking,
                order,
                fit_text(parcel.service, FONT, 9, 90),
                format_weight(parcel.weight_g),
            ]
        )
    count = len(manifest.parcels)
    parcels = n_("%(num)s parcel", "%(num)s parcels", count, num=format_number(count))
    rows.append(["", pdf_text(parcels), "", "", format_weight(total_g)])
    last = len(rows) - 1
    rest = width - 26 - track_w - 70
    table = Table(
        rows,
        colWidths=[26, track_w, rest * 0.55, rest * 0.45, 70],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        _grid_style(
            [
                ("ALIGN", (0, 0), (-1, -1), "LEFT"),
                ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                ("FONT", (0, last), (-1, last), FONT_BOLD, 9),
            ]
        )
    )
    story.append(table)
    signatures = Table(
        [
            _heads(_("Driver name"), _("Signature"), _("Time of pick-up")),
            ["", "", ""],
            _heads(_("Dispatched by"), _("Signature"), _("Parcels handed over")),
            ["", "", ""],
        ],
        colWidths=[width / 3] * 3,
        rowHeights=[12, 28, 12, 28],
    )
    signatures.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT_BOLD, 7.5),
                ("LINEBELOW", (0, 1), (-1, 1), 0.6, colors.black),
                ("LINEBELOW", (0, 3), (-1, 3), 0.6, colors.black),
            ]
        )
    )
    story += [Spacer(1, 18), KeepTogether(signatures)]
    return _build(
        story,
        page_size,
        _("Manifest %(carrier)s %(day)s", carrier=manifest.carrier, day=_when(manifest.ship_date)),
        _(
            "Manifest - %(carrier)s - %(day)s",
            carrier=manifest.carrier,
            day=_when(manifest.ship_date),
        ),
    )
