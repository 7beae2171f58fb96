"""Shippo as a carrier, through the official SDK (``shippo`` 3.9).

What this adapter adds to the SDK, which sets no timeout and retries nothing:

* Every request carries a timeout: the SDK is given a client that puts one on
  each request it sends (and keeps the last response, see below).
* Calls that cannot buy anything (rates, listing labels, tracking, downloading a
  label file) are retried on a timeout, a refused connection, a 429 or a 5xx.
* A label purchase is never retried blindly. Before every purchase, and after a
  purchase that timed out or got a 5xx, the adapter lists the account's
  transactions and looks for one whose ``metadata`` is the parcel's idempotency
  key ("look before you buy"). Found: that label is returned. Not found after a
  failed purchase: ``CarrierUnavailable(purchase_uncertain=True)``; Shippo may
  list the purchase only later, so the caller then only looks (``find_label``).
* Some transactions come without a ``created_by`` key (labels bought through the
  API), which the SDK's parser cannot read. The adapter then reads the same
  response's raw JSON, kept by its client, instead.

Shippo fields read: shipment ``object_id``, ``status``, ``messages`` and
``rates`` (``object_id``, ``amount``, ``currency``, ``provider``,
``servicelevel.name``/``token``, ``estimated_days``); transaction ``object_id``,
``status``, ``rate`` (an id, or the short rate object in listings),
``metadata``, ``tracking_number``, ``tracking_url_provider``, ``label_url``,
``label_file_type`` and ``messages``; track ``tracking_status`` (``status``,
``status_details``, ``status_date``, ``object_updated``).

Return labels follow Shippo's rule for ``extra.is_return``: the shipment is sent
with the outbound addresses (warehouse as ``address_from``, customer as
``address_to``) and Shippo swaps them itself.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar, cast

import requests
import shippo
from shippo.models import components, errors, operations
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from wms.base.i18n import N_, Text, _
from wms.base.money import parse_amount
from wms.carriers import (
    LABEL_FORMATS,
    Address,
    AddressError,
    Carrier,
    CarrierError,
    CarrierUnavailable,
    Label,
    NoRate,
    Parcel,
    Rate,
    TrackingStatus,
)

T = TypeVar("T")

_FILE_TYPES = {
    "PDF_4x6": components.LabelFileTypeEnum.PDF_4X6,
    "ZPL": components.LabelFileTypeEnum.ZPLII,
}
_FORMAT_OF_FILE_TYPE = {"PDF_4x6": "PDF_4x6", "ZPLII": "ZPL"}
_PENDING = ("QUEUED", "WAITING")
_MAX_METADATA = 100  # Shippo keeps up to 100 characters of metadata
_PAGE_SIZE = 100  # the most Shippo lists per page

# How Shippo's address fields read in a sentence, per kind of shipment.
_OUTBOUND_NAMES = {
    "address_from": N_("the ship-from address"),
    "address_to": N_("the ship-to address"),
}
_RETURN_NAMES = {
    "address_from": N_("the warehouse address"),
    "address_to": N_("the customer's address"),
}
# What the app was doing when Shippo did not answer or refused, said in a sentence.
ASKING_RATES = N_("asking for rates")
BUYING_LABEL = N_("buying the label")
LOOKING_FOR_LABEL = N_("looking for a label already bought")
TRACKING = N_("tracking the parcel")
_FIELD_WORDS = {
    "name": N_("name"),
    "company": N_("company"),
    "street1": N_("street"),
    "street2": N_("second street line"),
    "city": N_("city"),
    "state": N_("state"),
    "zip": N_("ZIP code"),
    "country": N_("country"),
    "phone": N_("phone number"),
    "email": N_("email address"),
}
_ADDRESSY = re.compile(r"address|street|zip|postal|city|state|province|country", re.IGNORECASE)


class _TimeoutClient:
    """What the SDK uses of a ``requests.Session`` (``prepare_request`` and ``send``).

    It puts the default timeout on every request sent without one, and keeps the
    last response of each thread so a body the SDK fails to parse can be read.
    """

    def __init__(self, session: requests.Session, timeout: float | tuple[float, float]) -> None:
        self.session = session
        self.timeout = timeout
        self._local = threading.local()

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        return self.session.prepare_request(request)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        response = self.session.send(request, **kwargs)
        self._local.last = response
        return response

    def get(self, url: str) -> requests.Response:
        response = self.session.get(url, timeout=self.timeout)
        self._local.last = response
        return response

    def forget(self) -> None:
        self._local.last = None

    def last_response(self) -> requests.Response | None:
        return getattr(self._local, "last", None)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """A field of an SDK model or of the raw JSON dict alike; enums as their values."""
    if obj is None:
        return default
    value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    if isinstance(value, Enum):
        value = value.value
    return default if value is None else value


def _reached_carrier(exc: BaseException) -> bool:
    """False when the request surely never left: no connection was made."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    if isinstance(exc, requests.ConnectionError) and exc.args:
        reason = exc.args[0]
        if isinstance(reason, MaxRetryError) and isinstance(
            reason.reason, NewConnectionError | ConnectTimeoutError
        ):
            return False
    return True


def _transient(status_code: int) -> bool:
    """Worth trying again: rate limited, a server error, or a success we could not read."""
    return status_code == 429 or status_code >= 500 or status_code < 400


def _unanswered(failure: BaseException | None, what: str) -> Text:
    """One sentence saying what happened: no answer, an unreadable one, or an error."""
    doing = _(what)
    if isinstance(failure, errors.SDKError):
        if failure.status_code < 400:
            return _(
                "Shippo answered while %(what)s, but its answer could not be read; try again "
                "in a minute, and tell an admin if it keeps happening.",
                what=doing,
            )
        if failure.status_code == 429:
            return _(
                "Shippo was too busy to answer while %(what)s; try again in a minute.", what=doing
            )
        return _(
            "Shippo had a problem on its side (HTTP %(status)s) while %(what)s; "
            "try again in a minute.",
            status=failure.status_code,
            what=doing,
        )
    return _("Shippo did not answer while %(what)s; try again in a minute.", what=doing)


_UNREADABLE_RATES = N_(
    "Shippo answered while asking for rates, but its answer could not be read; try again "
    "in a minute, and tell an admin if it keeps happening."
)


def _first_sentence(text: Any) -> str:
    flat = " ".join(str(text).split())
    end = re.search(r"[.!?](\s|$)", flat)
    if end is not None:
        flat = flat[: end.start()]
    flat = flat.strip().rstrip(".!?:;,")
    if len(flat) > 1 and flat[0].isupper() and flat[1].islower():
        flat = flat[0].lower() + flat[1:]
    return flat


def _sentence(prefix: Text, text: Any) -> Text:
    """``prefix: first sentence of text.`` - one sentence, whatever the carrier sent
    (the carrier's words are kept as it wrote them)."""
    first = _first_sentence(text) if text else ""
    if first:
        return _("%(sentence)s: %(detail)s.", sentence=prefix, detail=first)
    return _("%(sentence)s.", sentence=prefix)


def _flatten(body: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    """Shippo's 400 bodies (``{"address_to": [{"zip": ["..."]}]}``, ``{"detail": "..."}``,
    ``{"messages": [{"text": "..."}]}``) as (field path, text) pairs."""
    if isinstance(body, str):
        return [(path, body)]
    if isinstance(body, list):
        return [pair for item in body for pair in _flatten(item, path)]
    if isinstance(body, dict):
        if "text" in body and isinstance(body["text"], str):
            return [(path, body["text"])]
        return [pair for key, value in body.items() for pair in _flatten(value, (*path, key))]
    return []


def _cm(mm: int) -> str:
    return format(Decimal(mm) / 10, "f")


def _naive_utc(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def carrier_token(carrier: str) -> str:
    """Shippo's carrier token for tracking from a provider name: ``"DHL Express"`` ->
    ``"dhl_express"``, ``"USPS"`` -> ``"usps"``."""
    return "_".join(carrier.strip().lower().split())


class ShippoCarrier(Carrier):
    """Labels, rates and tracking from Shippo; see the module for the purchase rule."""

    code = "shippo"
    name = "Shippo"

    def __init__(
        self,
        api_key: str,
        server_url: str | None = None,
        timeout: float | tuple[float, float] = 10.0,
        session: requests.Session | None = None,
        *,
        retries: int = 2,
        retry_backoff: float = 0.5,
        lookback_pages: int = 2,
        poll_attempts: int = 3,
        poll_interval: float = 1.0,
        default_tracking_carrier: str = "",
        currency: str | None = None,
    ) -> None:
        """``timeout``: seconds for connect and for each read (or a (connect, read) pair).
        ``retries``: extra tries of calls that buy nothing. ``lookback_pages``: pages of
        the newest 100 transactions searched for a key when the rate does not find it.
        ``poll_attempts``/``poll_interval``: how long to wait for a queued purchase.
        ``currency``: the only currency a return label's rate is chosen in."""
        self._own_session = session is None
        self._http = _TimeoutClient(session or requests.Session(), timeout)
        self._sdk = shippo.Shippo(
            api_key_header=api_key,
            server_url=server_url,
            client=cast(requests.Session, self._http),
        )
        self._retries = max(0, retries)
        self._backoff = retry_backoff
        self._lookback_pages = max(1, lookback_pages)
        self._poll_attempts = max(0, poll_attempts)
        self._poll_interval = poll_interval
        self._default_tracking_carrier = default_tracking_carrier
        self.currency = currency

    def close(self) -> None:
        if self._own_session:
            self._http.session.close()

    def __enter__(self) -> ShippoCarrier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------- plumbing

    def _call(self, fn: Callable[[], T]) -> T | dict[str, Any]:
        """One SDK call; when the SDK cannot parse a successful answer (a transaction
        without ``created_by``), the raw JSON of that answer instead."""
        self._http.forget()
        try:
            return fn()
        except (errors.SDKError, requests.RequestException):
            raise
        except (AttributeError, KeyError, TypeError, ValueError):
            response = self._http.last_response()
            if response is None or not 200 <= response.status_code < 300:
                raise
            try:
                data = response.json()
            except ValueError:
                raise errors.SDKError(
                    "unreadable answer", response.status_code, response.text, response
                ) from None
            if not isinstance(data, dict):
                raise errors.SDKError(
                    "unexpected answer", response.status_code, response.text, response
                ) from None
            return data

    def _pause(self, attempt: int) -> None:
        time.sleep(self._backoff * (2**attempt))

    def _safe(
        self, fn: Callable[[], T], what: str, names: dict[str, str] | None = None
    ) -> T | dict[str, Any]:
        """A call that buys nothing, tried again on timeouts, refusals, 429 and 5xx."""
        failure: BaseException | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                self._pause(attempt - 1)
            try:
                return self._call(fn)
            except requests.RequestException as exc:
                failure = exc
            except errors.SDKError as exc:
                if not _transient(exc.status_code):
                    raise self._refused(exc, what, names) from exc
                failure = exc
        raise CarrierUnavailable(_unanswered(failure, what)) from failure

    def _refused(
        self, exc: errors.SDKError, what: str, names: dict[str, str] | None
    ) -> CarrierError:
        """A 4xx as one sentence: AddressError when it names an address field."""
        if exc.status_code in (401, 403):
            return CarrierError(_("Shippo refused the API key; check the Shippo settings."))
        try:
            body: Any = exc.raw_response.json() if exc.raw_response is not None else exc.body
        except ValueError:
            body = exc.body
        pairs = _flatten(body)
        if names:
            for path, text in pairs:
                if path and path[0] in names:
                    fields = [p for p in path[1:] if p != "__all__"]
                    which = _(names[path[0]])
                    if fields:
                        word = _FIELD_WORDS.get(fields[-1])
                        field = _(word) if word else fields[-1]
                        return AddressError(
                            _sentence(
                                _(
                                    "The carrier rejected %(address)s (%(field)s)",
                                    address=which,
                                    field=field,
                                ),
                                text,
                            )
                        )
                    return AddressError(
                        _sentence(_("The carrier rejected %(address)s", address=which), text)
                    )
        if exc.status_code == 404:
            return CarrierError(_("Shippo found nothing while %(what)s.", what=_(what)))
        text = pairs[0][1] if pairs else ""
        return CarrierError(
            _sentence(_("Shippo refused the request while %(what)s", what=_(what)), text)
        )

    # ---------------------------------------------------------------- rates

    @staticmethod
    def _address(address: Address) -> components.AddressCreateRequest:
        return components.AddressCreateRequest(
            country=address.country,
            name=address.name,
            company=address.company or None,
            street1=address.street1,
            street2=address.street2 or None,
            city=address.city,
            state=address.state or None,
            zip=address.zip,
            phone=address.phone or None,
            email=address.email or None,
        )

    @staticmethod
    def _parcel(parcel: Parcel) -> components.ParcelCreateRequest:
        return components.ParcelCreateRequest(
            mass_unit=components.WeightUnitEnum.G,
            weight=str(parcel.weight_g),
            distance_unit=components.DistanceUnitEnum.CM,
            length=_cm(parcel.length_mm),
            width=_cm(parcel.width_mm),
            height=_cm(parcel.height_mm),
        )

    def _create_shipment(
        self,
        address_from: Address,
        address_to: Address,
        parcel: Parcel,
        *,
        is_return: bool,
        names: dict[str, str],
    ) -> Any:
        request = components.ShipmentCreateRequest(
            address_from=self._address(address_from),
            address_to=self._address(address_to),
            parcels=[self._parcel(parcel)],
            extra=components.ShipmentExtra(is_return=True) if is_return else None,
            async_=False,
        )
        # Creating a shipment buys nothing, so it is safe to try again.
        return self._safe(lambda: self._sdk.shipments.create(request), ASKING_RATES, names)

    @staticmethod
    def _messages(obj: Any) -> list[tuple[str, str]]:
        """(code, text) of the carrier messages on a shipment or transaction, and on the
        validation results of its addresses."""
        found: list[tuple[str, str]] = []
        for source in (obj, _get(obj, "address_from"), _get(obj, "address_to")):
            items = list(_get(source, "messages", []) or [])
            items += list(_get(_get(source, "validation_results"), "messages", []) or [])
            for item in items:
                if isinstance(item, str):
                    found.append(("", item))
                elif _get(item, "text") or _get(item, "code"):
                    found.append((str(_get(item, "code", "")), str(_get(item, "text", ""))))
        return found

    @staticmethod
    def _about_address(code: str, text: str) -> bool:
        return _ADDRESSY.search(f"{code} {text}") is not None

    def _rates_of(self, shipment: Any) -> list[Rate]:
        shipment_id = str(_get(shipment, "object_id", ""))
        items = _get(shipment, "rates", []) or []
        if not isinstance(items, list | tuple):
            raise CarrierUnavailable(_(_UNREADABLE_RATES))
        rates: list[Rate] = []
        for item in items:
            # ``amount`` is in ``currency``, the sender's; ``amount_local`` is the
            # recipient's currency, which the warehouse does not pay in.
            amount = parse_amount(_get(item, "amount"))
            currency = str(_get(item, "currency", "")).strip().upper()
            rate_id = _get(item, "object_id")
            if amount is None or not currency or not rate_id:
                continue
            level = _get(item, "servicelevel")
            days = _get(item, "estimated_days")
            rates.append(
                Rate(
                    rate_id=str(rate_id),
                    carrier=str(_get(item, "provider", "")),
                    service=str(_get(level, "name", "") or _get(level, "token", "")),
                    service_level=str(_get(level, "token", "")),
                    amount=amount,
                    currency=currency,
                    days=int(days) if isinstance(days, int | float) else None,
                    shipment=shipment_id,
                )
            )
        if rates:
            return rates
        if items:  # rates were sent, and none could be read
            raise CarrierUnavailable(_(_UNREADABLE_RATES))
        messages = self._messages(shipment)
        if _get(shipment, "status", "SUCCESS") in _PENDING and not messages:
            raise CarrierUnavailable(
                _("Shippo is still working out the rates; try again in a minute.")
            )
        for code, text in messages:
            if self._about_address(code, text):
                raise AddressError(_sentence(_("The carrier rejected the address"), text or code))
        if messages:
            code, text = messages[0]
            raise NoRate(_sentence(_("No carrier offered a rate for this parcel"), text or code))
        raise NoRate(_("No carrier offered a rate for this parcel."))

    def rates(
        self, ship_from: Address, ship_to: Address, parcel: Parcel, service_level: str = ""
    ) -> list[Rate]:
        """Every rate Shippo quotes (``service_level`` is not needed; use ``choose_rate``)."""
        shipment = self._create_shipment(
            ship_from, ship_to, parcel, is_return=False, names=_OUTBOUND_NAMES
        )
        return self._rates_of(shipment)

    # --------------------------------------------------------------- labels

    @staticmethod
    def _file_type(label_format: str) -> components.LabelFileTypeEnum:
        if label_format not in _FILE_TYPES:
            raise ValueError(f"label_format must be one of {', '.join(LABEL_FORMATS)}")
        return _FILE_TYPES[label_format]

    @staticmethod
    def _check_key(idempotency_key: str) -> None:
        if not idempotency_key or len(idempotency_key) > _MAX_METADATA:
            raise ValueError(f"the idempotency key must be 1 to {_MAX_METADATA} characters")

    def buy_label(
        self, rate: Rate, label_format: str, idempotency_key: str, *, order_number: str = ""
    ) -> Label:
        """Buy the label for the rate, unless one was already bought with this key.

        ``order_number`` is not sent: Shippo's ``order`` field wants a Shippo order id.
        """
        file_type = self._file_type(label_format)
        self._check_key(idempotency_key)
        # Look before you buy: an earlier call for this parcel may have bought the
        # label already (it timed out, got a 5xx, or the app stopped before saving it).
        found = self.find_label(idempotency_key, rate)
        if found is not None:
            return found
        return self._purchase(rate, file_type, idempotency_key)

    def _purchase(
        self,
        rate: Rate,
        file_type: components.LabelFileTypeEnum,
        idempotency_key: str,
        names: dict[str, str] = _OUTBOUND_NAMES,
    ) -> Label:
        """One purchase request, never repeated here; only called after looking."""
        request = components.TransactionCreateRequest(
            rate=rate.rate_id,
            label_file_type=file_type,
            metadata=idempotency_key,
            async_=False,
        )
        try:
            transaction = self._call(lambda: self._sdk.transactions.create(request))
        except requests.RequestException as exc:
            return self._after_unanswered_purchase(
                idempotency_key, rate, reached=_reached_carrier(exc), cause=exc
            )
        except errors.SDKError as exc:
            if exc.status_code == 429:
                raise CarrierUnavailable(
                    _("Shippo is busy and bought no label; try again in a minute.")
                ) from exc
            if _transient(exc.status_code):
                return self._after_unanswered_purchase(
                    idempotency_key, rate, reached=True, cause=exc
                )
            raise self._refused(exc, BUYING_LABEL, names) from exc
        return self._finish_purchase(transaction, rate)

    def _after_unanswered_purchase(
        self, idempotency_key: str, rate: Rate, *, reached: bool, cause: BaseException
    ) -> Label:
        """The purchase got no answer. Never buy again blindly: look for it."""
        if not reached:
            raise CarrierUnavailable(
                _("Shippo could not be reached, so no label was bought; try again in a minute.")
            ) from cause
        try:
            found = self.find_label(idempotency_key, rate)
        except CarrierError:
            found = None
        if found is not None:
            return found
        raise CarrierUnavailable(
            _(
                "Shippo did not confirm the label purchase, so wait a minute and try again; "
                "the app looks for that label before it buys another."
            ),
            purchase_uncertain=True,
        ) from cause

    def _finish_purchase(self, transaction: Any, rate: Rate | None) -> Label:
        for attempt in range(self._poll_attempts + 1):
            status = _get(transaction, "status", "")
            if status == "SUCCESS":
                return self._label(transaction, rate)
            if status not in _PENDING or attempt == self._poll_attempts:
                break
            time.sleep(self._poll_interval)
            transaction_id = str(_get(transaction, "object_id", ""))
            try:
                transaction = self._safe(
                    lambda tid=transaction_id: self._sdk.transactions.get(tid), BUYING_LABEL
                )
            except CarrierError:
                break  # still queued as far as we know: reported as uncertain below
        status = _get(transaction, "status", "")
        if status in _PENDING or status == "":
            raise CarrierUnavailable(
                _("Shippo is still buying the label; try again in a minute."),
                purchase_uncertain=True,
            )
        messages = self._messages(transaction)
        code, text = messages[0] if messages else ("", "")
        if self._about_address(code, text):
            raise AddressError(_sentence(_("The carrier rejected the address"), text or code))
        raise CarrierError(_sentence(_("The carrier refused the label"), text or code))

    def _download(self, url: str) -> bytes:
        failure: BaseException | None = None
        for attempt in range(self._retries + 1):
            if attempt:
                self._pause(attempt - 1)
            try:
                response = self._http.get(url)
            except requests.RequestException as exc:
                failure = exc
                continue
            if response.status_code == 200:
                return response.content
            if not _transient(response.status_code):
                break
        raise CarrierUnavailable(
            _(
                "The label was bought but its file could not be downloaded; try again and the "
                "app fetches that label instead of buying another."
            ),
            purchase_uncertain=True,
        ) from failure

    def _label(self, transaction: Any, rate: Rate | None) -> Label:
        url = _get(transaction, "label_url", "")
        if not url:
            raise CarrierUnavailable(
                _("Shippo has not made the label file yet; try again in a minute."),
                purchase_uncertain=True,
            )
        content = self._download(str(url))
        short = _get(transaction, "rate")
        if isinstance(short, str):
            rate_id = short
            carrier, service, amount, currency = "", "", None, ""
        else:
            rate_id = str(_get(short, "object_id", ""))
            carrier = str(_get(short, "provider", ""))
            service = str(
                _get(short, "servicelevel_name", "") or _get(short, "servicelevel_token", "")
            )
            amount = parse_amount(_get(short, "amount"))
            currency = str(_get(short, "currency", "")).strip().upper()
        if rate is not None and (rate.rate_id == rate_id or not rate_id):
            rate_id = rate.rate_id
            carrier, service = rate.carrier, rate.service
            amount, currency = rate.amount, rate.currency
        file_type = str(_get(transaction, "label_file_type", ""))
        return Label(
            carrier=carrier,
            service=service,
            tracking_number=str(_get(transaction, "tracking_number", "")),
            tracking_url=str(_get(transaction, "tracking_url_provider", "")),
            label_format=_FORMAT_OF_FILE_TYPE.get(file_type, file_type),
            label_bytes=content,
            transaction_id=str(_get(transaction, "object_id", "")),
            rate_id=rate_id,
            amount=amount,
            currency=currency if amount is not None else "",
        )

    def _matching(self, idempotency_key: str, rate_id: str | None, pages: int) -> list[Any]:
        found: list[Any] = []
        for page in range(1, pages + 1):
            request = operations.ListTransactionsRequest(
                rate=rate_id, page=page, results=_PAGE_SIZE
            )
            listing = self._safe(
                lambda request=request: self._sdk.transactions.list(request),
                LOOKING_FOR_LABEL,
            )
            found += [
                t
                for t in _get(listing, "results", []) or []
                if _get(t, "metadata") == idempotency_key
            ]
            if not _get(listing, "next"):
                break
        return found

    def find_label(self, idempotency_key: str, rate: Rate | None = None) -> Label | None:
        """The label bought with this key (``metadata``), or None.

        Looks among the rate's transactions first, then among the newest ones.
        Raises CarrierUnavailable(purchase_uncertain=True) while a purchase with
        the key is still queued at Shippo.
        """
        self._check_key(idempotency_key)
        matches: list[Any] = []
        if rate is not None:
            matches = self._matching(idempotency_key, rate.rate_id, self._lookback_pages)
        if not matches:
            matches = self._matching(idempotency_key, None, self._lookback_pages)
        for transaction in matches:
            if _get(transaction, "status") == "SUCCESS":
                return self._label(transaction, rate)
        if any(_get(t, "status") in _PENDING for t in matches):
            raise CarrierUnavailable(
                _("Shippo is still buying the label for this parcel; try again in a minute."),
                purchase_uncertain=True,
            )
        return None

    def _return_label_found(self, label_format: str, idempotency_key: str) -> Label | None:
        self._file_type(label_format)
        self._check_key(idempotency_key)
        return self.find_label(idempotency_key)  # look before you buy

    def _return_rates(
        self, ship_from: Address, ship_to: Address, parcel: Parcel, service_level: str
    ) -> list[Rate]:
        # Shippo swaps a return shipment's addresses itself: send them as for the
        # outbound parcel, warehouse first.
        shipment = self._create_shipment(
            ship_to, ship_from, parcel, is_return=True, names=_RETURN_NAMES
        )
        return self._rates_of(shipment)

    def _buy_return_label(
        self, rate: Rate, label_format: str, idempotency_key: str, order_number: str
    ) -> Label:
        return self._purchase(rate, self._file_type(label_format), idempotency_key, _RETURN_NAMES)

    # ------------------------------------------------------------- tracking

    def track(self, tracking_number: str, *, carrier: str = "") -> TrackingStatus:
        """Shippo's tracking status; ``carrier`` is the Label's carrier (e.g. "USPS")."""
        token = carrier_token(carrier or self._default_tracking_carrier)
        if not token:
            raise ValueError("Shippo needs the carrier to track a parcel; pass the label's carrier")
        track = self._safe(
            lambda: self._sdk.tracking_status.get(tracking_number=tracking_number, carrier=token),
            TRACKING,
        )
        status = _get(track, "tracking_status")
        return TrackingStatus(
            tracking_number=str(_get(track, "tracking_number", tracking_number)),
            status=str(_get(status, "status", "UNKNOWN")),
            status_details=str(_get(status, "status_details", "")),
            updated_at=_naive_utc(_get(status, "status_date") or _get(status, "object_updated")),
        )
