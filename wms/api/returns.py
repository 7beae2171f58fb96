"""Returns: a channel authorises a return (idempotent), reads it, and gets its label."""

from __future__ import annotations

from contextlib import suppress

from flask import Response
from sqlalchemy import select

from wms.api.auth import current_channel
from wms.api.common import ID_MAX, REF_PARAM, answer, bp, read_body
from wms.api.openapi import Operation, document
from wms.base.errors import LabelInProgress, ReturnNotFound
from wms.base.i18n import _
from wms.base.numbers import order_id_from_number, rma_id_from_number
from wms.core.models import Order
from wms.database import commit_early
from wms.extensions import db
from wms.returns.prints import label_response
from wms.returns.schemas import ReturnIn, ReturnLabelIn, ReturnOut, rma_view
from wms.returns.services import authorisations, labels


def _return_id(ref: str) -> int:
    rma_id = int(ref) if ref.isascii() and ref.isdigit() else rma_id_from_number(ref)
    if rma_id is None or not 0 < rma_id <= ID_MAX:
        raise ReturnNotFound(_("There is no return %(rma)s.", rma=ref))
    return rma_id


def _order_id(channel_id: int, body: ReturnIn) -> int:
    if body.order_number is not None:
        order_id = order_id_from_number(body.order_number)
        if order_id is not None and order_id <= ID_MAX:
            return order_id
        raise ReturnNotFound(_("There is no order %(order)s.", order=body.order_number)).with_code(
            "order_not_found"
        )
    order_id = db.session.scalar(
        select(Order.id).where(
            Order.channel_id == channel_id, Order.external_id == body.order_external_id
        )
    )
    if order_id is None:
        raise ReturnNotFound(
            _("There is no order %(order)s.", order=body.order_external_id)
        ).with_code("order_not_found")
    return order_id


document(
    Operation(
        "post",
        "/returns",
        "Authorise a return for shipped units of an order (idempotent on external_id)",
        body=ReturnIn,
        responses={200: ReturnOut, 201: ReturnOut},
        codes={
            404: ("order_not_found",),
            409: ("not_returnable", "idempotency_conflict"),
            422: ("unknown_sku", "label_refused"),
            503: ("carrier_unavailable",),
        },
    )
)


@bp.post("/returns")
def create_return() -> Response:
    channel = current_channel()
    body = read_body(ReturnIn)
    result = authorisations.authorise_return(
        authorisations.NewReturn(
            order_id=_order_id(channel.id, body),
            lines=tuple(
                authorisations.NewReturnLine(ln.sku, ln.qty, ln.reason, ln.wish)
                for ln in body.lines
            ),
            external_id=body.external_id,
            note=body.note,
        ),
        channel_id=channel.id,
    )
    commit_early()  # the RMA is durable before a carrier is called or the channel answered
    if body.return_label:
        _buy_label(result.rma_id, body.label_format)
    rma = authorisations.get_return(result.rma_id, channel.id)
    return answer(rma_view(rma), 201 if result.created else 200)


def _buy_label(rma_id: int, label_format: str) -> None:
    # Another request buying it already is fine: the answer shows "buying".
    with suppress(LabelInProgress):
        labels.issue_return_label(rma_id, label_format, commit_early, None)


document(
    Operation(
        "get",
        "/returns/{ref}",
        "A return with its lines, decisions and label (by number R-10001 or id)",
        responses={200: ReturnOut},
        codes={404: ("return_not_found",)},
        parameters=(REF_PARAM,),
    )
)


@bp.get("/returns/<ref>")
def show_return(ref: str) -> Response:
    channel = current_channel()
    rma = authorisations.get_return(_return_id(ref), channel.id)
    return answer(rma_view(rma))


document(
    Operation(
        "post",
        "/returns/{ref}/label",
        "Buy the return's label through the carrier, once; again returns the same label",
        body=ReturnLabelIn,
        responses={200: ReturnOut},
        codes={
            404: ("return_not_found",),
            409: ("return_closed", "label_in_progress"),
            422: ("label_refused",),
            503: ("carrier_unavailable",),
        },
        parameters=(REF_PARAM,),
    )
)


@bp.post("/returns/<ref>/label")
def buy_return_label(ref: str) -> Response:
    channel = current_channel()
    body = read_body(ReturnLabelIn)
    rma = authorisations.get_return(_return_id(ref), channel.id)
    labels.issue_return_label(rma.id, body.label_format, commit_early, None)
    return answer(rma_view(authorisations.get_return(rma.id, channel.id)))


document(
    Operation(
        "get",
        "/returns/{ref}/label",
        "The return label file (PDF 4x6, or ZPL as text)",
        responses={200: None},
        files={200: ("application/pdf", "text/plain")},
        codes={404: ("return_not_found", "no_label")},
        parameters=(REF_PARAM,),
    )
)


@bp.get("/returns/<ref>/label")
def return_label_file(ref: str) -> Response:
    channel = current_channel()
    return label_response(authorisations.get_return(_return_id(ref), channel.id))
