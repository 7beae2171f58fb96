"""A fake PrestaShop webservice on 127.0.0.1 (``/api``), in XML as PrestaShop 1.6 to 8 answer.

Authentication is HTTP Basic with the webservice key as the user name and any
password (401 with ``WWW-Authenticate`` otherwise). ``GET /api/`` lists the
resources with the key's permissions (``deny(resource, verb)`` takes one away).

Lists (``GET /api/{resource}``) honour what the docs describe:

* ``display``: none (``<order id="5" xlink:href="…"/>`` links), ``full``, or
  ``[field,…]``;
* ``filter[field]``: ``[a|b]`` (any of), ``[a,b]`` (an inclusive interval) or
  ``[a]``; a filter on a date field matches nothing unless ``date=1`` is given
  (as PrestaShop does, silently);
* ``sort=[field_ASC,field_DESC]`` and ``limit=count`` or ``limit=offset,count``.

Resources: ``orders`` (the docs' example order 5 is served byte for byte by
``GET /api/orders/5`` until it changes), ``addresses`` (4, byte for byte),
``customers``, ``countries``, ``states``, ``products``, ``combinations``,
``stock_availables`` (PUT whole; a product's own row follows the sum of its
combinations' rows), ``order_carriers`` (PUT whole), ``order_histories`` (POST;
moves the order's ``current_state`` and ``date_upd``; ``sendemail=1`` records
the e-mail in ``emails``), ``customer_threads`` and ``customer_messages`` (POST).

Endpoint names for ``fail_next``: ``"GET orders"``, ``"PUT stock_availables"``…
Dates are the shop's local time from ``now``; ``tick(seconds)`` moves it.
"""

from __future__ import annotations

import base64
import copy
import itertools
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

from tests.fakes.prestashop_lists import (
    error_answer,
    limit,
    matches,
    record,
    shown,
    sort,
    wrapped,
    xml_answer,
)
from tests.fakes.shop_base import Answer, FakeShop, Recorded

XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("xlink", XLINK)
EXAMPLES = Path("/work/shared/channels")
RESOURCES = {
    "orders": "order",
    "addresses": "address",
    "customers": "customer",
    "countries": "country",
    "states": "state",
    "products": "product",
    "combinations": "combination",
    "stock_availables": "stock_available",
    "order_carriers": "order_carrier",
    "order_histories": "order_history",
    "customer_threads": "customer_thread",
    "customer_messages": "customer_message",
}
WRITABLE = {
    "stock_availables": "put",
    "order_carriers": "put",
    "order_histories": "post",
    "customer_threads": "post",
    "customer_messages": "post",
}
REQUIRED = {
    "order_histories": ("id_order", "id_order_state"),
    "customer_threads": ("id_lang", "id_contact", "token"),
    "customer_messages": ("id_customer_thread", "message"),
}
FORMAT = "%Y-%m-%d %H:%M:%S"
REALM = (
    'Basic realm="Welcome to PrestaShop Webservice, please enter the authentication key'
    ' as the login. No password required."'
)
REALM = (
    'Basic realm="Welcome to PrestaShop Webservice, please enter the authentication key'
    ' as the login. No password required."'
)


class FakePrestaShop(FakeShop):
    def __init__(
        self, *, key: str = "PRESTAKEY0123456789ABCDEFGHIJKLM", shop_name: str = "Boutique"
    ) -> None:
        super().__init__()
        self.key = key
        self.shop_name = shop_name
        self.now = datetime(2026, 3, 2, 9, 0, 0)
        self.tables: dict[str, dict[int, ET.Element]] = {name: {} for name in RESOURCES}
        self.verbatim: dict[tuple[str, int], bytes] = {}
        self.denied: set[tuple[str, str]] = set()
        self.emails: list[tuple[int, str]] = []  # (order id, state) of each e-mail sent
        self._ids = itertools.count(100)
        self._load_examples()

    # ------------------------------------------------------------ state

    def _load_examples(self) -> None:
        for resource, name in (
            ("orders", "prestashop-order.xml"),
            ("addresses", "prestashop-address.xml"),
        ):
            raw = (EXAMPLES / name).read_bytes()
            element = ET.fromstring(raw)[0]
            number = int(element.findtext("id") or 0)
            self.tables[resource][number] = element
            self.verbatim[(resource, number)] = raw
        self.put_record(
            "customers",
            record("customer", id=1, firstname="John", lastname="DOE", email="pub@prestashop.com"),
        )
        self.put_record("countries", record("country", id=21, iso_code="US"))
        self.put_record("states", record("state", id=9, iso_code="FL", id_country=21))
        self.put_record(
            "order_carriers",
            record(
                "order_carrier",
                id=5,
                id_order=5,
                id_carrier=2,
                id_order_invoice=0,
                weight="0.000000",
                shipping_cost_tax_excl="2.000000",
                shipping_cost_tax_incl="2.000000",
                tracking_number="",
                date_add="2019-01-30 01:02:12",
            ),
        )

    def next_id(self) -> int:
        return next(self._ids)

    def put_record(self, resource: str, element: ET.Element) -> ET.Element:
        with self.lock:
            self.tables[resource][int(element.findtext("id") or 0)] = element
            self.verbatim.pop((resource, int(element.findtext("id") or 0)), None)
            return element

    def stamp(self) -> str:
        return self.now.strftime(FORMAT)

    def tick(self, seconds: float = 1) -> None:
        with self.lock:
            self.now += timedelta(seconds=seconds)

    def add_product(
        self,
        reference: str,
        qty: int = 0,
        *,
        name: str = "Product",
        combinations: dict[str, int] | None = None,
    ) -> dict[str, int]:
        """A product (or one with combinations, reference -> qty); returns the keys' ids."""
        with self.lock:
            product_id = self.next_id()
            product = record("product", id=product_id, reference="" if combinations else reference)
            ET.SubElement(ET.SubElement(product, "name"), "language", id="1").text = name
            self.put_record("products", product)
            ids = {}
            for ref, amount in (combinations or {}).items():
                combination_id = self.next_id()
                self.put_record(
                    "combinations",
                    record("combination", id=combination_id, id_product=product_id, reference=ref),
                )
                self._stock_row(product_id, combination_id, amount)
                ids[ref] = combination_id
            total = sum((combinations or {}).values()) if combinations else qty
            self._stock_row(product_id, 0, total)
            ids[reference] = product_id
            return ids

    def _stock_row(self, product_id: int, attribute_id: int, qty: int) -> None:
        self.put_record(
            "stock_availables",
            record(
                "stock_available",
                id=self.next_id(),
                id_product=product_id,
                id_product_attribute=attribute_id,
                id_shop=1,
                id_shop_group=0,
                quantity=qty,
                depends_on_stock=0,
                out_of_stock=2,
                location="",
            ),
        )

    def add_order(
        self,
        reference: str,
        rows: list[tuple[int, int, str, int]],
        *,
        state: int = 2,
        valid: int = 1,
        address_id: int = 4,
        customer_id: int = 1,
    ) -> int:
        """An order like the example, rows (product, combination, reference, qty), updated now."""
        with self.lock:
            order = copy.deepcopy(self.tables["orders"][5])
            order_id = self.next_id()
            for name, value in (
                ("id", order_id),
                ("reference", reference),
                ("current_state", state),
                ("valid", valid),
                ("id_address_delivery", address_id),
                ("id_customer", customer_id),
                ("date_add", self.stamp()),
                ("date_upd", self.stamp()),
            ):
                order.find(name).text = str(value)  # type: ignore[union-attr]
            container = order.find("associations/order_rows")
            assert container is not None
            for old in list(container):
                container.remove(old)
            for product_id, attribute_id, ref, qty in rows:
                container.append(
                    record(
                        "order_row",
                        id=self.next_id(),
                        product_id=product_id,
                        product_attribute_id=attribute_id,
                        product_quantity=qty,
                        product_name=ref,
                        product_reference=ref,
                    )
                )
            self.put_record("orders", order)
            self.put_record(
                "order_carriers",
                record(
                    "order_carrier",
                    id=self.next_id(),
                    id_order=order_id,
                    id_carrier=2,
                    id_order_invoice=0,
                    weight="0",
                    shipping_cost_tax_excl="0",
                    shipping_cost_tax_incl="0",
                    tracking_number="",
                    date_add=self.stamp(),
                ),
            )
            return order_id

    def field(self, resource: str, number: int, name: str) -> str:
        with self.lock:
            return self.tables[resource][number].findtext(name) or ""

    def stock_of(self, product_id: int, attribute_id: int = 0) -> int:
        with self.lock:
            for row in self.tables["stock_availables"].values():
                if (row.findtext("id_product"), row.findtext("id_product_attribute")) == (
                    str(product_id),
                    str(attribute_id),
                ):
                    return int(row.findtext("quantity") or 0)
        raise KeyError((product_id, attribute_id))

    def deny(self, resource: str, verb: str) -> None:
        self.denied.add((resource, verb))

    # ------------------------------------------------------------ serving

    def endpoint_of(self, method: str, path: str) -> str:
        parts = path.removeprefix("/api").strip("/").split("/")
        return f"{method} {parts[0] or '/'}"

    def answer(self, request: Recorded) -> Answer:
        given = request.headers.get("authorization", "")
        user = ""
        if given.startswith("Basic "):
            user = base64.b64decode(given[6:]).decode(errors="replace").partition(":")[0]
        if user != self.key:
            answer = error_answer(401, 25, "Authentication key does not exist")
            answer.headers["WWW-Authenticate"] = REALM
            return answer
        parts = [p for p in request.path.removeprefix("/api").split("/") if p]
        with self.lock:
            if not parts:
                return self._root()
            resource = parts[0]
            if resource not in RESOURCES:
                return error_answer(400, 18, f'Resource of type "{resource}" does not exists.')
            verb = request.method.lower()
            if (resource, verb) in self.denied:
                return error_answer(
                    405,
                    22,
                    f"Method {request.method} is not allowed for the resource {resource}"
                    " with this authentication key.",
                )
            if request.method == "GET":
                return self._get(request, resource, parts[1] if len(parts) > 1 else None)
            if request.method in ("PUT", "POST") and WRITABLE.get(resource) == verb:
                return self._write(request, resource, parts[1] if len(parts) > 1 else None)
            return error_answer(
                405, 22, f"Method {request.method} is not allowed for the resource {resource}."
            )

    def _root(self) -> Answer:
        root = ET.Element("prestashop")
        api = ET.SubElement(root, "api", shopName=self.shop_name)
        for resource in RESOURCES:
            rights = {
                verb: "false" if (resource, verb) in self.denied else "true"
                for verb in ("get", "put", "post", "patch", "delete", "head")
            }
            ET.SubElement(
                api, resource, {f"{{{XLINK}}}href": f"{self.url}/api/{resource}", **rights}
            )
        return xml_answer(200, root)

    def _get(self, request: Recorded, resource: str, number: str | None) -> Answer:
        query = {k: v[0] for k, v in request.query.items()}
        table = self.tables[resource]
        if number is not None:
            found = table.get(int(number)) if number.isdigit() else None
            if found is None:
                return error_answer(404, 87, f"Id {number} not found for resource {resource}.")
            if "display" not in query and (resource, int(number)) in self.verbatim:
                return Answer(
                    200,
                    self.verbatim[(resource, int(number))],
                    {"Content-Type": "text/xml;charset=utf-8", "PSWS-Version": "1.6.1.23"},
                )
            root = ET.Element("prestashop")
            root.append(shown(found, query.get("display", "full")))
            return xml_answer(200, root)
        chosen = [e for e in table.values() if matches(e, query)]
        chosen = sort(chosen, query.get("sort"))
        chosen = limit(chosen, query.get("limit"))
        root = ET.Element("prestashop")
        group = ET.SubElement(root, resource)
        for element in chosen:
            if "display" in query:
                group.append(shown(element, query["display"]))
            else:
                link = ET.SubElement(group, RESOURCES[resource], id=element.findtext("id") or "")
                link.set(f"{{{XLINK}}}href", f"{self.url}/api/{resource}/{element.findtext('id')}")
        return xml_answer(200, root)

    def _write(self, request: Recorded, resource: str, number: str | None) -> Answer:
        try:
            body = ET.fromstring(request.body)
        except ET.ParseError as exc:
            return error_answer(400, 127, f"XML error: {exc}")
        sent = body.find(RESOURCES[resource])
        if sent is None:
            return error_answer(
                400, 37, f"The resource {RESOURCES[resource]} is missing from the body."
            )
        fields = {child.tag: (child.text or "").strip() for child in sent if len(child) == 0}
        if request.method == "PUT":
            current = (
                self.tables[resource].get(int(number)) if number and number.isdigit() else None
            )
            if current is None or fields.get("id") != number:
                return error_answer(
                    400, 90, "id is forbidden when adding a new resource, or does not match."
                )
            known = {child.tag for child in current}
            for name, value in fields.items():
                if name not in known:
                    return error_answer(400, 40, f'parameter "{name}" not writable.')
                current.find(name).text = value  # type: ignore[union-attr]
            self.verbatim.pop((resource, int(number)), None)
            if resource == "stock_availables":
                self._sum_combinations(current.findtext("id_product") or "")
            return xml_answer(200, wrapped(current))
        missing = [name for name in REQUIRED.get(resource, ()) if not fields.get(name)]
        if missing:
            return error_answer(400, 41, f'parameter "{missing[0]}" required')
        created = record(RESOURCES[resource], id=self.next_id(), **fields, date_add=self.stamp())
        if resource == "order_histories":
            problem = self._history(created, request.query.get("sendemail", ["0"])[0] == "1")
            if problem:
                return problem
        self.put_record(resource, created)
        return xml_answer(201, wrapped(created))

    def _history(self, history: ET.Element, email: bool) -> Answer | None:
        order = self.tables["orders"].get(int(history.findtext("id_order") or 0))
        if order is None:
            return error_answer(400, 85, "Validation error: id_order does not exist.")
        state = history.findtext("id_order_state") or ""
        order.find("current_state").text = state  # type: ignore[union-attr]
        order.find("date_upd").text = self.stamp()  # type: ignore[union-attr]
        self.verbatim.pop(("orders", int(order.findtext("id") or 0)), None)
        if email:
            self.emails.append((int(order.findtext("id") or 0), state))
        return None

    def _sum_combinations(self, product_id: str) -> None:
        rows = [
            r
            for r in self.tables["stock_availables"].values()
            if r.findtext("id_product") == product_id
        ]
        combos = [r for r in rows if r.findtext("id_product_attribute") != "0"]
        if combos:
            total = sum(int(r.findtext("quantity") or 0) for r in combos)
            for row in rows:
                if row.findtext("id_product_attribute") == "0":
                    row.find("quantity").text = str(total)  # type: ignore[union-attr]
