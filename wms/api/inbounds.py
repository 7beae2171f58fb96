"""Inbounds: a channel announces what is coming (ASN or PO) and follows it in."""

from __future__ import annotations

from flask import Response

from wms.api.auth import current_channel
from wms.api.common import CURSOR_PARAMS, REF_PARAM, answer, bp, cursor_args, read_body
from wms.api.openapi import Operation, document
from wms.inbounds import queries, services
from wms.inbounds.rules import NewInboundLine
from wms.inbounds.schemas import InboundIn, InboundOut, InboundPage

document(
    Operation(
        "post",
        "/inbounds",
        "Announce an inbound (ASN or PO) with lines and its expected arrival",
        body=InboundIn,
        responses={200: InboundOut, 201: InboundOut},
        codes={409: ("inbound_exists",), 422: ("unknown_sku",)},
    )
)


@bp.post("/inbounds")
def create_inbound() -> Response:
    channel = current_channel()
    body = read_body(InboundIn)
    inbound, created = services.create_inbound(
        reference=body.reference,
        expected_at=body.expected_at,
        lines=[NewInboundLine(ln.sku, ln.qty) for ln in body.lines],
        kind=body.kind,
        supplier=body.supplier,
        channel_id=channel.id,
    )
    return answer(InboundOut.of(inbound), 201 if created else 200)


document(
    Operation(
        "get",
        "/inbounds",
        "The channel's own inbounds in the order they were created, paged",
        responses={200: InboundPage},
        parameters=CURSOR_PARAMS,
    )
)


@bp.get("/inbounds")
def list_inbounds() -> Response:
    channel = current_channel()
    after, limit = cursor_args()
    inbounds = queries.channel_inbounds(channel.id, after, limit)
    return answer(
        InboundPage(
            items=[InboundOut.of(i) for i in inbounds],
            next_cursor=inbounds[-1].id if len(inbounds) == limit else None,
        )
    )


document(
    Operation(
        "get",
        "/inbounds/{ref}",
        "One of the channel's inbounds, by its reference or its id",
        responses={200: InboundOut},
        parameters=(REF_PARAM,),
    )
)


@bp.get("/inbounds/<ref>")
def show_inbound(ref: str) -> Response:
    channel = current_channel()
    return answer(InboundOut.of(queries.find_channel_inbound(channel.id, ref)))
