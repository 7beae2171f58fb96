"""The return slip: the RMA number large and as Code128, what may come back and why.

It goes in the parcel (or on the returns desk); the clerk scans its barcode
to open the return. A plain dataclass in, PDF bytes out, like the other
office documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.platypus import Flowable, Spacer, Table

from wms.base.address import Address
from wms.base.i18n import _
from wms.i18n import format_number
from wms.prints.barcodes import barcode_pattern
from wms.prints.documents import (
    _BODY,
    _SMALL,
    _build,
    _content_width,
    _facts,
    _grid_style,
    _heads,
    _para,
    _title_block,
    _when,
)
from wms.prints.shipping_label import address_lines


@dataclass(frozen=True)
class ReturnSlipLine:
    sku: str
    name: str
    qty: int
    reason: str  # as a person reads it, e.g. "Damaged in transit"
    wish: str = ""  # refund or exchange


@dataclass(frozen=True)
class ReturnSlip:
    rma_number: str  # printed large and as Code128
    order_number: str
    lines: Sequence[ReturnSlipLine]
    customer: str = ""
    created_on: date | None = None
    return_to: Address | None = None
    tracking_number: str = ""
    note: str = ""


def render_return_slip(slip: ReturnSlip, page_size: str = "A4") -> bytes:
    """One return slip (more pages only if the lines need them)."""
    barcode_pattern(slip.rma_number)  # refuse a number that cannot be a barcode before drawing
    width = _content_width(page_size)
    story: list[Flowable] = [
        _title_block(_("Return slip"), slip.rma_number, _("RMA"), width),
        Spacer(1, 10),
        _facts(
            [
                (_("Order"), slip.order_number),
                (_("Customer"), slip.customer),
                (_("Authorised"), _when(slip.created_on)),
                (_("Tracking"), slip.tracking_number),
                (
                    _("Return to"),
                    ", ".join(address_lines(slip.return_to)) if slip.return_to else "",
                ),
            ],
            width,
        ),
        Spacer(1, 10),
    ]
    rows: list[list[object]] = [_heads(_("SKU"), _("Product"), _("Qty"), _("Reason"), _("Wish"))]
    rows += [
        [
            _para(ln.sku, _SMALL),
            _para(ln.name, _SMALL),
            format_number(ln.qty),
            _para(ln.reason, _SMALL),
            _para(ln.wish, _SMALL),
        ]
        for ln in slip.lines
    ]
    table = Table(
        rows,
        colWidths=[90, width - 90 - 40 - 120 - 70, 40, 120, 70],
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(_grid_style([("ALIGN", (3, 0), (-1, -1), "LEFT")]))
    story.append(table)
    story.append(Spacer(1, 12))
    story.append(
        _para(
            _(
                "Put this slip in the parcel. Only the items listed are taken back; "
                "anything else is set aside and the shop is told."
            ),
            _BODY,
        )
    )
    if slip.note:
        story.append(Spacer(1, 6))
        story.append(_para(slip.note, _BODY))
    return _build(
        story,
        page_size,
        _("Return %(rma)s", rma=slip.rma_number),
        _("Return slip %(rma)s", rma=slip.rma_number),
    )
