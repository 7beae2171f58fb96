"""A fake Shopify on 127.0.0.1: the GraphQL Admin API, its cost throttling, and signed webhooks.

``POST /admin/api/{version}/graphql.json`` with ``X-Shopify-Access-Token``
(401 ``{"errors": "[API] Invalid API key or access token …"}`` otherwise). The
document is parsed and validated against the schema slice in
``shopify_schema`` (so a misspelt field fails here as it would on Shopify) and
executed against the fake's state; the answer carries ``extensions.cost`` with
``requestedQueryCost``, ``actualQueryCost`` and ``throttleStatus``.

Cost, after Shopify's published rules: an object 1 point, a connection 2 plus
``first`` times its node's cost, a list with ``first`` that many objects, a
mutation 10; scalars free. More than 1,000 points in one query is refused
(``MAX_COST_EXCEEDED``). The bucket (``throttle(maximum, restore_rate)``)
refills with the fake's clock; a query it cannot cover is answered 200 with a
``THROTTLED`` error and nothing done. ``fail_next("POST graphql", status=429,
retry_after=2)`` answers HTTP 429 with ``Retry-After``.

State: variants (``add_variant``) with their inventory item and ``available``
figure at the one location; orders (``add_order`` from a REST-shaped order,
such as the docs' example) with one fulfilment order at the location, the
transactions their ``financial_status`` implies (``authorized``: an
authorisation of the total to capture), fulfilments, captures and note.
Mutations: ``inventorySetQuantities`` (2026-04 and later: ``@idempotent``
required, and ``changeFromQuantity`` on every quantity; before:
``ignoreCompareQuantity`` or ``compareQuantity``), ``fulfillmentCreate``,
``orderCapture``, ``orderUpdate``. ``send_webhook`` posts a body signed
Shopify's way with its headers. Generated ids start above 2**53.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
from graphql import GraphQLError, execute_sync, parse, validate
from graphql.language import DocumentNode, FieldNode, OperationDefinitionNode

from tests.fakes.shop_base import Answer, FakeShop, Recorded
from tests.fakes.shopify_resolvers import Resolvers
from tests.fakes.shopify_schema import schema_for

MAX_QUERY_COST = 1000
BIG_ID = 2**53 + 1


@dataclass
class Variant:
    id: int
    product_id: int
    inventory_item_id: int
    sku: str
    title: str
    product_title: str
    available: int
    tracked: bool = True
    stocked: bool = True


@dataclass
class Order:
    id: int
    name: str
    currency: str
    lines: list[dict[str, Any]]  # id, sku, quantity, name
    fulfillment_orders: list[dict[str, Any]]  # id, status, items: [{id, line_id, total, remaining}]
    transactions: list[dict[str, Any]] = field(default_factory=list)
    fulfillments: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None


class FakeShopify(FakeShop):
    def __init__(
        self,
        *,
        access_token: str = "shpat_fake_token",
        client_secret: str = "shopify-client-secret",
        location_id: int = 655441491,
        shop_name: str = "Knit Shop",
        domain: str = "knit-shop.myshopify.com",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.access_token = access_token
        self.client_secret = client_secret
        self.location_id = location_id
        self.shop_name = shop_name
        self.domain = domain
        self.clock = clock
        self.variants: dict[int, Variant] = {}
        self.orders: dict[int, Order] = {}
        self.stock_writes: list[dict[str, Any]] = []  # every applied inventorySetQuantities
        self.idempotent: dict[str, Any] = {}
        self.throttled = 0  # queries answered THROTTLED
        self._ids = itertools.count(BIG_ID)
        self.maximum = 2000.0
        self.restore_rate = 100.0
        self.available = self.maximum
        self._refilled_at = clock()
        self._hooks = requests.Session()

    # ------------------------------------------------------------ state

    def new_id(self) -> int:
        return next(self._ids)

    def add_variant(
        self,
        sku: str,
        available: int = 0,
        *,
        title: str = "Default",
        product: str = "Product",
        tracked: bool = True,
        stocked: bool = True,
    ) -> Variant:
        with self.lock:
            variant = Variant(
                self.new_id(),
                self.new_id(),
                self.new_id(),
                sku,
                title,
                product,
                available,
                tracked,
                stocked,
            )
            self.variants[variant.id] = variant
            return variant

    def add_order(self, payload: dict[str, Any]) -> Order:
        """An order from a REST-shaped body, open at the location, paid as it says."""
        with self.lock:
            lines = []
            items = []
            for item in payload["line_items"]:
                qty = int(item.get("current_quantity", item["quantity"]))
                lines.append(
                    {
                        "id": int(item["id"]),
                        "sku": item.get("sku") or "",
                        "quantity": qty,
                        "name": item.get("name") or "",
                    }
                )
                if qty and item.get("requires_shipping", True):
                    items.append(
                        {
                            "id": self.new_id(),
                            "line_id": int(item["id"]),
                            "total": qty,
                            "remaining": qty,
                        }
                    )
            order = Order(
                id=int(payload["id"]),
                name=payload.get("name") or f"#{payload['id']}",
                currency=payload.get("currency") or "USD",
                lines=lines,
                fulfillment_orders=[{"id": self.new_id(), "status": "OPEN", "items": items}],
            )
            status = payload.get("financial_status")
            kind = "AUTHORIZATION" if status == "authorized" else "SALE"
            if status in ("authorized", "paid", "partially_refunded"):
                amount = Decimal(str(payload.get("total_price") or "0"))
                order.transactions.append(
                    {
                        "id": self.new_id(),
                        "kind": kind,
                        "status": "SUCCESS",
                        "amount": amount,
                        "left": amount if kind == "AUTHORIZATION" else Decimal(0),
                        "parent": None,
                    }
                )
            self.orders[order.id] = order
            return order

    def stock_of(self, inventory_item_id: int | str) -> int:
        with self.lock:
            for variant in self.variants.values():
                if variant.inventory_item_id == int(inventory_item_id):
                    return variant.available
        raise KeyError(inventory_item_id)

    def throttle(self, maximum: float, restore_rate: float, available: float | None = None) -> None:
        with self.lock:
            self.maximum = maximum
            self.restore_rate = restore_rate
            self.available = maximum if available is None else available
            self._refilled_at = self.clock()

    # ---------------------------------------------------------- webhooks

    def webhook_headers(
        self, topic: str, body: bytes, webhook_id: str | None = None
    ) -> dict[str, str]:
        digest = hmac.new(self.client_secret.encode(), body, hashlib.sha256).digest()
        return {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Shop-Domain": self.domain,
            "X-Shopify-API-Version": "2026-07",
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
            "X-Shopify-Event-Id": str(uuid.uuid4()),
            "X-Shopify-Triggered-At": datetime.now(UTC).isoformat(),
        }

    def send_webhook(
        self,
        url: str,
        topic: str,
        body: bytes,
        *,
        tamper_at: int | None = None,
        webhook_id: str | None = None,
    ) -> int:
        """POST ``body`` signed for ``topic``; ``tamper_at``: flip a bit of that byte after."""
        headers = self.webhook_headers(topic, body, webhook_id)
        sent = body
        if tamper_at is not None:
            sent = body[:tamper_at] + bytes([body[tamper_at] ^ 0x01]) + body[tamper_at + 1 :]
        return self._hooks.post(url, data=sent, headers=headers, timeout=10).status_code

    # ------------------------------------------------------------ serving

    def endpoint_of(self, method: str, path: str) -> str:
        return f"{method} graphql" if path.endswith("/graphql.json") else f"{method} {path}"

    def answer(self, request: Recorded) -> Answer:
        parts = request.path.strip("/").split("/")
        if (
            request.method != "POST"
            or len(parts) != 4
            or parts[:2] != ["admin", "api"]
            or parts[3] != "graphql.json"
        ):
            return _json(404, {"errors": "Not Found"})
        if request.headers.get("x-shopify-access-token") != self.access_token:
            return _json(
                401,
                {
                    "errors": "[API] Invalid API key or access token"
                    " (unrecognized login or wrong password)"
                },
            )
        try:
            body = json.loads(request.body)
            document = parse(body["query"])
        except (ValueError, KeyError, TypeError, GraphQLError) as exc:
            return _json(200, {"errors": [{"message": f"Parse error: {exc}"}]})
        variables = body.get("variables") or {}
        schema = schema_for(parts[2])
        problems = validate(schema, document)
        if problems:
            return _json(200, {"errors": [e.formatted for e in problems]})
        cost = requested_cost(document, variables)
        with self.lock:
            if cost > MAX_QUERY_COST:
                return _json(
                    200,
                    {
                        "errors": [
                            {
                                "message": f"Query cost is {cost}, which exceeds the single"
                                f" query max cost limit ({MAX_QUERY_COST}).",
                                "extensions": {
                                    "code": "MAX_COST_EXCEEDED",
                                    "cost": cost,
                                    "maxCost": MAX_QUERY_COST,
                                },
                            }
                        ]
                    },
                )
            self._refill()
            if cost > self.available:
                self.throttled += 1
                return _json(
                    200,
                    {
                        "errors": [
                            {
                                "message": "Throttled",
                                "extensions": {
                                    "code": "THROTTLED",
                                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                                },
                            }
                        ],
                        "extensions": {"cost": self._cost(cost, None)},
                    },
                )
            self.available -= cost
            result = execute_sync(
                schema, document, root_value=Resolvers(self, parts[2]), variable_values=variables
            )
            answer: dict[str, Any] = {"data": result.data}
            if result.errors:
                answer["errors"] = [e.formatted for e in result.errors]
            answer["extensions"] = {"cost": self._cost(cost, cost)}
            return _json(200, answer)

    def _refill(self) -> None:
        now = self.clock()
        self.available = min(
            self.maximum, self.available + (now - self._refilled_at) * self.restore_rate
        )
        self._refilled_at = now

    def _cost(self, requested: int, actual: int | None) -> dict[str, Any]:
        return {
            "requestedQueryCost": requested,
            "actualQueryCost": actual,
            "throttleStatus": {
                "maximumAvailable": self.maximum,
                "currentlyAvailable": self.available,
                "restoreRate": self.restore_rate,
            },
        }


def requested_cost(document: DocumentNode, variables: dict[str, Any]) -> int:
    total = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            mutation = definition.operation.value == "mutation"
            for node in definition.selection_set.selections:
                if isinstance(node, FieldNode):
                    total += (
                        (10 + _children(node, variables)) if mutation else _field(node, variables)
                    )
    return total


def _field(node: FieldNode, variables: dict[str, Any]) -> int:
    if node.selection_set is None:
        return 0
    first = _argument(node, "first", variables)
    children = {c.name.value: c for c in node.selection_set.selections if isinstance(c, FieldNode)}
    if first is not None and "nodes" in children:
        return 2 + first * (1 + _children(children["nodes"], variables))
    if first is not None:
        return first * (1 + _children(node, variables))
    return 1 + _children(node, variables)


def _children(node: FieldNode, variables: dict[str, Any]) -> int:
    if node.selection_set is None:
        return 0
    return sum(
        _field(c, variables) for c in node.selection_set.selections if isinstance(c, FieldNode)
    )


def _argument(node: FieldNode, name: str, variables: dict[str, Any]) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value == name:
            value = argument.value
            if value.kind == "variable":
                found = variables.get(value.name.value)  # type: ignore[attr-defined]
                return int(found) if found is not None else None
            return int(value.value)  # type: ignore[attr-defined]
    return None


def _json(status: int, body: Any) -> Answer:
    return Answer(
        status, json.dumps(body, default=str).encode(), {"Content-Type": "application/json"}
    )
