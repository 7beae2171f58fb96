"""The one interface every shop connector shares, in plain data.

A connector turns one platform's payloads and API into the dataclasses below and
back. It knows nothing of the database, the outbox or Flask: the caller stores
what it learns, decides what to send, and retries later what could not be sent.

What a caller can rely on, for every platform:

* ``verify_webhook(headers, raw_body)`` checks the signature over the raw bytes,
  before anything is parsed, with a constant-time compare. Its answer is one of
  ``ok``, ``ping`` (a platform's test delivery: answer 200, process nothing),
  ``bad-signature`` (answer 401) and ``not-applicable`` (the platform sends no
  such webhook, or the topic is not one the warehouse acts on: answer 200).
* ``parse_order`` reads a verified payload into a ``PlatformOrder``, or raises
  ``PayloadError`` with a sentence saying what could not be read. Platform ids
  are text: Shopify's are 64-bit and never pass through a float.
* ``PlatformUnavailable(retry_after)``: rate-limited, a 5xx or the network;
  nothing is known to have changed, so the caller tries again later (after
  ``retry_after`` seconds when the platform said). ``PlatformRefused``: a 4xx
  that will not succeed on retry (bad credentials, unknown order); its text is
  one sentence for the desk.
* Writes are safe to repeat: ``set_stock`` sends absolute figures, and
  ``fulfil`` looks for the parcel's tracking number on the platform before it
  creates anything, so an outbox retry after a timeout does not ship twice.
* Stock figures are keyed by ``PlatformProduct.key``, the platform's own handle
  for one sellable item (Shopify: the inventory item id; WooCommerce:
  ``product`` or ``product/variation``; PrestaShop: ``product/combination``),
  which ``list_products`` gives with the SKU so the caller can map the two.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Literal

from wms.base.i18n import N_, Text, _

__all__ = [
    "PAYMENTS",
    "Connector",
    "ConnectorError",
    "PayloadError",
    "PlatformLine",
    "PlatformOrder",
    "PlatformProduct",
    "PlatformRefused",
    "PlatformUnavailable",
    "PushResult",
    "Shipment",
    "ShippedLine",
    "StockFigure",
    "UnreadableOrder",
    "WebhookCheck",
    "header",
    "id_text",
    "line_items",
    "load_json",
    "money",
    "quantity",
    "text_of",
    "utc_from_iso",
]

Payment = Literal["paid", "authorized", "pending"]
PAYMENTS: tuple[str, ...] = ("paid", "authorized", "pending")
WebhookStatus = Literal["ok", "ping", "bad-signature", "not-applicable"]


# ------------------------------------------------------------------- errors


class ConnectorError(Exception):
    """Base of the three ways a platform call or payload can fail. ``sentence`` is what
    a person reads (a marked sentence, worded in the reader's language when shown);
    ``str()`` of the error is that sentence worded now."""

    def __init__(self, sentence: Text | str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


class PlatformUnavailable(ConnectorError):
    """The platform could not take the call now (429, 5xx, network): try again later."""

    def __init__(self, sentence: Text | str, retry_after: float | None = None) -> None:
        super().__init__(sentence)
        self.retry_after = retry_after


class PlatformRefused(ConnectorError):
    """The platform refused the call for a reason a retry will not change."""

    def __init__(self, sentence: Text | str, status: int | None = None) -> None:
        super().__init__(sentence)
        self.status = status


class PayloadError(ConnectorError):
    """A payload that verified but cannot be read; ``reason`` is one sentence (read in
    the reader's language; a field is named as the platform names it)."""

    def __init__(self, reason: Text | str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------- data


@dataclass(frozen=True)
class PlatformLine:
    sku: str  # may be "" when the shop's product has none: map by the ids then
    qty: int
    product_id: str = ""
    variant_id: str = ""  # Shopify variant, WooCommerce variation, PrestaShop combination
    line_id: str = ""
    title: str = ""


@dataclass(frozen=True)
class PlatformOrder:
    platform: str
    order_id: str
    name: str  # what the merchant and the customer call it: "#1001", "KHWLILZLL"
    number: str
    lines: tuple[PlatformLine, ...]
    customer_name: str
    customer_email: str
    ship_to: Mapping[str, str]  # name, company, street1, street2, city, state, zip, country, phone
    shipping_code: str  # to map to a service level through the channel's table
    shipping_title: str
    placed_at: datetime  # aware, UTC
    payment: Payment  # "authorized": capture before shipping
    cancelled: bool
    raw_updated_at: str  # the platform's own text, to compare versions of one order
    currency: str = ""
    total: Decimal | None = None
    language: str = ""  # the customer's, as the platform says it ("fr", "fr-FR"); "" unknown


@dataclass(frozen=True)
class UnreadableOrder:
    """A polled order that could not be read: kept, with the reason, for the desk."""

    platform: str
    order_id: str
    reason: Text | str
    raw: bytes = field(repr=False)


@dataclass(frozen=True)
class PlatformProduct:
    key: str
    sku: str
    title: str
    product_id: str
    variant_id: str = ""
    inventory_item_id: str = ""
    stock: int | None = None  # None: the platform does not track this item's stock


@dataclass(frozen=True)
class StockFigure:
    key: str
    qty: int
    sku: str = ""


@dataclass(frozen=True)
class PushResult:
    pushed: tuple[str, ...] = ()  # keys the platform now shows at the figure sent
    refused: Mapping[str, Text | str] = field(default_factory=dict)  # key -> sentence


@dataclass(frozen=True)
class ShippedLine:
    qty: int
    sku: str = ""
    line_id: str = ""  # the platform's line id, from PlatformLine.line_id


@dataclass(frozen=True)
class Shipment:
    tracking_number: str
    carrier: str
    tracking_url: str = ""
    lines: tuple[ShippedLine, ...] = ()  # empty: everything still to ship on the order
    message: str = ""  # the customer-facing text, in the customer's language, if given
    notify_customer: bool = True
    final: bool = True  # the order's last parcel: the platform may mark the order shipped


@dataclass(frozen=True)
class WebhookCheck:
    status: WebhookStatus
    topic: str = ""
    dedup_key: str = ""  # the platform's delivery id: the same on a redelivery
    event_id: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# ---------------------------------------------------------------- interface


class Connector(ABC):
    """What the app asks of a shop platform. See the module docstring."""

    platform: ClassVar[str]
    receives_webhooks: ClassVar[bool] = False
    polls_orders: ClassVar[bool] = False
    holds_authorisations: ClassVar[bool] = False

    @abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookCheck: ...

    @abstractmethod
    def parse_order(self, payload: bytes | str | Mapping[str, Any]) -> PlatformOrder: ...

    @abstractmethod
    def test_connection(self) -> Text | str:
        """One read call; the answer in one sentence. Raises on failure."""

    @abstractmethod
    def list_products(self) -> list[PlatformProduct]: ...

    @abstractmethod
    def set_stock(self, figures: list[StockFigure]) -> PushResult: ...

    def stock_key(self, product_id: str, variant_id: str) -> str:
        """The stock key of an item known by its platform ids, when the ids say it;
        "" when only ``list_products`` can tell (Shopify's inventory items)."""
        return ""

    @abstractmethod
    def read_stock(self) -> dict[str, int]:
        """Every tracked item's figure on the platform, by key (for reconciliation)."""

    @abstractmethod
    def fulfil(self, order_id: str, shipment: Shipment) -> None: ...

    @abstractmethod
    def add_note(self, order_id: str, text: str, *, customer_facing: bool) -> None: ...

    def capture_payment(self, order_id: str, amount: Decimal | None = None) -> None:  # noqa: B027
        """Capture what the platform holds authorised. Platforms that hold no
        authorisation (the payment is taken at checkout) do nothing."""

    def poll_orders(
        self, since_cursor: str | None
    ) -> tuple[list[PlatformOrder | UnreadableOrder], str]:
        """Orders changed since the cursor, and the cursor to give next time. One order
        that cannot be read comes as an ``UnreadableOrder`` and does not stop the rest."""
        raise NotImplementedError(f"{self.platform} sends its orders; it is not polled")


# ------------------------------------------------------------------ helpers


# What could not be read, as whole sentences (``what`` in the helpers below).
NOT_JSON = {
    "payload": N_("The payload is not valid JSON (%(error)s)."),
    "order": N_("The order is not valid JSON (%(error)s)."),
    "answer": N_("The platform's answer is not valid JSON (%(error)s)."),
}


def load_json(raw: bytes | str, what: str = "payload") -> Any:
    """JSON with every number exact: integers stay int, decimals become Decimal.
    ``what``: ``payload``, ``order`` or ``answer`` (see ``NOT_JSON``)."""
    try:
        return json.loads(raw, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(_(NOT_JSON[what], error=str(exc))) from exc


def missing(field: str) -> PayloadError:
    return PayloadError(_("The field %(field)s is missing.", field=field))


def not_whole(field: str, value: Any) -> PayloadError:
    return PayloadError(
        _("The field %(field)s is not a whole number: %(value)s.", field=field, value=repr(value))
    )


def id_text(value: Any, what: str, *, required: bool = True) -> str:
    """A platform id as text. Integers and digit strings only: a float has lost digits."""
    if (
        value is None
        or value == ""
        or value == 0
        or (isinstance(value, str) and set(value) == {"0"})
    ):
        if required:
            raise missing(what)
        return ""
    if isinstance(value, bool):
        raise not_whole(what, value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.isdigit():
        return value.lstrip("0") or "0"
    raise not_whole(what, value)


def line_items(items: Any, order_id: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """An order's line items with their position from 1; an order without any, or a
    line that is not an object, is unreadable."""
    if not isinstance(items, list) or not items:
        raise PayloadError(_("Order %(order)s has no line items.", order=order_id))
    for position, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise PayloadError(
                _(
                    "Line %(num)s of order %(order)s is not an object.",
                    num=position,
                    order=order_id,
                )
            )
        yield position, item


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value whatever the case of its name; "" when absent."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""


def utc_from_iso(text: str | None, what: str, *, assume_utc: bool = False) -> datetime:
    """An ISO 8601 time as an aware UTC datetime; a naive one only when ``assume_utc``."""
    if not text:
        raise missing(what)
    try:
        value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError as exc:
        raise not_a_time(what, text) from exc
    if value.tzinfo is None:
        if not assume_utc:
            raise PayloadError(
                _(
                    "The field %(field)s has no time zone: %(value)s.",
                    field=what,
                    value=repr(text),
                )
            )
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def not_a_time(field: str, value: Any) -> PayloadError:
    return PayloadError(
        _("The field %(field)s is not a date and time: %(value)s.", field=field, value=repr(value))
    )


def text_of(value: Any) -> str:
    """A payload field as stripped text; None and missing become ""."""
    return "" if value is None else str(value).strip()


def money(value: Any, what: str) -> Decimal | None:
    """An amount as the platform wrote it (text or exact JSON number); None when absent."""
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise PayloadError(
            _("The field %(field)s is not an amount: %(value)s.", field=what, value=repr(value))
        ) from exc


def quantity(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise not_whole(what, value)
    try:
        number = int(value)
    except ValueError as exc:
        raise not_whole(what, value) from exc
    if number < 0:
        raise PayloadError(
            _("The field %(field)s is negative: %(value)s.", field=what, value=repr(value))
        )
    return number
