"""WooCommerce: orders come by webhook, the rest through the REST API v3 (``/wp-json/wc/v3``).

Webhooks (``order.created``, ``order.updated``) carry ``X-WC-Webhook-Signature``:
the base64 of an HMAC-SHA256 of the delivered body keyed with the webhook's
secret *after* WordPress decodes its HTML entities (``wp_specialchars_decode``
with ENT_QUOTES), so a secret typed as ``a&amp;b`` signs with ``a&b``. When a
webhook is created WooCommerce first posts a ping, the form body
``webhook_id=N`` with no signature, and activates the webhook only if the answer
is exactly 200: that is ``status="ping"``. ``X-WC-Webhook-Delivery-ID`` is given
as ``dedup_key``. The body is the order exactly as ``GET /orders/{id}`` shows it.

Mapping choices:

* A line whose ``sku`` is empty keeps its ``product_id`` and ``variation_id``
  (0 meaning none) so the caller maps it through the channel's product table.
* ``processing`` and ``completed`` orders (or any with ``date_paid_gmt``) are
  paid; ``cancelled``, ``refunded``, ``failed`` and ``trash`` are cancelled;
  the rest (``pending``, ``on-hold``) wait for payment.
* Stock: ``products/batch`` and ``products/{id}/variations/batch`` with
  ``stock_quantity`` and ``manage_stock: true``, 100 items a call (the API's
  limit). A product's key is its id; a variation's is ``product/variation``.
* A parcel: a customer note with the tracking (WooCommerce e-mails it), then,
  for the order's last parcel, the status ``completed``. A note already holding
  the tracking number is not written again, nor a note already said.
* Payment: the REST API holds no authorisation to capture, so
  ``capture_payment`` does nothing. (WooCommerce's Stripe gateway, set to
  authorise only, captures when the order moves to processing or completed,
  which ``fulfil`` does.)
* Authentication: HTTP Basic with the consumer key and secret, which the REST
  API accepts over HTTPS (plain HTTP only to this machine, for tests).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from wms.base.i18n import Number, Text, _, n_
from wms.channels.connectors.base import (
    Connector,
    PayloadError,
    PlatformOrder,
    PlatformProduct,
    PushResult,
    Shipment,
    StockFigure,
    WebhookCheck,
    header,
    id_text,
    load_json,
)
from wms.channels.connectors.http import HttpClient, Sleep, check_base_url
from wms.channels.connectors.woocommerce_orders import parse_woocommerce_order

ORDER_TOPICS = ("order.created", "order.updated")
PAGE_SIZE = 100
BATCH_LIMIT = 100
PING = re.compile(rb"webhook_id=\d+")

# wp_specialchars_decode( $secret, ENT_QUOTES ): these entities, in one pass.
_ENTITY_FORMS = (
    (re.compile(r"&#0*39;"), "&#039;"),
    (re.compile(r"&#x0*27;", re.IGNORECASE), "&#x27;"),
    (re.compile(r"&#0*34;"), "&#034;"),
    (re.compile(r"&#x0*22;", re.IGNORECASE), "&#x22;"),
    (re.compile(r"&#0*60;"), "&#060;"),
    (re.compile(r"&#x0*3c;", re.IGNORECASE), "&#x3c;"),
    (re.compile(r"&#0*62;"), "&#062;"),
    (re.compile(r"&#x0*3e;", re.IGNORECASE), "&#x3e;"),
    (re.compile(r"&#0*38;"), "&#038;"),
    (re.compile(r"&#x0*26;", re.IGNORECASE), "&#x26;"),
)
_ENTITIES = {
    "&#039;": "'",
    "&#x27;": "'",
    "&quot;": '"',
    "&#034;": '"',
    "&#x22;": '"',
    "&lt;": "<",
    "&#060;": "<",
    "&#x3c;": "<",
    "&gt;": ">",
    "&#062;": ">",
    "&#x3e;": ">",
    "&amp;": "&",
    "&#038;": "&",
    "&#x26;": "&",
}
_ENTITY = re.compile("|".join(re.escape(k) for k in sorted(_ENTITIES, key=len, reverse=True)))


def signing_key(secret: str) -> bytes:
    """The key WooCommerce signs with: the stored secret with its HTML entities decoded."""
    if "&" not in secret:
        return secret.encode()
    for pattern, form in _ENTITY_FORMS:
        secret = pattern.sub(form, secret)
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], secret).encode()


@dataclass(frozen=True)
class WooCommerceCredentials:
    site_url: str  # https://shop.example
    consumer_key: str = field(repr=False)
    consumer_secret: str = field(repr=False)
    webhook_secret: str = field(repr=False)


class WooCommerceConnector(Connector):
    platform = "woocommerce"
    receives_webhooks = True

    def __init__(
        self,
        credentials: WooCommerceCredentials,
        http: requests.Session,
        *,
        sleep: Sleep = time.sleep,
        max_wait: float = 30.0,
        timeout: float = 10.0,
    ) -> None:
        self.credentials = credentials
        self.api = f"{check_base_url(credentials.site_url, 'WooCommerce')}/wp-json/wc/v3"
        self.client = HttpClient(
            http,
            platform="WooCommerce",
            explain=_explain,
            timeout=timeout,
            sleep=sleep,
            max_wait=max_wait,
            auth=(credentials.consumer_key, credentials.consumer_secret),
        )

    # ------------------------------------------------------------ orders in

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookCheck:
        given = header(headers, "X-WC-Webhook-Signature").strip()
        if not given:
            if PING.fullmatch(raw_body.strip()):
                return WebhookCheck("ping", reason="WooCommerce's test delivery.")
            return WebhookCheck(
                "bad-signature", reason="The X-WC-Webhook-Signature header is missing."
            )
        try:
            signature = base64.b64decode(given, validate=True)
        except (binascii.Error, ValueError):
            return WebhookCheck("bad-signature", reason="The signature is not base64.")
        key = signing_key(self.credentials.webhook_secret)
        expected = hmac.new(key, raw_body, hashlib.sha256).digest()
        if not hmac.compare_digest(expected, signature):
            return WebhookCheck("bad-signature", reason="The signature does not match the body.")
        topic = header(headers, "X-WC-Webhook-Topic")
        dedup = header(headers, "X-WC-Webhook-Delivery-ID")
        if topic not in ORDER_TOPICS:
            return WebhookCheck(
                "not-applicable",
                topic=topic,
                dedup_key=dedup,
                reason=f"The topic {topic or '(none)'} is not one the warehouse acts on.",
            )
        return WebhookCheck("ok", topic=topic, dedup_key=dedup)

    def parse_order(self, payload: bytes | str | Mapping[str, Any]) -> PlatformOrder:
        data = payload if isinstance(payload, Mapping) else load_json(payload, "order")
        return parse_woocommerce_order(data)

    # ---------------------------------------------------------------- reads

    def test_connection(self) -> Text:
        response = self._get("products", {"per_page": 1})
        total = response.headers.get("X-WP-Total", "").strip()
        if not total.isdigit():
            return _(
                "Connected to WooCommerce at %(address)s; it did not say how many products.",
                address=self.credentials.site_url,
            )
        return n_(
            "Connected to WooCommerce at %(address)s: %(num)s product.",
            "Connected to WooCommerce at %(address)s: %(num)s products.",
            int(total),
            address=self.credentials.site_url,
            num=Number(int(total)),
        )

    def list_products(self) -> list[PlatformProduct]:
        products: list[PlatformProduct] = []
        for item in self._pages("products"):
            product_id = id_text(item.get("id"), "id")
            if item.get("type") == "variable":
                for variation in self._pages(f"products/{product_id}/variations"):
                    products.append(_product(variation, product_id, item))
            else:
                products.append(_product(item, product_id, None))
        return products

    def stock_key(self, product_id: str, variant_id: str) -> str:
        if not product_id:
            return ""
        return f"{product_id}/{variant_id}" if variant_id and variant_id != "0" else product_id

    def read_stock(self) -> dict[str, int]:
        return {p.key: p.stock for p in self.list_products() if p.stock is not None}

    # ------------------------------------------------------------ stock out

    def set_stock(self, figures: list[StockFigure]) -> PushResult:
        by_path: dict[str, list[StockFigure]] = {}
        refused: dict[str, Text | str] = {}
        for figure in figures:
            product_id, _sep, variation_id = figure.key.partition("/")
            if not product_id.isdigit() or not (variation_id == "" or variation_id.isdigit()):
                refused[figure.key] = _(
                    "%(key)s is not a WooCommerce product or variation.", key=repr(figure.key)
                )
                continue
            path = f"products/{product_id}/variations/batch" if variation_id else "products/batch"
            by_path.setdefault(path, []).append(figure)
        pushed: list[str] = []
        for path, group in by_path.items():
            for start in range(0, len(group), BATCH_LIMIT):
                batch = group[start : start + BATCH_LIMIT]
                answer = self._batch(path, batch)
                for figure in batch:
                    problem = answer.get(figure.key.rpartition("/")[2])
                    if problem:
                        refused[figure.key] = problem
                    else:
                        pushed.append(figure.key)
        return PushResult(pushed=tuple(pushed), refused=refused)

    def _batch(self, path: str, batch: list[StockFigure]) -> dict[str, Text]:
        """Per-item refusals of one batch call, by the item's own id."""
        update = [
            {
                "id": int(f.key.rpartition("/")[2]),
                "manage_stock": True,
                "stock_quantity": max(0, f.qty),
            }
            for f in batch
        ]
        response = self.client.request("POST", f"{self.api}/{path}", json_body={"update": update})
        body = load_json(response.content, "answer")
        refused: dict[str, Text] = {}
        for item in (body or {}).get("update") or []:
            error = item.get("error") if isinstance(item, Mapping) else None
            if error:
                said = error.get("message") or error.get("code") or "refused"
                refused[str(item.get("id"))] = _(
                    "WooCommerce refused this item's figure: %(said)s", said=said
                )
        return refused

    # ------------------------------------------------------- shipments back

    def fulfil(self, order_id: str, shipment: Shipment) -> None:
        notes = self._get(f"orders/{order_id}/notes", {"type": "customer"})
        said = load_json(notes.content, "answer") or []
        if not any(shipment.tracking_number in str(n.get("note", "")) for n in said):
            self._post_note(order_id, _tracking_text(shipment), customer_facing=True)
        if not shipment.final:
            return  # more parcels to come: the order stays processing
        self.client.request(
            "PUT", f"{self.api}/orders/{order_id}", json_body={"status": "completed"}
        )

    def add_note(self, order_id: str, text: str, *, customer_facing: bool) -> None:
        kind = "customer" if customer_facing else "internal"
        notes = self._get(f"orders/{order_id}/notes", {"type": kind})
        said = load_json(notes.content, "answer") or []
        if any(str(n.get("note", "")) == text for n in said):
            return  # already said (a retried call)
        self._post_note(order_id, text, customer_facing=customer_facing)

    def _post_note(self, order_id: str, text: str, *, customer_facing: bool) -> None:
        self.client.request(
            "POST",
            f"{self.api}/orders/{order_id}/notes",
            json_body={"note": text, "customer_note": customer_facing},
        )

    # ---------------------------------------------------------------- http

    def _get(self, path: str, params: Mapping[str, Any]) -> requests.Response:
        return self.client.request("GET", f"{self.api}/{path}", params=params)

    def _pages(self, path: str) -> Iterator[Mapping[str, Any]]:
        page = 1
        while True:
            response = self._get(path, {"per_page": PAGE_SIZE, "page": page})
            items = load_json(response.content, "answer")
            if not isinstance(items, list):
                raise PayloadError(_("WooCommerce's list of %(path)s is not a list.", path=path))
            yield from items
            total = _int(response.headers.get("X-WP-TotalPages"))
            if not items or total is None or page >= total:
                return
            page += 1


def _explain(response: requests.Response) -> str:
    try:
        body = load_json(response.content)
    except PayloadError:
        return response.text[:200]
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _product(
    item: Mapping[str, Any], product_id: str, parent: Mapping[str, Any] | None
) -> PlatformProduct:
    variation_id = id_text(item.get("id"), "id") if parent is not None else ""
    managed = item.get("manage_stock") is True  # "parent": the parent's figure, not this one's
    stock = item.get("stock_quantity") if managed else None
    title = html.unescape(str(item.get("name") or ""))
    if parent is not None:
        parent_name = html.unescape(str(parent.get("name") or ""))
        title = " - ".join(t for t in (parent_name, title) if t)
    return PlatformProduct(
        key=f"{product_id}/{variation_id}" if variation_id else product_id,
        sku=str(item.get("sku") or "").strip(),
        title=title,
        product_id=product_id,
        variant_id=variation_id,
        stock=int(stock) if isinstance(stock, int) else None,
    )


def _tracking_text(shipment: Shipment) -> str:
    if shipment.message:
        return shipment.message
    text = (
        f"Your order has shipped with {shipment.carrier}, "
        f"tracking number {shipment.tracking_number}."
    )
    if shipment.tracking_url:
        text += f" Follow it at {shipment.tracking_url}"
    return text
