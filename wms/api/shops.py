"""Webhooks from the shops: ``POST /api/v1/channels/<code>/shopify`` and ``…/woocommerce``.

They sit under the API's prefix because they are machine endpoints like it: no
sign-in, no CSRF, JSON answers. The platform's own signature authenticates the
request (not a bearer token), checked over the raw bytes before anything is
parsed. What each answer means to the platform:

* bad or missing signature: 401 ``bad_signature``, counted on the channel and
  logged; nothing else is stored.
* WooCommerce's creation ping (``webhook_id=N``, unsigned): 200, as it requires.
* a topic the warehouse does not act on: 200, ignored.
* a delivery already taken (same delivery id): 200, nothing changes.
* verified but unreadable: kept for the desk with the reason. Shopify retries
  any answer that is not 2xx (8 times over 4 hours), so it gets 503
  ``payload_unreadable``. WooCommerce never retries a delivery: a non-2xx only
  counts toward disabling the webhook (after more than 5 in a row), which would
  lose every later order, so it gets 202 ``payload_unreadable`` and the order
  waits on the desk.
* the order taken in, or kept needing attention: 200 with its state.
"""

from __future__ import annotations

import hashlib
import logging

from flask import Response, current_app, request

from wms.api.common import BodyTooLarge, bp, plain_answer
from wms.base.errors import DomainError, NotFound
from wms.base.i18n import _, as_written, text
from wms.channels.connectors import PayloadError
from wms.channels.shops import webhook_shop
from wms.database import commit_early
from wms.shops import services

log = logging.getLogger(__name__)

MAX_BODY = 4 * 1024 * 1024  # a Shopify order with hundreds of lines stays well under this


class BadSignature(DomainError):
    code = "bad_signature"
    status = 401


class PayloadUnreadable(DomainError):
    code = "payload_unreadable"
    status = 503


@bp.post("/channels/<code>/shopify")
def shopify_webhook(code: str) -> Response:
    return _webhook(code, "shopify")


@bp.post("/channels/<code>/woocommerce")
def woocommerce_webhook(code: str) -> Response:
    return _webhook(code, "woocommerce")


def _webhook(code: str, platform: str) -> Response:
    shop = webhook_shop(code, platform, current_app.config.get("SHOP_TIMEOUT", 10.0))
    if shop is None:
        raise NotFound(
            _("There is no active %(platform)s channel %(code)s.", platform=platform, code=code)
        )
    raw = _raw_body()
    connector = shop.connector
    check = connector.verify_webhook(dict(request.headers), raw)
    if check.status == "bad-signature":
        services.count_bad_signature(shop.id)
        commit_early()  # the count outlives the refusal
        log.warning(
            "webhook refused: channel %s (%s) from %s: %s",
            code,
            platform,
            request.remote_addr,
            check.reason,
        )
        raise BadSignature(check.reason or _("The signature does not match the body."))
    if check.status == "ping":
        return plain_answer({"status": "ping"})
    if check.status == "not-applicable":
        return plain_answer({"status": "ignored", "topic": check.topic})
    delivery = check.dedup_key or f"body:{hashlib.sha256(raw).hexdigest()}"
    try:
        order = connector.parse_order(raw)
    except PayloadError as exc:
        if not services.keep_unreadable_delivery(
            shop.id, delivery, check.topic, as_written(exc.reason), raw
        ):
            return plain_answer({"status": "repeat"})
        commit_early()  # kept for the desk whatever the answer
        log.warning("webhook unreadable: channel %s: %s", code, as_written(exc.reason))
        if platform == "woocommerce":
            return plain_answer(
                {"status": "unreadable", "code": "payload_unreadable", "message": text(exc.reason)},
                202,
            )
        raise PayloadUnreadable(exc.reason) from exc
    outcome = services.take_delivery(shop.id, delivery, check.topic, order, raw)
    if outcome is None:
        return plain_answer({"status": "repeat"})
    # As the API's intake: the hot stock row is let go before the answer is written.
    commit_early()
    return plain_answer(
        {
            "status": "repeat" if outcome.repeat else outcome.state,
            "state": outcome.state,
            "order_id": outcome.order_id,
            "reason": text(outcome.reason),
        }
    )


def _raw_body() -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise BodyTooLarge(_("The body is larger than %(kb)s KB.", kb=MAX_BODY // 1024))
    raw = request.stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise BodyTooLarge(_("The body is larger than %(kb)s KB.", kb=MAX_BODY // 1024))
    return raw
