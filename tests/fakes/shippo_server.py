"""A fake Shippo HTTP API on 127.0.0.1, for driving the real shippo SDK in tests.

It answers the calls the app makes with the JSON field names of Shippo's API
(version 2018-02-08, as the SDK's models read them):

* ``POST /shipments``            201, a shipment with ``rates`` (``async`` is ignored)
* ``POST /transactions``         201, a label purchase (``rate`` is the rate's id)
* ``GET /transactions``          200, paged (``page``, ``results``; ``next``/``previous``),
  newest first, filtered by ``rate``, ``object_status`` and ``tracking_status``; each
  ``rate`` there is the short rate object
* ``GET /transactions/<id>``     200
* ``GET /rates/<id>``            200
* ``GET /tracks/<carrier>/<n>``  200
* ``GET /labels/<id>.pdf|.zpl``  the label file the transaction's ``label_url`` points at

Every call but the label download needs ``Authorization: ShippoToken <api key>``.

Scenario controls, for tests (``endpoint`` is e.g. ``"POST /transactions"``):

* ``fail_next(endpoint, count, status)``: answer the next calls with a 5xx.
* ``garble_next(endpoint, body, count, status)``: answer the next calls with this body
  (not what the API sends: an unreadable answer), 201 unless told.
* ``sleep_next(endpoint, seconds, count, record=...)``: answer the next calls late; a
  late ``POST /transactions`` still buys the label, recorded before the sleep
  (``record="before"``), only when the sleep ends (``record="after"``, as when the
  client has already given up), or at once but listed (``GET /transactions``) only
  when the sleep ends (``record="unlisted"``: the carrier is slow to show what it
  sold). Sleep longer than the client's timeout for a timeout, shorter for a slow
  answer. ``answer_now()`` ends every sleep under way, so a test need not wait.
* ``rates_in(offers)``: the rates of the next shipments, as (provider, service,
  token, days, amount, currency) tuples; by default ``OFFERS`` in ``currency``.
* ``reject_next_address(style, field, count)``: the next shipments fail on an
  address, either as a 201 shipment with no rates and carrier ``messages``
  (``style="messages"``) or as a 400 whose body names the address field
  (``style="400"``).
* ``refuse_next_purchase(text)``: the next ``POST /transactions`` answers a
  transaction with status ``ERROR`` and the carrier's message; nothing is bought.
* ``queue_next_purchase(reads)``: the next purchase answers ``QUEUED`` and stays
  so for ``reads`` more reads (``GET /transactions...``) before it is ``SUCCESS``.
* ``omit_created_by = True``: transactions come without the ``created_by`` key
  (labels bought through the API may lack it); by default it is ``null``.

``purchases`` holds every label bought (``ERROR`` transactions are not), so tests
can check that one parcel got exactly one label; ``requests`` holds every request
received.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API_KEY = "shippo_test_fakekey"
OWNER = "warehouse@example.com"

# (provider, service name, token, estimated days, amount, duration terms)
OFFERS: tuple[tuple[str, str, str, int | None, str, str], ...] = (
    ("USPS", "Ground Advantage", "usps_ground_advantage", 5, "5.20", "Delivery in 2 to 5 days."),
    ("USPS", "Priority Mail", "usps_priority", 2, "7.90", "Delivery in 1 to 3 days."),
    ("USPS", "Priority Mail Express", "usps_priority_express", 1, "26.35", "Overnight."),
    ("UPS", "Ground", "ups_ground", 3, "9.15", "Delivery times vary."),
    ("USPS", "Media Mail", "usps_media_mail", None, "4.10", "Delivery time not given."),
)

ADDRESS_MESSAGE = (
    "The destination address could not be found. "
    "Check the street line and the city name for typing errors."
)
ADDRESS_400_TEXT = "Enter a ZIP code that exists in the destination country."


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    endpoint: str


@dataclass
class _Fault:
    kind: str  # "status", "sleep", "address", "refuse" or "queue"
    status: int = 500
    seconds: float = 0.0
    record: str = "before"
    style: str = "messages"
    field_name: str = "address_to"
    text: str = ""
    reads: int = 0


@dataclass
class _State:
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    rates: dict[str, dict[str, Any]] = field(default_factory=dict)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    labels: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    queued: dict[str, int] = field(default_factory=dict)  # transaction id -> reads left
    unlisted: set[str] = field(default_factory=set)  # bought, not shown yet
    offers: tuple[tuple[Any, ...], ...] = ()
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: dict[str, list[_Fault]] = field(default_factory=dict)
    tracking_seq: int = 0


def endpoint_of(method: str, path: str) -> str:
    """The scenario name of a request: ``GET /transactions/abc`` -> ``GET /transactions/{id}``."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return f"{method} /"
    if parts[0] == "transactions" and len(parts) > 1:
        return f"{method} /transactions/{{id}}"
    if parts[0] in ("tracks", "labels", "rates", "shipments") and len(parts) > 1:
        return f"{method} /{parts[0]}/{{id}}" if parts[0] != "tracks" else f"{method} /tracks"
    return f"{method} /{parts[0]}"


class FakeShippo:
    """The fake API; ``start()`` it (or use it as a context manager), read ``url``."""

    def __init__(self, api_key: str = API_KEY, currency: str = "USD") -> None:
        self.api_key = api_key
        self.currency = currency
        self.omit_created_by = False
        self._lock = threading.Lock()
        self._state = _State()
        self._wake = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # ------------------------------------------------------------- lifecycle

    def start(self) -> FakeShippo:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
        self._server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeShippo:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget everything: shipments, purchases, requests and pending scenarios."""
        self.answer_now()
        with self._lock:
            self._state = _State()
            self._wake = threading.Event()
        self.omit_created_by = False

    # ------------------------------------------------------------- scenarios

    def fail_next(self, endpoint: str, count: int = 1, status: int = 500) -> None:
        self._add_faults(endpoint, count, _Fault(kind="status", status=status))

    def garble_next(self, endpoint: str, body: bytes, count: int = 1, status: int = 201) -> None:
        self._add_faults(endpoint, count, _Fault(kind="garble", status=status, text=body.decode()))

    def sleep_next(
        self, endpoint: str, seconds: float, count: int = 1, *, record: str = "before"
    ) -> None:
        if record not in ("before", "after", "unlisted"):
            raise ValueError("record is 'before', 'after' or 'unlisted'")
        self._add_faults(endpoint, count, _Fault(kind="sleep", seconds=seconds, record=record))

    def answer_now(self) -> None:
        """End every sleep under way: late answers go out (and unlisted purchases show)."""
        with self._lock:
            wake = self._wake
        wake.set()

    def rates_in(self, offers: list[tuple[str, str, str, int | None, str, str]]) -> None:
        """Quote these (provider, service, token, days, amount, currency) from now on."""
        with self._lock:
            self._state.offers = tuple((*o[:5], "", o[5]) for o in offers)

    def _sleep(self, seconds: float) -> None:
        with self._lock:
            wake = self._wake
        if seconds > 0:
            wake.wait(seconds)

    def reject_next_address(
        self, style: str = "messages", field_name: str = "address_to", count: int = 1
    ) -> None:
        if style not in ("messages", "400"):
            raise ValueError("style is 'messages' or '400'")
        fault = _Fault(kind="address", style=style, field_name=field_name)
        self._add_faults("POST /shipments", count, fault)

    def refuse_next_purchase(self, text: str) -> None:
        self._add_faults("POST /transactions", 1, _Fault(kind="refuse", text=text))

    def queue_next_purchase(self, reads: int = 1) -> None:
        self._add_faults("POST /transactions", 1, _Fault(kind="queue", reads=reads))

    def _add_faults(self, endpoint: str, count: int, fault: _Fault) -> None:
        with self._lock:
            self._state.faults.setdefault(endpoint, []).extend([fault] * count)

    def _take_fault(self, endpoint: str) -> _Fault | None:
        with self._lock:
            queue = self._state.faults.get(endpoint)
            return queue.pop(0) if queue else None

    # ------------------------------------------------------------ inspection

    @property
    def purchases(self) -> list[dict[str, Any]]:
        """Every label bought (or being bought), oldest first (copies)."""
        with self._lock:
            rows = [t for t in self._state.transactions if t["status"] != "ERROR"]
            return json.loads(json.dumps(rows))

    def purchases_for(self, metadata: str) -> list[dict[str, Any]]:
        return [t for t in self.purchases if t.get("metadata") == metadata]

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.endpoint == endpoint]

    @property
    def shipments(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._state.shipments.values())

    def wait_for_listing(self, metadata: str, timeout: float = 5.0) -> bool:
        """Wait until a purchase with this metadata is listed; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                listed = [
                    t
                    for t in self._state.transactions
                    if t.get("metadata") == metadata and t["object_id"] not in self._state.unlisted
                ]
            if listed:
                return True
            time.sleep(0.02)
        return False

    def wait_for_purchases(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until at least ``count`` labels were bought; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.purchases) >= count:
                return True
            time.sleep(0.02)
        return False

    # -------------------------------------------------------------- answers

    def handle(self, method: str, raw_path: str, headers: Any, body: bytes) -> _Answer:
        split = urlsplit(raw_path)
        path = split.path.rstrip("/") or "/"
        query = parse_qs(split.query)
        endpoint = endpoint_of(method, path)
        parsed: Any = None
        if body:
            try:
                parsed = json.loads(body)
            except ValueError:
                return _json(400, {"detail": "The request body is not JSON."})
        with self._lock:
            self._state.requests.append(RecordedRequest(method, path, query, parsed, endpoint))

        if endpoint == "GET /labels/{id}":
            return self._label_file(path)
        if headers.get("Authorization") != f"ShippoToken {self.api_key}":
            return _json(401, {"detail": "Invalid token."})

        fault = self._take_fault(endpoint)
        if fault is not None and fault.kind == "status":
            return _json(fault.status, {"detail": "Something went wrong on our side."})
        if fault is not None and fault.kind == "garble":
            return _Answer(fault.status, "application/json", fault.text.encode())
        sleep = fault.seconds if fault is not None and fault.kind == "sleep" else 0.0
        record = fault.record if fault is not None and fault.kind == "sleep" else "before"

        if endpoint == "POST /shipments":
            self._sleep(sleep)
            return self._create_shipment(parsed or {}, fault)
        if endpoint == "POST /transactions":
            if record == "after":
                self._sleep(sleep)
                return self._create_transaction(parsed or {}, fault)
            answer = self._create_transaction(parsed or {}, fault, unlisted=record == "unlisted")
            self._sleep(sleep)
            if answer.status == 201:
                with self._lock:
                    self._state.unlisted.discard(json.loads(answer.body)["object_id"])
            return answer
        self._sleep(sleep)
        if endpoint == "GET /transactions":
            return self._list_transactions(query)
        if endpoint == "GET /transactions/{id}":
            return self._get_transaction(path.rsplit("/", 1)[-1])
        if endpoint == "GET /rates/{id}":
            with self._lock:
                rate = self._state.rates.get(path.rsplit("/", 1)[-1])
            return _json(200, rate) if rate else _json(404, {"detail": "Not found."})
        if endpoint == "GET /tracks":
            parts = path.split("/")
            return self._track(parts[-2], parts[-1])
        return _json(404, {"detail": "Not found."})

    def _address(self, data: dict[str, Any]) -> dict[str, Any]:
        out = {
            key: data.get(key, "")
            for key in ("name", "company", "street1", "street2", "city", "state", "zip")
        }
        out.update(
            {
                "country": data.get("country", "US"),
                "phone": data.get("phone", ""),
                "email": data.get("email", ""),
                "street3": "",
                "street_no": "",
                "is_residential": None,
                "is_complete": True,
                "metadata": data.get("metadata", ""),
                "object_id": _new_id(),
                "object_owner": OWNER,
                "object_created": _now(),
                "object_updated": _now(),
                "validation_results": {},
                "test": True,
            }
        )
        return out

    def _parcel(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "object_id": _new_id(),
            "object_state": "VALID",
            "object_owner": OWNER,
            "object_created": _now(),
            "object_updated": _now(),
            "length": str(data.get("length", "")),
            "width": str(data.get("width", "")),
            "height": str(data.get("height", "")),
            "distance_unit": data.get("distance_unit", "cm"),
            "weight": str(data.get("weight", "")),
            "mass_unit": data.get("mass_unit", "g"),
            "template": None,
            "extra": {},
            "metadata": "",
            "test": True,
        }

    def _rate(self, shipment_id: str, offer: tuple[Any, ...], attributes: list[str]) -> dict:
        provider, name, token, days, amount, terms, *rest = offer
        currency = rest[0] if rest else self.currency
        return {
            "object_id": _new_id(),
            "object_owner": OWNER,
            "object_created": _now(),
            "shipment": shipment_id,
            "attributes": attributes,
            "amount": amount,
            "currency": currency,
            "amount_local": amount,
            "currency_local": currency,
            "provider": provider,
            "provider_image_75": "",
            "provider_image_200": "",
            "servicelevel": {
                "name": name,
                "token": token,
                "terms": "",
                "extended_token": token,
                "parent_servicelevel": None,
            },
            "estimated_days": days,
            "arrives_by": None,
            "duration_terms": terms,
            "messages": [],
            "carrier_account": f"acct_{provider.lower()}",
            "test": True,
            "zone": "4",
            "included_insurance_price": None,
        }

    def _create_shipment(self, body: dict[str, Any], fault: _Fault | None) -> _Answer:
        missing = [k for k in ("address_from", "address_to", "parcels") if not body.get(k)]
        if missing:
            return _json(400, {k: ["This field is required."] for k in missing})
        stored = [k for k in ("address_from", "address_to") if not isinstance(body[k], dict)]
        if stored or not all(isinstance(p, dict) for p in body["parcels"]):
            # Object ids of stored addresses and parcels: this fake keeps none.
            return _json(400, {k: ["Send the address itself."] for k in stored or ["parcels"]})
        if fault is not None and fault.kind == "address" and fault.style == "400":
            return _json(400, {fault.field_name: [{"zip": [ADDRESS_400_TEXT]}]})
        shipment_id = _new_id()
        rejected = fault is not None and fault.kind == "address"
        rates: list[dict[str, Any]] = []
        messages: list[dict[str, str]] = []
        if rejected:
            messages.append(
                {"source": "USPS", "code": "address_not_found", "text": ADDRESS_MESSAGE}
            )
        else:
            with self._lock:
                offers = self._state.offers or OFFERS
            cheapest = min(offers, key=lambda o: float(o[4]))
            fastest = min((o for o in offers if o[3] is not None), key=lambda o: o[3] or 0)
            for offer in offers:
                attributes = []
                if offer is cheapest:
                    attributes.append("CHEAPEST")
                if offer is fastest:
                    attributes.append("FASTEST")
                rates.append(self._rate(shipment_id, offer, attributes))
        address_from = self._address(body["address_from"])
        shipment = {
            "object_id": shipment_id,
            "object_owner": OWNER,
            "object_created": _now(),
            "object_updated": _now(),
            "status": "SUCCESS",
            "address_from": address_from,
            "address_to": self._address(body["address_to"]),
            "address_return": address_from,
            "parcels": [self._parcel(p) for p in body["parcels"]],
            "shipment_date": _now(),
            "extra": body.get("extra") or {},
            "customs_declaration": None,
            "carrier_accounts": [],
            "metadata": body.get("metadata") or "",
            "messages": messages,
            "rates": rates,
            "test": True,
        }
        with self._lock:
            self._state.shipments[shipment_id] = shipment
            for rate in rates:
                self._state.rates[rate["object_id"]] = rate
        return _json(201, shipment)

    def _create_transaction(
        self, body: dict[str, Any], fault: _Fault | None, *, unlisted: bool = False
    ) -> _Answer:
        rate_id = body.get("rate")
        file_type = body.get("label_file_type") or "PDF_4x6"
        with self._lock:
            rate = self._state.rates.get(rate_id or "")
        if rate is None:
            return _json(400, {"rate": ["This rate does not exist or has expired."]})
        if file_type not in ("PDF_4x6", "ZPLII", "PDF", "PNG"):
            return _json(400, {"label_file_type": ["This label file type is not offered."]})
        with self._lock:
            shipment = self._state.shipments[rate["shipment"]]
            self._state.tracking_seq += 1
            tracking = f"9400{self._state.tracking_seq:018d}"
        transaction_id = _new_id()
        suffix = "zpl" if file_type == "ZPLII" else "pdf"
        transaction: dict[str, Any] = {
            "object_id": transaction_id,
            "object_state": "VALID",
            "object_owner": OWNER,
            "object_created": _now(),
            "object_updated": _now(),
            "status": "SUCCESS",
            "test": True,
            "rate": rate_id,
            "tracking_number": tracking,
            "tracking_status": "UNKNOWN",
            "tracking_url_provider": f"{self.url}/tracking-page/{tracking}",
            "eta": None,
            "label_file_type": file_type,
            "label_url": f"{self.url}/labels/{transaction_id}.{suffix}",
            "commercial_invoice_url": None,
            "qr_code_url": None,
            "messages": [],
            "metadata": body.get("metadata") or "",
            "parcel": shipment["parcels"][0]["object_id"],
            "created_by": None,
        }
        if fault is not None and fault.kind == "refuse":
            transaction.update(
                status="ERROR",
                tracking_number="",
                tracking_url_provider="",
                label_url="",
                messages=[{"source": rate["provider"], "code": "", "text": fault.text}],
            )
            with self._lock:
                self._state.transactions.append(transaction)
            return _json(201, self._view(transaction, short_rate=False, read=False))
        if suffix == "zpl":
            content = (
                f"^XA^FO40,40^A0N,40,40^FD{rate['provider']}^FS"
                f"^FO40,120^BCN,200,Y,N,N^FD{tracking}^FS^XZ\n"
            ).encode()
        else:
            content = f"%PDF-1.4\n% fake Shippo label {tracking}\n%%EOF\n".encode()
        with self._lock:
            self._state.transactions.append(transaction)
            if unlisted:
                self._state.unlisted.add(transaction_id)
            if fault is not None and fault.kind == "queue":
                self._state.queued[transaction_id] = fault.reads + 1
            self._state.labels[f"{transaction_id}.{suffix}"] = (
                "application/pdf" if suffix == "pdf" else "text/plain",
                content,
            )
        return _json(201, self._view(transaction, short_rate=False, read=False))

    def _view(
        self, transaction: dict[str, Any], *, short_rate: bool, read: bool = True
    ) -> dict[str, Any]:
        """The transaction as the API shows it; a read counts down a queued purchase."""
        out = dict(transaction)
        with self._lock:
            left = self._state.queued.get(transaction["object_id"], 0)
            if left and read:
                self._state.queued[transaction["object_id"]] = left - 1
        if left > 1 or (left == 1 and not read):
            out.update(status="QUEUED", tracking_number="", tracking_url_provider="", label_url="")
        if short_rate:
            with self._lock:
                rate = self._state.rates.get(transaction["rate"])
            if rate is not None:
                out["rate"] = {
                    "object_id": rate["object_id"],
                    "amount": rate["amount"],
                    "currency": rate["currency"],
                    "amount_local": rate["amount_local"],
                    "currency_local": rate["currency_local"],
                    "provider": rate["provider"],
                    "carrier_account": rate["carrier_account"],
                    "servicelevel_name": rate["servicelevel"]["name"],
                    "servicelevel_token": rate["servicelevel"]["token"],
                }
        if self.omit_created_by:
            out.pop("created_by", None)
        return out

    def _list_transactions(self, query: dict[str, list[str]]) -> _Answer:
        def first(name: str, default: str = "") -> str:
            return query.get(name, [default])[0]

        try:
            page = max(1, int(first("page", "1")))
            per_page = min(100, max(1, int(first("results", "25"))))
        except ValueError:
            return _json(400, {"detail": "page and results are numbers."})
        with self._lock:
            rows = [
                t
                for t in reversed(self._state.transactions)
                if t["object_id"] not in self._state.unlisted
            ]
        if first("rate"):
            rows = [t for t in rows if t["rate"] == first("rate")]
        if first("object_status"):
            wanted = first("object_status")
            rows = [
                t for t in rows if self._view(t, short_rate=False, read=False)["status"] == wanted
            ]
        if first("tracking_status"):
            rows = [t for t in rows if t["tracking_status"] == first("tracking_status")]
        start = (page - 1) * per_page
        chunk = rows[start : start + per_page]
        base = f"{self.url}/transactions?results={per_page}"
        return _json(
            200,
            {
                "next": f"{base}&page={page + 1}" if start + per_page < len(rows) else None,
                "previous": f"{base}&page={page - 1}" if page > 1 else None,
                "results": [self._view(t, short_rate=True) for t in chunk],
            },
        )

    def _get_transaction(self, transaction_id: str) -> _Answer:
        with self._lock:
            found = [
                t
                for t in self._state.transactions
                if t["object_id"] == transaction_id and transaction_id not in self._state.unlisted
            ]
        if not found:
            return _json(404, {"detail": "Not found."})
        return _json(200, self._view(found[0], short_rate=True))

    def _label_file(self, path: str) -> _Answer:
        with self._lock:
            entry = self._state.labels.get(path.rsplit("/", 1)[-1])
        if entry is None:
            return _Answer(404, "text/plain", b"no such label")
        return _Answer(200, entry[0], entry[1])

    def _track(self, carrier: str, tracking_number: str) -> _Answer:
        with self._lock:
            found = [t for t in self._state.transactions if t["tracking_number"] == tracking_number]
        known = bool(found)
        status = {
            "object_id": _new_id(),
            "object_created": _now(),
            "object_updated": _now(),
            "status": "TRANSIT" if known else "UNKNOWN",
            "status_details": (
                "The parcel left the origin facility."
                if known
                else "The carrier has not received this parcel yet."
            ),
            "status_date": "2024-05-02T14:30:00Z",
            "substatus": None,
            "location": {"city": "Memphis", "state": "TN", "zip": "38118", "country": "US"},
        }
        return _json(
            200,
            {
                "carrier": carrier,
                "tracking_number": tracking_number,
                "address_from": None,
                "address_to": None,
                "eta": None,
                "original_eta": None,
                "servicelevel": None,
                "metadata": None,
                "transaction": found[0]["object_id"] if found else None,
                "messages": [],
                "tracking_status": status,
                "tracking_history": [status],
            },
        )


@dataclass
class _Answer:
    status: int
    content_type: str
    body: bytes


def _json(status: int, data: Any) -> _Answer:
    return _Answer(status, "application/json", json.dumps(data).encode())


def _handler_for(fake: FakeShippo) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeShippo/1.0"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            try:
                answer = fake.handle(method, self.path, self.headers, body)
            except Exception as exc:  # a bug in the fake: answer, do not hang up
                answer = _json(500, {"detail": f"fake server error: {exc!r}"})
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                pass  # the client gave up (timed out) before the answer came

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler
