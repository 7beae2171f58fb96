"""The channel API: thin routes over the order, availability and inbound services."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from flask import Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from wms.api import bp
from wms.api.auth import current_channel
from wms.api.openapi import Operation, build, document
from wms.api.schemas import (
    AvailabilityPage,
    ErrorOut,
    InboundIn,
    InboundOut,
    InboundPage,
    OrderIn,
    OrderOut,
)
from wms.core import availability
from wms.core.clock import iso
from wms.core.errors import DomainError, InvalidInput, NotFound
from wms.inbounds import services as inbound_services
from wms.inbounds.models import Inbound
from wms.orders import services as order_services
from wms.orders.models import Priority, order_id_from_number
from wms.web import commit_now

PAGE_MAX = 500
ID_MAX = 2**31 - 1


class BodyTooLarge(DomainError):
    code = "too_large"
    status = 413


def _body(model: type[BaseModel]) -> Any:
    limit = current_app.config["API_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(f"The body is larger than {limit // 1024} KB.")
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise BodyTooLarge(f"The body is larger than {limit // 1024} KB.")
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("The body is not valid JSON.").with_code("invalid_json") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False, include_context=False, include_input=False)
        ]
        first = errors[0]
        where = f" ({first['field']})" if first["field"] else ""
        raise InvalidInput(
            f"The body is not valid: {first['message']}{where}.", errors=errors
        ).with_code("invalid_body") from exc


def _utc_naive(value: datetime) -> datetime:
    """Times are stored as naive UTC; a time with an offset is converted first."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


def _json(data: Any, status: int = 200) -> Response:
    response = jsonify(data)
    response.status_code = status
    return response


def _order_id(ref: str) -> int:
    order_id = int(ref) if ref.isascii() and ref.isdigit() else order_id_from_number(ref)
    if order_id is None or order_id > ID_MAX:
        raise NotFound(f"There is no order {ref}.")
    return order_id


def _cursor_args() -> tuple[int, int]:
    try:
        after = int(request.args.get("cursor", "0") or 0)
        limit = int(request.args.get("limit", "100") or 100)
    except ValueError as exc:
        raise InvalidInput("cursor and limit are whole numbers.").with_code(
            "invalid_query"
        ) from exc
    if not 0 <= after <= ID_MAX or not 1 <= limit <= PAGE_MAX:
        raise InvalidInput(f"limit is between 1 and {PAGE_MAX}; cursor is not negative.").with_code(
            "invalid_query"
        )
    return after, limit


REF_PARAM = {"name": "ref", "in": "path", "required": True, "schema": {"type": "string"}}

document(
    Operation(
        "post",
        "/orders",
        "Place an order (idempotent on external_id)",
        body=OrderIn,
        responses={200: OrderOut, 201: OrderOut, 409: ErrorOut},
    )
)


@bp.post("/orders")
def create_order() -> Response:
    channel = current_channel()
    body: OrderIn = _body(OrderIn)
    new = order_services.NewOrder(
        external_id=body.external_id,
        lines=tuple(order_services.NewLine(ln.sku, ln.qty) for ln in body.lines),
        customer_name=body.customer.name,
        customer_email=body.customer.email,
        ship_to=body.ship_to.model_dump(),
        service_level=body.service_level,
        priority=Priority[body.priority.upper()],
        placed_at=_utc_naive(body.placed_at) if body.placed_at else None,
        promised_on=body.promised_on,
        partial_allowed=body.partial_allowed,
        capture_before_ship=body.capture_before_ship,
        refuse_if_short=body.backorder == "refuse",
    )
    result = order_services.accept_order(channel.id, new)
    # Commit before building the answer: the order is durable before the channel
    # hears of it, and the hot stock row is not held while the JSON is written.
    commit_now()
    return _json(result.view, 201 if result.created else 200)


document(
    Operation(
        "get",
        "/orders/{ref}",
        "An order with its lines (by number W-10001 or id)",
        responses={200: OrderOut, 404: ErrorOut},
        parameters=(REF_PARAM,),
    )
)


@bp.get("/orders/<ref>")
def show_order(ref: str) -> Response:
    channel = current_channel()
    order = order_services.get_order(_order_id(ref), channel.id)
    return _json(order_services.order_view(order.id))


document(
    Operation(
        "post",
        "/orders/{ref}/cancel",
        "Cancel an order that has not started moving",
        responses={200: OrderOut, 404: ErrorOut, 409: ErrorOut},
        parameters=(REF_PARAM,),
    )
)


@bp.post("/orders/<ref>/cancel")
def cancel_order(ref: str) -> Response:
    channel = current_channel()
    order = order_services.cancel_order(_order_id(ref), channel.id, reason="channel")
    return _json(order_services.order_view(order.id))


document(
    Operation(
        "post",
        "/orders/{ref}/payment-captured",
        "Tell the warehouse the payment is captured",
        responses={200: OrderOut, 404: ErrorOut, 409: ErrorOut},
        parameters=(REF_PARAM,),
    )
)


@bp.post("/orders/<ref>/payment-captured")
def payment_captured(ref: str) -> Response:
    channel = current_channel()
    order = order_services.record_payment_captured(_order_id(ref), channel.id)
    return _json(order_services.order_view(order.id))


document(
    Operation(
        "get",
        "/availability",
        "Availability per product, paged; ETag for cheap polling",
        responses={200: AvailabilityPage, 304: None},
        parameters=(
            {
                "name": "sku",
                "in": "query",
                "required": False,
                "description": "One or more SKUs (repeat, or comma-separated).",
                "schema": {"type": "array", "items": {"type": "string"}},
                "style": "form",
                "explode": True,
            },
            {
                "name": "cursor",
                "in": "query",
                "schema": {"type": "integer", "minimum": 0, "maximum": ID_MAX},
            },
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
            },
        ),
    )
)


@bp.get("/availability")
def availability_list() -> Response:
    current_channel()
    after, limit = _cursor_args()
    skus = [s.strip() for raw in request.args.getlist("sku") for s in raw.split(",") if s.strip()]
    rows = availability.page(skus or None, after, limit)
    items = [availability.availability_payload(a) for a in rows]
    next_cursor = rows[-1].product_id if len(rows) == limit else None
    body = {"items": items, "next_cursor": next_cursor}
    raw = json.dumps(body, sort_keys=True, separators=(",", ":"))
    etag = hashlib.sha256(raw.encode()).hexdigest()[:32]
    if etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(etag)
        return response
    response = Response(raw, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    return response


document(
    Operation(
        "post",
        "/inbounds",
        "Announce an inbound (ASN or PO) with lines and its expected arrival",
        body=InboundIn,
        responses={200: InboundOut, 201: InboundOut, 409: ErrorOut},
    )
)


@bp.post("/inbounds")
def create_inbound() -> Response:
    channel = current_channel()
    body: InboundIn = _body(InboundIn)
    inbound, created = inbound_services.create_inbound(
        reference=body.reference,
        expected_at=_utc_naive(body.expected_at),
        lines=[inbound_services.NewInboundLine(ln.sku, ln.qty) for ln in body.lines],
        kind=body.kind,
        supplier=body.supplier,
        channel_id=channel.id,
    )
    return _json(_inbound_view(inbound), 201 if created else 200)


document(
    Operation(
        "get",
        "/inbounds",
        "The channel's own inbounds in the order they were created, paged",
        responses={200: InboundPage},
        parameters=(
            {
                "name": "cursor",
                "in": "query",
                "schema": {"type": "integer", "minimum": 0, "maximum": ID_MAX},
            },
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
            },
        ),
    )
)


@bp.get("/inbounds")
def list_inbounds() -> Response:
    channel = current_channel()
    after, limit = _cursor_args()
    inbounds = inbound_services.channel_inbounds(channel.id, after, limit)
    return _json(
        {
            "items": [_inbound_view(i) for i in inbounds],
            "next_cursor": inbounds[-1].id if len(inbounds) == limit else None,
        }
    )


document(
    Operation(
        "get",
        "/inbounds/{ref}",
        "One of the channel's inbounds, by its reference or its id",
        responses={200: InboundOut, 404: ErrorOut},
        parameters=(REF_PARAM,),
    )
)


@bp.get("/inbounds/<ref>")
def show_inbound(ref: str) -> Response:
    channel = current_channel()
    return _json(_inbound_view(inbound_services.find_channel_inbound(channel.id, ref)))


def _inbound_view(inbound: Inbound) -> dict[str, Any]:
    return {
        "id": inbound.id,
        "reference": inbound.reference,
        "kind": inbound.kind,
        "supplier": inbound.supplier,
        "expected_at": iso(inbound.expected_at),
        "status": inbound.status,
        "lines": [
            {
                "sku": ln.product.sku,
                "qty_expected": ln.qty_expected,
                "qty_received": ln.qty_received,
            }
            for ln in inbound.lines
        ],
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return _json(build(request.script_root + "/api/v1"))
