"""Shopify: orders come by webhook, everything goes back through the GraphQL Admin API.

Webhooks (``orders/create``, ``orders/updated``, ``orders/cancelled``,
``orders/paid``) are signed in ``X-Shopify-Hmac-Sha256``: the base64 of an
HMAC-SHA256 of the raw body keyed with the app's client secret. Their body is
the REST-shaped Order. ``X-Shopify-Webhook-Id`` is the delivery's id (the same on
a redelivery) and is given as ``dedup_key``; ``X-Shopify-Event-Id`` (the same
for one event across subscriptions) as ``event_id``.

Mapping choices:

* A line's quantity is its ``current_quantity`` (the ordered quantity less what
  was removed or refunded); lines left with none, and lines that need no
  shipping (gift cards, digital goods), are not part of the warehouse's order.
* ``financial_status`` ``authorized`` becomes ``payment="authorized"``: the
  caller captures (``capture_payment``) before the parcel leaves. ``paid``,
  ``partially_refunded`` and ``refunded`` were paid; anything else is pending.
* Stock is written with ``inventorySetQuantities`` (``available``, reason
  ``correction``) at the channel's location, 250 items a call. From API version
  2026-04 each quantity carries ``changeFromQuantity: null`` (the warehouse is
  the truth, so no compare) and the call an ``@idempotent`` key; before, the
  input says ``ignoreCompareQuantity: true``.
* A parcel becomes one ``fulfillmentCreate`` per location with the parcel's one
  tracking number (Shopify keeps one number per fulfilment). An order that
  already has a fulfilment with that number is left alone.
* Shopify has no customer-facing order note in its API: ``add_note`` appends
  to the order's staff note (the customer hears of a shipment through the
  fulfilment's own notification).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import requests

from wms.base.i18n import Number, Text, _, n_
from wms.channels.connectors import shopify_graphql as gql
from wms.channels.connectors.base import (
    Connector,
    PayloadError,
    PlatformOrder,
    PlatformProduct,
    PlatformRefused,
    PushResult,
    Shipment,
    StockFigure,
    WebhookCheck,
    header,
    load_json,
)
from wms.channels.connectors.http import HttpClient, Sleep, check_base_url
from wms.channels.connectors.shopify_orders import (
    capturable,
    fulfilment_groups,
    parse_shopify_order,
    product_from_variant,
)

ORDER_TOPICS = ("orders/create", "orders/updated", "orders/cancelled", "orders/paid")
PAGE_SIZE = 100  # a page of variants with their inventory level costs about 500 points
SET_BATCH = 250


@dataclass(frozen=True)
class ShopifyCredentials:
    shop_url: str  # https://example.myshopify.com
    access_token: str = field(repr=False)
    client_secret: str = field(repr=False)  # signs the webhooks
    location_id: str  # numeric id of the location the warehouse's figures go to
    api_version: str = "2026-07"


class ShopifyConnector(Connector):
    platform = "shopify"
    receives_webhooks = True
    holds_authorisations = True

    def __init__(
        self,
        credentials: ShopifyCredentials,
        http: requests.Session,
        *,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_wait: float = 30.0,
        timeout: float = 10.0,
    ) -> None:
        self.credentials = credentials
        base = check_base_url(credentials.shop_url, "Shopify")
        self.client = HttpClient(
            http,
            platform="Shopify",
            explain=_explain,
            timeout=timeout,
            sleep=sleep,
            max_wait=max_wait,
            headers={
                "X-Shopify-Access-Token": credentials.access_token,
                "Content-Type": "application/json",
            },
        )
        self.graphql = gql.ShopifyGraphQL(
            self.client,
            f"{base}/admin/api/{credentials.api_version}/graphql.json",
            sleep=sleep,
            clock=clock,
            max_wait=max_wait,
        )
        self.location = gql.gid("Location", credentials.location_id)

    # ------------------------------------------------------------ orders in

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookCheck:
        given = header(headers, "X-Shopify-Hmac-Sha256").strip()
        if not given:
            return WebhookCheck(
                "bad-signature", reason="The X-Shopify-Hmac-Sha256 header is missing."
            )
        try:
            signature = base64.b64decode(given, validate=True)
        except (binascii.Error, ValueError):
            return WebhookCheck("bad-signature", reason="The signature is not base64.")
        expected = hmac.new(
            self.credentials.client_secret.encode(), raw_body, hashlib.sha256
        ).digest()
        if not hmac.compare_digest(expected, signature):
            return WebhookCheck("bad-signature", reason="The signature does not match the body.")
        topic = header(headers, "X-Shopify-Topic")
        check = WebhookCheck(
            "ok",
            topic=topic,
            dedup_key=header(headers, "X-Shopify-Webhook-Id"),
            event_id=header(headers, "X-Shopify-Event-Id"),
        )
        if topic not in ORDER_TOPICS:
            return WebhookCheck(
                "not-applicable",
                topic=topic,
                dedup_key=check.dedup_key,
                event_id=check.event_id,
                reason=f"The topic {topic or '(none)'} is not one the warehouse acts on.",
            )
        return check

    def parse_order(self, payload: bytes | str | Mapping[str, Any]) -> PlatformOrder:
        data = payload if isinstance(payload, Mapping) else load_json(payload, "order")
        return parse_shopify_order(data)

    # ---------------------------------------------------------------- reads

    def test_connection(self) -> Text:
        data = self.graphql.run("Connection", gql.SHOP, {"locationId": self.location})
        shop = data.get("shop") or {}
        location = data.get("location")
        if not location:
            raise PlatformRefused(
                _(
                    "The Shopify shop “%(shop)s” has no location with id %(location)s: "
                    "copy the id from Settings → Locations.",
                    shop=shop.get("name", ""),
                    location=self.credentials.location_id,
                )
            )
        return _(
            "Connected to the Shopify shop “%(shop)s” (%(domain)s), %(products)s; "
            "stock figures go to the location “%(location)s”.",
            shop=shop.get("name", ""),
            domain=shop.get("myshopifyDomain", ""),
            products=_products(data.get("productsCount")),
            location=location.get("name", ""),
        )

    def list_products(self) -> list[PlatformProduct]:
        products: list[PlatformProduct] = []
        after: str | None = None
        while True:
            data = self.graphql.run(
                "Variants",
                gql.VARIANTS,
                {"first": PAGE_SIZE, "after": after, "locationId": self.location},
            )
            connection = data.get("productVariants") or {}
            products.extend(product_from_variant(node) for node in connection.get("nodes") or [])
            page = connection.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return products
            after = page.get("endCursor")

    def read_stock(self) -> dict[str, int]:
        return {p.key: p.stock for p in self.list_products() if p.stock is not None}

    # ------------------------------------------------------------ stock out

    def set_stock(self, figures: list[StockFigure]) -> PushResult:
        pushed: list[str] = []
        refused: dict[str, str] = {}
        for start in range(0, len(figures), SET_BATCH):
            batch = figures[start : start + SET_BATCH]
            bad = self._set_batch(batch)
            if bad and len(bad) < len(batch):
                # The call is all or nothing: send again without the refused items.
                rest = [f for f in batch if f.key not in bad]
                again = self._set_batch(rest)
                bad.update(again or {})
            refused.update(bad)
            pushed.extend(f.key for f in batch if f.key not in bad)
        return PushResult(pushed=tuple(pushed), refused=refused)

    def _set_batch(self, batch: list[StockFigure]) -> dict[str, str]:
        """Refused keys with the reason; {} when Shopify took the whole batch."""
        new_api = self.credentials.api_version >= gql.COMPARE_AND_SWAP_FROM
        quantities: list[dict[str, Any]] = []
        for figure in batch:
            entry: dict[str, Any] = {
                "inventoryItemId": gql.gid("InventoryItem", figure.key),
                "locationId": self.location,
                "quantity": max(0, figure.qty),
            }
            if new_api:
                entry["changeFromQuantity"] = None
            quantities.append(entry)
        stock_input: dict[str, Any] = {
            "name": "available",
            "reason": "correction",
            "quantities": quantities,
        }
        if new_api:
            document = gql.SET_QUANTITIES
            variables = {"input": stock_input, "idempotencyKey": str(uuid.uuid4())}
        else:
            stock_input["ignoreCompareQuantity"] = True
            document, variables = gql.SET_QUANTITIES_BEFORE_2026_04, {"input": stock_input}
        data = self.graphql.run("SetStock", document, variables)
        errors = gql.user_errors(data.get("inventorySetQuantities"))
        if not errors:
            return {}
        refused: dict[str, Text | str] = {}
        for error in errors:
            index = _quantity_index(error.get("field"))
            message = str(error.get("message") or "refused")
            if index is None or index >= len(batch):
                return {
                    f.key: _("Shopify refused the stock update: %(said)s", said=message)
                    for f in batch
                }
            refused[batch[index].key] = _(
                "Shopify refused this item's figure: %(said)s", said=message
            )
        return refused

    # ------------------------------------------------------- shipments back

    def fulfil(self, order_id: str, shipment: Shipment) -> None:
        data = self.graphql.run("FulfilmentOrders", gql.FULFILMENT_ORDERS, {"id": _order(order_id)})
        order = data.get("order")
        if not order:
            raise PlatformRefused(_("Shopify has no order %(order)s.", order=order_id))
        for done in order.get("fulfillments") or []:
            if any(
                t.get("number") == shipment.tracking_number for t in done.get("trackingInfo") or []
            ):
                return  # this parcel is already on the order
        groups = fulfilment_groups(order, shipment)
        if not groups:
            raise PlatformRefused(
                _(
                    "Shopify order %(order)s has nothing left to fulfil for this parcel.",
                    order=order_id,
                )
            )
        tracking = {"number": shipment.tracking_number, "company": shipment.carrier}
        if shipment.tracking_url:
            tracking["url"] = shipment.tracking_url
        for items in groups.values():
            result = self.graphql.run(
                "Fulfil",
                gql.FULFILMENT_CREATE,
                {
                    "fulfillment": {
                        "lineItemsByFulfillmentOrder": items,
                        "trackingInfo": tracking,
                        "notifyCustomer": shipment.notify_customer,
                    }
                },
            )
            errors = gql.user_errors(result.get("fulfillmentCreate"))
            if errors:
                said = "; ".join(str(e.get("message")) for e in errors)
                raise PlatformRefused(_("Shopify refused the fulfilment: %(said)s", said=said))

    def add_note(self, order_id: str, text: str, *, customer_facing: bool) -> None:
        data = self.graphql.run("Note", gql.NOTE, {"id": _order(order_id)})
        order = data.get("order")
        if not order:
            raise PlatformRefused(_("Shopify has no order %(order)s.", order=order_id))
        note = order.get("note") or ""
        if text in note:
            return  # already said (a retried call)
        new_note = f"{note}\n{text}" if note else text
        result = self.graphql.run(
            "SetNote", gql.NOTE_UPDATE, {"input": {"id": _order(order_id), "note": new_note}}
        )
        errors = gql.user_errors(result.get("orderUpdate"))
        if errors:
            said = "; ".join(str(e.get("message")) for e in errors)
            raise PlatformRefused(_("Shopify refused the note: %(said)s", said=said))

    def capture_payment(self, order_id: str, amount: Decimal | None = None) -> None:
        data = self.graphql.run("Capturable", gql.CAPTURABLE, {"id": _order(order_id)})
        order = data.get("order")
        if not order:
            raise PlatformRefused(_("Shopify has no order %(order)s.", order=order_id))
        if not order.get("capturable"):
            return  # captured already, or paid at checkout
        money = (order.get("totalCapturableSet") or {}).get("presentmentMoney") or {}
        left = Decimal(str(money.get("amount") or "0")) if amount is None else amount
        for transaction in order.get("transactions") or []:
            if left <= 0:
                break
            if not capturable(transaction):
                continue
            held = (transaction.get("amountSet") or {}).get("presentmentMoney") or {}
            take = min(left, Decimal(str(held.get("amount") or "0")))
            if take <= 0:
                continue
            capture = {
                "id": _order(order_id),
                "parentTransactionId": transaction["id"],
                "amount": str(take),
                "currency": held.get("currencyCode") or money.get("currencyCode"),
            }
            result = self.graphql.run("Capture", gql.CAPTURE, {"input": capture})
            errors = gql.user_errors(result.get("orderCapture"))
            if errors:
                said = "; ".join(str(e.get("message")) for e in errors)
                raise PlatformRefused(_("Shopify refused the capture: %(said)s", said=said))
            left -= take


# ---------------------------------------------------------------- helpers


def _explain(response: requests.Response) -> str:
    try:
        body = load_json(response.content)
    except PayloadError:
        return response.text[:200]
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, dict))
    return ""


def _order(order_id: str) -> str:
    return gql.gid("Order", order_id)


def _quantity_index(path: Any) -> int | None:
    """``["input", "quantities", "2", "inventoryItemId"]`` -> 2."""
    if isinstance(path, list) and "quantities" in path:
        after = path.index("quantities") + 1
        if after < len(path) and str(path[after]).isdigit():
            return int(path[after])
    return None


def _products(counted: Any) -> Text:
    """Shopify's product count as said: it stops counting at a limit (10,000 by default)
    and then answers ``AT_LEAST``."""
    if not isinstance(counted, dict) or not isinstance(counted.get("count"), int):
        return _("its products not counted")
    count = counted["count"]
    if counted.get("precision") == "AT_LEAST":
        return n_("at least %(num)s product", "at least %(num)s products", count, num=Number(count))
    return n_("%(num)s product", "%(num)s products", count, num=Number(count))
