"""Orders: a channel places, reads and cancels its orders, and says when payment is captured."""

from __future__ import annotations

from flask import Response

from wms.api.auth import current_channel
from wms.api.common import ID_MAX, REF_PARAM, answer, bp, read_body
from wms.api.openapi import Operation, document
from wms.base.errors import InvalidInput, NotFound
from wms.base.i18n import _
from wms.base.numbers import order_id_from_number
from wms.core.models import Priority
from wms.database import commit_early
from wms.i18n import available_languages, normal_language
from wms.orders import services
from wms.orders.schemas import OrderIn, OrderOut


def _order_id(ref: str) -> int:
    order_id = int(ref) if ref.isascii() and ref.isdigit() else order_id_from_number(ref)
    if order_id is None or order_id > ID_MAX:
        raise NotFound(_("There is no order %(order)s.", order=ref))
    return order_id


document(
    Operation(
        "post",
        "/orders",
        "Place an order (idempotent on external_id)",
        body=OrderIn,
        responses={200: OrderOut, 201: OrderOut},
        codes={
            409: ("insufficient_stock", "idempotency_conflict"),
            422: ("unknown_sku", "unknown_language"),
        },
    )
)


@bp.post("/orders")
def create_order() -> Response:
    channel = current_channel()
    body = read_body(OrderIn)
    language = normal_language(body.language) if body.language else None
    if body.language and language is None:
        raise InvalidInput(
            _(
                "The warehouse does not speak %(language)s: say %(languages)s, or leave it out.",
                language=body.language,
                languages=", ".join(available_languages()),
            )
        ).with_code("unknown_language")
    new = services.NewOrder(
        external_id=body.external_id,
        lines=tuple(services.NewLine(ln.sku, ln.qty) for ln in body.lines),
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
        language=language,
    )
    result = services.accept_order(channel.id, new)
    # The hot stock row is let go before the answer is written.
    commit_early()
    return answer(result.view, 201 if result.created else 200)


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
    order = services.get_order(_order_id(ref), channel.id)
    return answer(services.order_view(order.id))


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
    order = services.cancel_order(_order_id(ref), channel.id, reason="channel")
    return answer(services.order_view(order.id))


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
    order = services.record_payment_captured(_order_id(ref), channel.id)
    return answer(services.order_view(order.id))
