"""The channel API: thin routes over the order, availability and inbound services."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import BaseModel, ValidationError

from wms.api.auth import current_channel
from wms.api.openapi import Operation, build, document, query_names
from wms.base.clock import iso
from wms.base.errors import DomainError, InvalidInput, NotFound
from wms.base.numbers import order_id_from_number
from wms.core.models import Inbound, Priority
from wms.database import commit_early
from wms.extensions import csrf
from wms.inbounds import services as inbound_services
from wms.inbounds.schemas import InboundIn, InboundOut, InboundPage
from wms.inventory import availability
from wms.inventory.schemas import AvailabilityPage
from wms.orders import services as order_services
from wms.orders.schemas import OrderIn, OrderOut

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # channels authenticate with bearer tokens, not cookies


PAGE_MAX = 500
ID_MAX = 2**31 - 1


class BodyTooLarge(DomainError):
    code = "too_large"
    status = 413


class BadJson(DomainError):
    code = "invalid_json"
    status = 400


def _body(model: type[BaseModel]) -> Any:
    limit = current_app.config["API_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise BodyTooLarge(f"The body is larger than {limit // 1024} KB.")
    raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise BodyTooLarge(f"The body is larger than {limit // 1024} KB.")
    try:
        return model.model_validate(_parse_json(raw))
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


def _parse_json(raw: bytes) -> Any:
    """The body as JSON (RFC 8259: no NaN or Infinity), or 400 ``invalid_json``."""
    if not raw.strip():
        raise BadJson("The body is empty: send a JSON object.")
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except RecursionError as exc:
        raise BadJson("The body is nested too deeply to be read.") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadJson("The body is not valid JSON.") from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


@bp.before_request
def _refuse_unknown_query() -> None:
    """The query takes the parameters the document names, and no others (a typo such
    as ``cursr`` is refused rather than ignored)."""
    rule = request.url_rule
    if rule is None or not request.args:
        return
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
    allowed = query_names(request.method.lower(), path)
    unknown = sorted(set(request.args) - (allowed or frozenset()))
    if allowed is not None and unknown:
        names = ", ".join(repr(n) for n in unknown)
        raise InvalidInput(f"Unknown query parameter {names}.").with_code("invalid_query")


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
    return _whole_number("cursor", 0, 0, ID_MAX), _whole_number("limit", 100, 1, PAGE_MAX)


def _whole_number(name: str, default: int, low: int, high: int) -> int:
    """A query number as the document says: ASCII digits only, within its bounds."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 10 and low <= int(raw) <= high):
        raise InvalidInput(f"{name} is a whole number from {low} to {high}.").with_code(
            "invalid_query"
        )
    return int(raw)


REF_PARAM = {"name": "ref", "in": "path", "required": True, "schema": {"type": "string"}}

document(
    Operation(
        "post",
        "/orders",
        "Place an order (idempotent on external_id)",
        body=OrderIn,
        responses={200: OrderOut, 201: OrderOut},
        codes={409: ("insufficient_stock", "idempotency_conflict"), 422: ("unknown_sku",)},
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
        placed_at=body.placed_at,
        promised_on=body.promised_on,
        partial_allowed=body.partial_allowed,
        capture_before_ship=body.capture_before_ship,
        refuse_if_short=body.backorder == "refuse",
    )
    result = order_services.accept_order(channel.id, new)
    # The hot stock row is let go before the answer is written.
    commit_early()
    return _json(result.view, 201 if result.created else 200)


document(
    Operation(
        "get",
        "/orders/{ref}",
        "An order with its lines (by number W-10001 or id)",
        responses={200: OrderOut},
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
        responses={200: OrderOut},
        codes={409: ("not_cancellable",)},
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
        responses={200: OrderOut},
        codes={409: ("order_cancelled",)},
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
        responses={200: InboundOut, 201: InboundOut},
        codes={409: ("inbound_exists",), 422: ("unknown_sku",)},
    )
)


@bp.post("/inbounds")
def create_inbound() -> Response:
    channel = current_channel()
    body: InboundIn = _body(InboundIn)
    inbound, created = inbound_services.create_inbound(
        reference=body.reference,
        expected_at=body.expected_at,
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
        responses={200: InboundOut},
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
