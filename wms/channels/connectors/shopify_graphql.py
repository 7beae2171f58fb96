"""Shopify's GraphQL Admin API, called with its cost-based throttling in mind.

Every answer carries ``extensions.cost.throttleStatus``: the bucket's
``maximumAvailable``, what is ``currentlyAvailable`` and the ``restoreRate`` per
second. The client remembers it, with what each named operation asked for last
time (``requestedQueryCost``), and before sending an operation whose cost the
bucket cannot cover yet it waits the time the bucket needs to refill. A
``THROTTLED`` error (the bucket ran dry anyway, e.g. shared with another app
process) is the same: wait for the refill and send again. Waits stay within
``max_wait`` seconds per call; past that ``PlatformUnavailable`` carries the
wait still needed as ``retry_after``. HTTP 429 is honoured by ``HttpClient``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wms.base.i18n import Number, _
from wms.channels.connectors.base import (
    PlatformRefused,
    PlatformUnavailable,
    load_json,
)
from wms.channels.connectors.http import HttpClient, Sleep

# API versions from 2026-04 on: each quantity names the figure it replaces
# (``changeFromQuantity``, null to opt out) and the mutation needs @idempotent.
COMPARE_AND_SWAP_FROM = "2026-04"


def gid(kind: str, legacy_id: str) -> str:
    return f"gid://shopify/{kind}/{legacy_id}"


def legacy_id(global_id: str) -> str:
    """``gid://shopify/Order/450789469`` -> ``450789469``."""
    return global_id.rsplit("/", 1)[-1].split("?", 1)[0]


SHOP = """
query Connection($locationId: ID!) {
  shop { name myshopifyDomain }
  location(id: $locationId) { id name }
  productsCount { count precision }
}"""

VARIANTS = """
query Variants($first: Int!, $after: String, $locationId: ID!) {
  productVariants(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      sku
      title
      product { id title }
      inventoryItem {
        id
        tracked
        inventoryLevel(locationId: $locationId) {
          quantities(names: ["available"]) { name quantity }
        }
      }
    }
  }
}"""

_SET_FIELDS = """
    inventoryAdjustmentGroup { id }
    userErrors { code field message }"""

SET_QUANTITIES = (
    """
mutation SetStock($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {"""
    + _SET_FIELDS
    + """
  }
}"""
)

SET_QUANTITIES_BEFORE_2026_04 = (
    """
mutation SetStock($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {"""
    + _SET_FIELDS
    + """
  }
}"""
)

FULFILMENT_ORDERS = """
query FulfilmentOrders($id: ID!) {
  order(id: $id) {
    id
    fulfillments(first: 10) { id trackingInfo(first: 3) { number } }
    fulfillmentOrders(first: 5) {
      nodes {
        id
        status
        assignedLocation { location { id } }
        lineItems(first: 50) {
          nodes { id remainingQuantity lineItem { id sku } }
        }
      }
    }
  }
}"""

FULFILMENT_CREATE = """
mutation Fulfil($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status }
    userErrors { field message }
  }
}"""

CAPTURABLE = """
query Capturable($id: ID!) {
  order(id: $id) {
    id
    capturable
    totalCapturableSet { presentmentMoney { amount currencyCode } }
    transactions(first: 20) {
      id
      kind
      status
      manuallyCapturable
      amountSet { presentmentMoney { amount currencyCode } }
    }
  }
}"""

CAPTURE = """
mutation Capture($input: OrderCaptureInput!) {
  orderCapture(input: $input) {
    transaction { id kind status }
    userErrors { field message }
  }
}"""

NOTE = """
query Note($id: ID!) {
  order(id: $id) { id note }
}"""

NOTE_UPDATE = """
mutation SetNote($input: OrderInput!) {
  orderUpdate(input: $input) {
    order { id note }
    userErrors { field message }
  }
}"""


# Page sizes keep each query under Shopify's 1,000-point ceiling for one query.


@dataclass
class Bucket:
    maximum: float
    available: float
    restore_rate: float
    seen_at: float

    def available_at(self, now: float) -> float:
        return min(self.maximum, self.available + self.restore_rate * max(0.0, now - self.seen_at))


class ShopifyGraphQL:
    def __init__(
        self,
        http: HttpClient,
        endpoint: str,
        *,
        sleep: Sleep = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_wait: float = 30.0,
        attempts: int = 4,
    ) -> None:
        self.http = http
        self.endpoint = endpoint
        self.sleep = sleep
        self.clock = clock
        self.max_wait = max_wait
        self.attempts = attempts
        self.bucket: Bucket | None = None
        self.costs: dict[str, float] = {}  # operation -> requestedQueryCost last seen
        self.waits: list[float] = []  # every wait taken for the bucket, for the curious

    def run(self, operation: str, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """The ``data`` of one operation, after any waits the bucket needs."""
        waited = 0.0
        for attempt in range(self.attempts):
            waited += self._make_room(operation, waited)
            response = self.http.request(
                "POST", self.endpoint, json_body={"query": document, "variables": variables}
            )
            body = load_json(response.content, "answer")
            needed = self._note_cost(operation, body)
            errors = body.get("errors") if isinstance(body, dict) else None
            if errors and _is_throttled(errors):
                wait = needed if needed is not None else 1.0
                if attempt + 1 < self.attempts and waited + wait <= self.max_wait:
                    self._wait(wait)
                    waited += wait
                    continue
                raise PlatformUnavailable(
                    _(
                        "Shopify is throttling calls; try again in %(seconds)s s.",
                        seconds=Number(wait),
                    ),
                    retry_after=wait,
                )
            if errors:
                raise _error(errors)
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict):
                raise PlatformUnavailable(_("Shopify answered without data."))
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    def _make_room(self, operation: str, waited: float) -> float:
        cost = self.costs.get(operation)
        if self.bucket is None or cost is None or self.bucket.restore_rate <= 0:
            return 0.0
        available = self.bucket.available_at(self.clock())
        if available >= cost:
            return 0.0
        wait = _round_up((cost - available) / self.bucket.restore_rate)
        if waited + wait > self.max_wait:
            raise PlatformUnavailable(
                _(
                    "Shopify's rate limit needs %(seconds)s s before the next call.",
                    seconds=Number(round(wait, 1)),
                ),
                retry_after=wait,
            )
        self._wait(wait)
        return wait

    def _wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.sleep(seconds)

    def _note_cost(self, operation: str, body: Any) -> float | None:
        """Remember the bucket; return how long it needs to cover this operation."""
        cost = ((body.get("extensions") or {}).get("cost") or {}) if isinstance(body, dict) else {}
        status = cost.get("throttleStatus") or {}
        try:
            requested = float(cost["requestedQueryCost"])
            self.bucket = Bucket(
                maximum=float(status["maximumAvailable"]),
                available=float(status["currentlyAvailable"]),
                restore_rate=float(status["restoreRate"]),
                seen_at=self.clock(),
            )
        except (KeyError, TypeError, ValueError):
            return None
        self.costs[operation] = requested
        if self.bucket.restore_rate <= 0:
            return None
        return _round_up((requested - self.bucket.available) / self.bucket.restore_rate)


def _round_up(seconds: float) -> float:
    """A little over the exact refill time (which may fall a hair short), in tenths."""
    return max(1, math.ceil((seconds + 0.05) * 10)) / 10


def _is_throttled(errors: Any) -> bool:
    return isinstance(errors, list) and any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED"
        for e in errors
    )


def _error(errors: Any) -> Exception:
    if not isinstance(errors, list):
        return PlatformRefused(_("Shopify refused the call: %(said)s", said=str(errors)))
    messages = "; ".join(str(e.get("message", e)) for e in errors if isinstance(e, dict))
    codes = {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)}
    if codes & {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"}:
        return PlatformUnavailable(_("Shopify had an error: %(said)s", said=messages))
    if "ACCESS_DENIED" in codes:
        return PlatformRefused(_("The Shopify app lacks a permission: %(said)s", said=messages))
    return PlatformRefused(_("Shopify refused the call: %(said)s", said=messages))


def user_errors(payload: Any) -> list[dict[str, Any]]:
    errors = (payload or {}).get("userErrors") if isinstance(payload, dict) else None
    return [e for e in errors or [] if isinstance(e, dict)]
