"""A fake WooCommerce on 127.0.0.1: the REST API v3 the connector calls, and its webhooks.

Under ``/wp-json/wc/v3``, with HTTP Basic (consumer key and secret; 401
``woocommerce_rest_authentication_error`` otherwise). Errors are
``{"code", "message", "data": {"status"}}`` as the docs show.

* ``GET /products`` and ``GET /products/{id}/variations``: ``per_page`` (1 to
  100, else 400 ``rest_invalid_param``) and ``page``; ``X-WP-Total``,
  ``X-WP-TotalPages`` and a ``Link`` header.
* ``POST /products/batch`` and ``POST /products/{id}/variations/batch``:
  ``{"update": [...]}``; more than 100 items is 413; an unknown id is an item
  ``{"id", "error": {...}}`` in the answer while the others are applied.
* ``GET``/``PUT /orders/{id}``; ``GET``/``POST /orders/{id}/notes`` (``type``:
  ``any``, ``customer`` or ``internal``).

Endpoint names for ``fail_next``: the method and the path with ids as
``{id}``, e.g. ``"POST /products/batch"``, ``"PUT /orders/{id}"``.

``send_ping(url, webhook_id)`` posts what WooCommerce posts when a webhook is
created (the form body ``webhook_id=N``, no signature) and says whether the
answer was exactly 200, as WooCommerce requires. ``send_webhook(url, topic,
body)`` posts a delivery with WooCommerce's headers, signed with the webhook's
secret after WordPress's HTML-entity decoding of it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import uuid
from typing import Any

import requests

from tests.fakes.shop_base import Answer, FakeShop, Recorded

API = "/wp-json/wc/v3"
NUMBER = re.compile(r"/\d+")
ORDER_STATUSES = (
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
)


def wordpress_decode(secret: str) -> str:
    """wp_specialchars_decode( $secret, ENT_QUOTES ), for the named and numeric forms it knows."""
    table = [
        ("&amp;", "&"),
        ("&#038;", "&"),
        ("&#38;", "&"),
        ("&lt;", "<"),
        ("&#060;", "<"),
        ("&#60;", "<"),
        ("&gt;", ">"),
        ("&#062;", ">"),
        ("&#62;", ">"),
        ("&quot;", '"'),
        ("&#034;", '"'),
        ("&#34;", '"'),
        ("&#039;", "'"),
        ("&#39;", "'"),
        ("&#x27;", "'"),
    ]
    out, i = [], 0
    while i < len(secret):
        for entity, char in table:
            if secret.startswith(entity, i):
                out.append(char)
                i += len(entity)
                break
        else:
            out.append(secret[i])
            i += 1
    return "".join(out)


class FakeWooCommerce(FakeShop):
    def __init__(
        self,
        *,
        consumer_key: str = "ck_fake",
        consumer_secret: str = "cs_fake",
        webhook_secret: str = "woo-webhook-secret",
    ) -> None:
        super().__init__()
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.webhook_secret = webhook_secret
        self.products: dict[int, dict[str, Any]] = {}
        self.variations: dict[int, dict[str, Any]] = {}
        self.orders: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1000)
        self._hooks = requests.Session()

    # ------------------------------------------------------------ state

    def add_product(
        self, sku: str, stock: int | None = 0, *, name: str = "Product"
    ) -> dict[str, Any]:
        with self.lock:
            product = {
                "id": next(self._ids),
                "name": name,
                "type": "simple",
                "sku": sku,
                "manage_stock": stock is not None,
                "stock_quantity": stock,
                "variations": [],
            }
            self.products[product["id"]] = product
            return product

    def add_variable(self, name: str, variations: dict[str, int | None]) -> dict[str, Any]:
        """A variable product and its variations (SKU -> stock, None when not managed)."""
        with self.lock:
            product = {
                "id": next(self._ids),
                "name": name,
                "type": "variable",
                "sku": "",
                "manage_stock": False,
                "stock_quantity": None,
                "variations": [],
            }
            self.products[product["id"]] = product
            for sku, stock in variations.items():
                variation = {
                    "id": next(self._ids),
                    "parent_id": product["id"],
                    "name": sku,
                    "sku": sku,
                    "manage_stock": True if stock is not None else "parent",
                    "stock_quantity": stock,
                }
                self.variations[variation["id"]] = variation
                product["variations"].append(variation["id"])
            return product

    def add_order(self, order: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            stored = json.loads(json.dumps(order))
            self.orders[int(stored["id"])] = stored
            self.notes.setdefault(int(stored["id"]), [])
            return stored

    def stock_of(self, key: str) -> int | None:
        product_id, _, variation_id = key.partition("/")
        with self.lock:
            item = (
                self.variations[int(variation_id)]
                if variation_id
                else self.products[int(product_id)]
            )
            return item["stock_quantity"]

    # ---------------------------------------------------------- webhooks

    def send_ping(self, url: str, webhook_id: int = 1) -> bool:
        """WooCommerce's creation ping; True if the webhook would be activated (exactly 200)."""
        response = self._hooks.post(
            url,
            data=f"webhook_id={webhook_id}".encode(),
            headers={
                "User-Agent": "WooCommerce/9.4.0 Hookshot (WordPress/6.7)",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            timeout=10,
        )
        return response.status_code == 200

    def webhook_headers(self, topic: str, body: bytes, webhook_id: int = 1) -> dict[str, str]:
        key = wordpress_decode(self.webhook_secret).encode()
        signature = base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode()
        resource, _, event = topic.partition(".")
        return {
            "User-Agent": "WooCommerce/9.4.0 Hookshot (WordPress/6.7)",
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": f"{self.url}/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": resource,
            "X-WC-Webhook-Event": event,
            "X-WC-Webhook-Signature": signature,
            "X-WC-Webhook-ID": str(webhook_id),
            "X-WC-Webhook-Delivery-ID": uuid.uuid4().hex,
        }

    def send_webhook(
        self, url: str, topic: str, body: bytes, *, tamper_at: int | None = None
    ) -> int:
        headers = self.webhook_headers(topic, body)
        sent = body
        if tamper_at is not None:
            sent = body[:tamper_at] + bytes([body[tamper_at] ^ 0x01]) + body[tamper_at + 1 :]
        return self._hooks.post(url, data=sent, headers=headers, timeout=10).status_code

    # ------------------------------------------------------------ serving

    def endpoint_of(self, method: str, path: str) -> str:
        return f"{method} {NUMBER.sub('/{id}', path.removeprefix(API))}"

    def answer(self, request: Recorded) -> Answer:
        auth = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{self.consumer_key}:{self.consumer_secret}".encode()).decode()
        if auth != f"Basic {expected}":
            return _error(
                401, "woocommerce_rest_authentication_error", "Consumer secret is invalid."
            )
        if not request.path.startswith(API + "/"):
            return _error(
                404, "rest_no_route", "No route was found matching the URL and request method."
            )
        parts = request.path.removeprefix(API + "/").split("/")
        body: Any = None
        if request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                return _error(400, "rest_invalid_json", "Invalid JSON body passed.")
        with self.lock:
            return self._route(request, parts, body)

    def _route(self, request: Recorded, parts: list[str], body: Any) -> Answer:
        method = request.method
        match parts:
            case ["products"] if method == "GET":
                return self._page(
                    request, sorted(self.products.values(), key=lambda p: p["id"]), "products"
                )
            case ["products", "batch"] if method == "POST":
                return self._batch(body, self.products, None)
            case ["products", pid, "variations"] if method == "GET" and pid.isdigit():
                if int(pid) not in self.products:
                    return _error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
                items = [self.variations[v] for v in self.products[int(pid)]["variations"]]
                return self._page(request, items, f"products/{pid}/variations")
            case ["products", pid, "variations", "batch"] if method == "POST" and pid.isdigit():
                return self._batch(body, self.variations, int(pid))
            case ["orders", oid] if oid.isdigit():
                return self._order(method, int(oid), body)
            case ["orders", oid, "notes"] if oid.isdigit():
                return self._notes(request, int(oid), body)
        return _error(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )

    def _page(self, request: Recorded, items: list[dict[str, Any]], path: str) -> Answer:
        try:
            per_page = int(request.query.get("per_page", ["10"])[0])
            page = int(request.query.get("page", ["1"])[0])
        except ValueError:
            return _error(400, "rest_invalid_param", "Invalid parameter(s): per_page, page")
        if not 1 <= per_page <= 100 or page < 1:
            return _error(
                400,
                "rest_invalid_param",
                "Invalid parameter(s): per_page",
                params={"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"},
            )
        pages = max(1, -(-len(items) // per_page))
        chosen = items[(page - 1) * per_page : page * per_page]
        links = []
        if page < pages:
            links.append(f'<{self.url}{API}/{path}?page={page + 1}>; rel="next"')
        if page > 1:
            links.append(f'<{self.url}{API}/{path}?page={page - 1}>; rel="prev"')
        headers = {"X-WP-Total": str(len(items)), "X-WP-TotalPages": str(pages)}
        if links:
            headers["Link"] = ", ".join(links)
        return _json(200, [self._view(i) for i in chosen], headers)

    def _view(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in item.items() if k != "parent_id"}

    def _batch(self, body: Any, table: dict[int, dict[str, Any]], parent: int | None) -> Answer:
        if parent is not None and parent not in self.products:
            return _error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        updates = (body or {}).get("update") or []
        if len(updates) > 100:
            return _error(
                413,
                "woocommerce_rest_request_entity_too_large",
                "Unable to accept more than 100 items for this request.",
            )
        answered = []
        for update in updates:
            item = table.get(int(update.get("id", 0)))
            if item is None or (parent is not None and item["parent_id"] != parent):
                answered.append(
                    {
                        "id": update.get("id"),
                        "error": {
                            "code": "woocommerce_rest_product_invalid_id",
                            "message": "Invalid ID.",
                            "data": {"status": 400},
                        },
                    }
                )
                continue
            for name in ("stock_quantity", "manage_stock"):
                if name in update:
                    item[name] = update[name]
            answered.append(self._view(item))
        return _json(200, {"update": answered})

    def _order(self, method: str, order_id: int, body: Any) -> Answer:
        order = self.orders.get(order_id)
        if order is None:
            return _error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        if method == "PUT":
            status = (body or {}).get("status")
            if status is not None:
                if status not in ORDER_STATUSES:
                    return _error(400, "rest_invalid_param", "Invalid parameter(s): status")
                order["status"] = status
        elif method != "GET":
            return _error(
                404, "rest_no_route", "No route was found matching the URL and request method."
            )
        return _json(200, order)

    def _notes(self, request: Recorded, order_id: int, body: Any) -> Answer:
        if order_id not in self.orders:
            return _error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        notes = self.notes[order_id]
        if request.method == "GET":
            kind = request.query.get("type", ["any"])[0]
            shown = [
                n for n in notes if kind == "any" or n["customer_note"] == (kind == "customer")
            ]
            return _json(200, list(reversed(shown)))
        if request.method == "POST":
            if not (body or {}).get("note"):
                return _error(400, "rest_missing_callback_param", "Missing parameter(s): note")
            note = {
                "id": next(self._ids),
                "author": "system",
                "note": body["note"],
                "customer_note": bool(body.get("customer_note")),
            }
            notes.append(note)
            return _json(201, note)
        return _error(
            404, "rest_no_route", "No route was found matching the URL and request method."
        )


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Answer:
    return Answer(
        status, json.dumps(body).encode(), {"Content-Type": "application/json", **(headers or {})}
    )


def _error(status: int, code: str, message: str, **data: Any) -> Answer:
    return _json(status, {"code": code, "message": message, "data": {"status": status, **data}})
