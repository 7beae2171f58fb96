"""What the returns desk prints: the return slip, and the return label as the carrier made it."""

from __future__ import annotations

from flask import Response

from wms.base.clock import local_date
from wms.base.errors import ReturnNotFound
from wms.base.i18n import N_, _
from wms.i18n import in_language
from wms.prints.return_slip import ReturnSlip, ReturnSlipLine, render_return_slip
from wms.returns.models import ReturnAuthorisation, Wish
from wms.returns.services import authorisations, labels

# What the customer asked for, as the slip says it to them.
WISH_WORDS = {Wish.REFUND: N_("Refund"), Wish.EXCHANGE: N_("Exchange")}


def label_response(rma: ReturnAuthorisation) -> Response:
    if not rma.has_label or not rma.label_bytes:
        raise ReturnNotFound(_("%(rma)s has no return label yet.", rma=rma.number)).with_code(
            "no_label"
        )
    zpl = rma.label_format == "ZPL"
    filename = f"{rma.number}-label.{'zpl' if zpl else 'pdf'}"
    return Response(
        rma.label_bytes,
        mimetype="text/plain" if zpl else "application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def slip_pdf(rma: ReturnAuthorisation, size: str = "A4") -> bytes:
    # The customer reads it: in the order's language when the shop gave one.
    with in_language(rma.order.language):
        return render_return_slip(_slip_data(rma), size)


def _slip_data(rma: ReturnAuthorisation) -> ReturnSlip:
    return ReturnSlip(
        rma_number=rma.number,
        order_number=rma.order.number,
        customer=rma.order.customer_name or rma.order.ship_to.get("name", ""),
        created_on=local_date(rma.created_at),
        tracking_number=rma.tracking_number or "",
        return_to=labels.return_address(),
        lines=[
            ReturnSlipLine(
                ln.product.sku,
                ln.product.name,
                ln.qty_authorised,
                str(_(authorisations.REASON_WORDS.get(ln.reason, ln.reason))),
                str(_(WISH_WORDS[ln.wish])) if ln.wish in WISH_WORDS else ln.wish,
            )
            for ln in rma.lines
        ],
        note=rma.note,
    )
