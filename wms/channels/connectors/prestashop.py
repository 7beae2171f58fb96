"""PrestaShop: no signed webhooks, so its webservice is polled; XML both ways.

The webservice (``{shop}/api/…``) takes the key as the Basic-auth user name
with an empty password. Everything is read and written as XML, which every
PrestaShop from 1.6 on speaks (``output_format=JSON`` exists, but writes are XML
on the older versions anyway).

Orders in: ``poll_orders(cursor)`` asks for the orders changed since the cursor,
``filter[date_upd]=[from,to]&date=1`` (a date filter needs ``date=1``; the
interval is inclusive) sorted ``[date_upd_ASC,id_ASC]``, ``display=full``, a
page at a time (``limit=offset,count``). The cursor is the newest ``date_upd``
seen with the ids seen at that second, so the next poll skips them (dates have
one-second steps). A first poll (no cursor) returns no order: it sets the
cursor at the shop's newest order, so connecting a shop does not pull in its
history. Each order's delivery address (``/api/addresses``), customer e-mail
(``/api/customers``) and country and state ISO codes are read in one call per
kind for the whole page. Dates are the shop's local time: the credentials say
which zone. A row maps by ``product_reference`` (the SKU), or by ``product_id``
and ``product_attribute_id`` (the combination) when it has none.

Stock: ``stock_availables`` found with ``filter[id_product]``, then each changed
row PUT back whole with its new ``quantity``. A key is
``id_product/id_product_attribute``: 0 for a product without combinations; a
product with combinations is listed by its combinations only (its own row is
their sum, which PrestaShop keeps).

A parcel: the order's ``order_carriers`` record gets the ``tracking_number``
(PUT, whole), then, for the order's last parcel,
``POST /api/order_histories?sendemail=1`` moves the order to the shipped state,
which e-mails the customer the tracking. An order already in that state gets no
second history row. An order carrier holds one number: a later parcel's
replaces an earlier one's.

Notes: PrestaShop keeps an order's messages as a ``customer_threads`` record
(one per order) holding ``customer_messages``; ``private=0`` shows the
message to the customer on the order's page in their account, ``private=1``
keeps it for the staff. (``order_messages`` are only the back office's
ready-made message templates, so they are not used.)

Payment: taken at checkout by the shop's payment module; there is no
authorisation to capture, so ``capture_payment`` does nothing.
"""

from __future__ import annotations

import re
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests

from wms.base.i18n import Text, _
from wms.channels.connectors import prestashop_xml as px
from wms.channels.connectors.base import (
    Connector,
    PayloadError,
    PlatformOrder,
    PlatformProduct,
    PlatformRefused,
    PushResult,
    Shipment,
    StockFigure,
    UnreadableOrder,
    WebhookCheck,
)
from wms.channels.connectors.http import HttpClient, Sleep, check_base_url
from wms.channels.connectors.prestashop_stock import StockRows

FAR_FUTURE = "9999-12-31 23:59:59"
CURSOR = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
NEEDED = {
    "orders": "get",
    "addresses": "get",
    "customers": "get",
    "countries": "get",
    "states": "get",
    "products": "get",
    "combinations": "get",
    "stock_availables": "put",
    "order_carriers": "put",
    "order_histories": "post",
    "customer_threads": "post",
    "customer_messages": "post",
}


@dataclass(frozen=True)
class PrestaShopCredentials:
    shop_url: str  # https://shop.example (the webservice is at /api)
    webservice_key: str = field(repr=False)
    timezone: str = "UTC"  # the shop's zone (International → Localization)
    shipped_state: str = "4"  # PS_OS_SHIPPING, "Shipped"
    cancelled_states: tuple[str, ...] = ("6",)  # PS_OS_CANCELED, "Canceled"


class PrestaShopConnector(Connector):
    platform = "prestashop"
    polls_orders = True

    def __init__(
        self,
        credentials: PrestaShopCredentials,
        http: requests.Session,
        *,
        sleep: Sleep = time.sleep,
        max_wait: float = 30.0,
        timeout: float = 10.0,
        page_size: int = 100,
    ) -> None:
        self.credentials = credentials
        self.api = f"{check_base_url(credentials.shop_url, 'PrestaShop')}/api"
        try:
            self.zone = ZoneInfo(credentials.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise PlatformRefused(
                _("%(zone)s is not a time zone.", zone=repr(credentials.timezone))
            ) from exc
        self.page_size = page_size
        self.client = HttpClient(
            http,
            platform="PrestaShop",
            explain=lambda r: px.errors_of(r.content),
            timeout=timeout,
            sleep=sleep,
            max_wait=max_wait,
            auth=(credentials.webservice_key, ""),
        )
        self.stock = StockRows(self)
        self._countries: dict[str, str] = {}
        self._states: dict[str, str] = {}

    # ------------------------------------------------------------ orders in

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes) -> WebhookCheck:
        return WebhookCheck(
            "not-applicable", reason="PrestaShop sends no signed webhooks; its orders are polled."
        )

    def parse_order(self, payload: bytes | str | Mapping[str, Any]) -> PlatformOrder:
        """An order as ``GET /api/orders/{id}`` gives it, without its address."""
        if isinstance(payload, Mapping):
            raise PayloadError(_("A PrestaShop order is read from its XML."))
        found = px.records(px.parse_xml(payload, "order"), "orders", "order")
        if not found:
            raise PayloadError(_("The XML holds no order."))
        return self._order(found[0], {}, {})

    def read_order(self, order_id: str) -> PlatformOrder:
        """One order with its delivery address and customer e-mail."""
        found = px.records(self.get(f"orders/{order_id}"), "orders", "order")
        if not found:
            raise PlatformRefused(_("PrestaShop has no order %(order)s.", order=order_id))
        order = self._complete(found)[0]
        if isinstance(order, UnreadableOrder):
            raise PayloadError(order.reason)
        return order

    def poll_orders(
        self, since_cursor: str | None
    ) -> tuple[list[PlatformOrder | UnreadableOrder], str]:
        if not since_cursor:
            return [], self._start_cursor()
        since, _sep, seen_text = since_cursor.partition("|")
        if not CURSOR.fullmatch(since) or not all(
            i.isdigit() for i in filter(None, seen_text.split(","))
        ):
            raise ValueError(f"{since_cursor!r} is not a cursor this connector gave.")
        seen = set(filter(None, seen_text.split(",")))
        params = {
            "display": "full",
            "filter[date_upd]": f"[{since},{FAR_FUTURE}]",
            "date": "1",
            "sort": "[date_upd_ASC,id_ASC]",
        }
        fresh = [
            o
            for o in self.list_records("orders", "order", params)
            if not (px.text(o, "date_upd") == since and px.text(o, "id") in seen)
        ]
        if not fresh:
            return [], since_cursor
        newest = max(px.text(o, "date_upd") for o in fresh)
        at_newest = {px.text(o, "id") for o in fresh if px.text(o, "date_upd") == newest}
        if newest == since:
            at_newest |= seen
        cursor = f"{newest}|{','.join(sorted(at_newest, key=int))}"
        return self._complete(fresh), cursor

    def _start_cursor(self) -> str:
        root = self.get(
            "orders", {"display": "[id,date_upd]", "sort": "[date_upd_DESC]", "limit": "1"}
        )
        newest = px.records(root, "orders", "order")
        if not newest:
            return datetime.now(self.zone).strftime(px.DATE_FORMAT)
        return f"{px.text(newest[0], 'date_upd')}|{px.text(newest[0], 'id')}"

    def _complete(self, orders: list[ET.Element]) -> list[PlatformOrder | UnreadableOrder]:
        address_ids = {px.text(o, "id_address_delivery") for o in orders}
        customer_ids = {px.text(o, "id_customer") for o in orders}
        addresses = {
            px.text(a, "id"): a
            for a in self.records_by_id("addresses", "address", address_ids, "full")
        }
        self._learn_places(addresses.values())
        emails = {
            px.text(c, "id"): px.text(c, "email")
            for c in self.records_by_id("customers", "customer", customer_ids, "[id,email]")
        }
        read: list[PlatformOrder | UnreadableOrder] = []
        for order in orders:
            try:
                read.append(self._order(order, addresses, emails))
            except PayloadError as exc:
                read.append(
                    UnreadableOrder(
                        "prestashop", px.text(order, "id"), exc.reason, ET.tostring(order)
                    )
                )
        return read

    def _order(
        self, order: ET.Element, addresses: Mapping[str, ET.Element], emails: Mapping[str, str]
    ) -> PlatformOrder:
        address = addresses.get(px.text(order, "id_address_delivery"))
        return px.parse_prestashop_order(
            order,
            zone=self.zone,
            cancelled_states=self.credentials.cancelled_states,
            address=px.parse_prestashop_address(address, self._countries, self._states)
            if address is not None
            else None,
            email=emails.get(px.text(order, "id_customer"), ""),
        )

    def _learn_places(self, addresses: Iterable[ET.Element]) -> None:
        countries = {px.text(a, "id_country") for a in addresses} - set(self._countries)
        states = {px.text(a, "id_state") for a in addresses} - set(self._states) - {"0"}
        for c in self.records_by_id("countries", "country", countries, "[id,iso_code]"):
            self._countries[px.text(c, "id")] = px.text(c, "iso_code")
        for s in self.records_by_id("states", "state", states, "[id,iso_code]"):
            self._states[px.text(s, "id")] = px.text(s, "iso_code")

    # ---------------------------------------------------------------- reads

    def test_connection(self) -> Text:
        api = self.get("").find("api")
        if api is None:
            raise PlatformRefused(
                _("%(address)s does not answer like a PrestaShop webservice.", address=self.api)
            )
        missing = [
            f"{verb.upper()} {resource}"
            for resource, verb in NEEDED.items()
            if (api.find(resource) is None or api.find(resource).get(verb) != "true")
        ]
        shop = api.get("shopName", "")
        if missing:
            raise PlatformRefused(
                _(
                    "The PrestaShop shop “%(shop)s” answers, but its webservice key lacks: "
                    "%(missing)s.",
                    shop=shop,
                    missing=", ".join(missing),
                )
            )
        return _(
            "Connected to the PrestaShop shop “%(shop)s”; the key has every permission needed.",
            shop=shop,
        )

    def list_products(self) -> list[PlatformProduct]:
        return self.stock.products()

    def stock_key(self, product_id: str, variant_id: str) -> str:
        return f"{product_id}/{variant_id or '0'}" if product_id else ""

    def read_stock(self) -> dict[str, int]:
        return {p.key: p.stock for p in self.list_products() if p.stock is not None}

    def set_stock(self, figures: list[StockFigure]) -> PushResult:
        return self.stock.set(figures)

    # ------------------------------------------------------- shipments back

    def fulfil(self, order_id: str, shipment: Shipment) -> None:
        carriers = self.list_records(
            "order_carriers",
            "order_carrier",
            {"display": "full", "filter[id_order]": f"[{order_id}]"},
        )
        if not carriers:
            raise PlatformRefused(
                _(
                    "PrestaShop order %(order)s has no carrier to hold a tracking number.",
                    order=order_id,
                )
            )
        record = carriers[-1]
        if px.text(record, "tracking_number") != shipment.tracking_number:
            fields = px.plain_fields(record, tracking_number=shipment.tracking_number)
            self.put(
                f"order_carriers/{px.text(record, 'id')}", px.document("order_carrier", fields)
            )
        if not shipment.final:
            return
        order = px.records(
            self.get(f"orders/{order_id}", {"display": "[id,current_state]"}), "orders", "order"
        )
        shipped = self.credentials.shipped_state
        if order and px.text(order[0], "current_state") == shipped:
            return  # shipped already (a retried call): no second history row, no second e-mail
        body = px.document("order_history", [("id_order", order_id), ("id_order_state", shipped)])
        self.post("order_histories", body, {"sendemail": "1" if shipment.notify_customer else "0"})

    def add_note(self, order_id: str, text: str, *, customer_facing: bool) -> None:
        thread = self._thread(order_id)
        said = self.list_records(
            "customer_messages",
            "customer_message",
            {"display": "[id,message]", "filter[id_customer_thread]": f"[{thread}]"},
        )
        if any(px.text(m, "message") == text for m in said):
            return  # already said (a retried call)
        fields = [
            ("id_customer_thread", thread),
            ("id_employee", "0"),
            ("message", text),
            ("private", "0" if customer_facing else "1"),
            ("read", "0"),
        ]
        self.post("customer_messages", px.document("customer_message", fields))

    def _thread(self, order_id: str) -> str:
        found = self.list_records(
            "customer_threads",
            "customer_thread",
            {"display": "[id]", "filter[id_order]": f"[{order_id}]"},
        )
        if found:
            return px.text(found[0], "id")
        order = px.records(self.get(f"orders/{order_id}", {"display": "full"}), "orders", "order")
        if not order:
            raise PlatformRefused(_("PrestaShop has no order %(order)s.", order=order_id))
        customer = px.text(order[0], "id_customer")
        email = next(
            (
                px.text(c, "email")
                for c in self.records_by_id("customers", "customer", {customer}, "[id,email]")
            ),
            "",
        )
        fields = [
            ("id_lang", px.text(order[0], "id_lang") or "1"),
            ("id_shop", px.text(order[0], "id_shop") or "1"),
            ("id_customer", customer),
            ("id_order", order_id),
            ("id_contact", "0"),
            ("email", email),
            ("token", secrets.token_hex(6)),
            ("status", "open"),
        ]
        created = px.records(
            self.post("customer_threads", px.document("customer_thread", fields)),
            "customer_threads",
            "customer_thread",
        )
        if not created:
            raise PlatformRefused(_("PrestaShop did not say which message thread it created."))
        return px.text(created[0], "id")

    # ---------------------------------------------------------------- http

    def get(self, path: str, params: Mapping[str, str] | None = None) -> ET.Element:
        response = self.client.request("GET", f"{self.api}/{path}", params=params)
        return px.parse_xml(response.content)

    def put(self, path: str, body: bytes) -> ET.Element:
        response = self.client.request("PUT", f"{self.api}/{path}", data=body, headers=_XML)
        return px.parse_xml(response.content)

    def post(self, path: str, body: bytes, params: Mapping[str, str] | None = None) -> ET.Element:
        response = self.client.request(
            "POST", f"{self.api}/{path}", params=params, data=body, headers=_XML
        )
        return px.parse_xml(response.content)

    def list_records(
        self, resource: str, singular: str, params: Mapping[str, str]
    ) -> list[ET.Element]:
        """Every record of a list, a page (``limit=offset,count``) at a time."""
        found: list[ET.Element] = []
        offset = 0
        while True:
            page = px.records(
                self.get(resource, {**params, "limit": f"{offset},{self.page_size}"}),
                resource,
                singular,
            )
            found.extend(page)
            if len(page) < self.page_size:
                return found
            offset += self.page_size

    def records_by_id(
        self, resource: str, singular: str, ids: Iterable[str], display: str
    ) -> list[ET.Element]:
        wanted = sorted({i for i in ids if i and i != "0"}, key=int)
        found: list[ET.Element] = []
        for start in range(0, len(wanted), 50):
            chunk = "|".join(wanted[start : start + 50])
            found.extend(
                self.list_records(
                    resource, singular, {"display": display, "filter[id]": f"[{chunk}]"}
                )
            )
        return found


_XML = {"Content-Type": "application/xml"}
