"""Rates and labels for a parcel, from the configured carrier, bought at most once.

The carrier is Shippo when ``SHIPPO_API_KEY`` is set, else the built-in local
carrier. Both are called with no database transaction open (the route lends
the action ``commit_early`` in a ``CallOut``), and a purchase is put on record,
committed, before the carrier hears of it: after a crash, a timeout or a 5xx the parcel says a
purchase may have happened. Then no purchase is made again: the next attempts
only ask the carrier for the label bought with the parcel's key, until it is
found or a supervisor releases the parcel (see ``wms.shipping.services.purchases``).

Money: rates are compared only within the warehouse's currency (``CURRENCY``,
from ``WMS_CURRENCY``, EUR by default); rates in another currency are listed as
such and bought only when the packer picks one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from wms.base.errors import Conflict, DomainError, InvalidInput, NotFound
from wms.base.i18n import Joined, Text, _
from wms.base.money import DEFAULT_CURRENCY, normal_currency
from wms.carriers import (
    SERVICE_LEVELS,
    Address,
    Carrier,
    CarrierError,
    CarrierUnavailable,
    Label,
    NoRate,
    Rate,
    choose_rate,
)
from wms.carriers import Parcel as Package
from wms.carriers.builtin import BuiltinCarrier
from wms.config import setting
from wms.core.models import Order
from wms.database import Commit
from wms.extensions import db
from wms.prints.printers import PrinterUnavailable, send_zpl
from wms.shipping.models import LabelState, Parcel, ParcelStatus
from wms.shipping.queries import station_settings
from wms.shipping.services.parcels import release_payment_hold, require_payment
from wms.shipping.services.purchases import (
    LabelUnconfirmed,
    claim,
    mark_unknown,
    record_failure,
    record_label,
    release,
    unconfirmed_sentence,
    unknown,
)

# Carriers that give the same label again for the same parcel key: for them a
# purchase whose outcome is unknown is simply made again.
REPEATABLE_CARRIERS = ("builtin",)
DEFAULT_WAREHOUSE = {
    "name": "WMS Fulfilment",
    "company": "WMS Inc",
    "street1": "12 Dock Road",
    "city": "Springfield",
    "state": "IL",
    "zip": "62701",
    "country": "US",
}


class CarrierDown(DomainError):
    """The carrier did not answer; nothing is lost, try again."""

    code = "carrier_unavailable"
    status = 503


class LabelRefused(DomainError):
    """The carrier refused (an address, no rate, a refused purchase): one sentence says why."""

    code = "label_refused"
    status = 422


class PrinterDown(DomainError):
    code = "printer_unavailable"
    status = 503


@dataclass(frozen=True)
class CallOut:
    """What a route lends an action that reaches a carrier or a printer.

    ``commit_early`` (``wms.database.commit_early``) commits what is on record
    before the call; ``tracking_page`` is the public tracking page's address,
    printed on the built-in carrier's labels.
    """

    commit_early: Commit
    tracking_page: str


# ------------------------------------------------------------------ carriers


def warehouse_currency() -> str:
    return normal_currency(setting("CURRENCY") or DEFAULT_CURRENCY)


def default_carrier_code() -> str:
    return "shippo" if setting("SHIPPO_API_KEY") else "builtin"


@contextmanager
def carrier_for(
    code: str, tracking_page: str, serials: dict[str, int] | None = None
) -> Iterator[Carrier]:
    """The adapter for ``code``; ``serials`` gives built-in parcels their own tracking numbers."""
    if code == "shippo":
        _require_configured(code)
        from wms.carriers.shippo_adapter import ShippoCarrier

        with ShippoCarrier(
            setting("SHIPPO_API_KEY"),
            setting("SHIPPO_API_URL"),
            timeout=float(setting("SHIPPO_TIMEOUT", 10.0)),
            retry_backoff=float(setting("SHIPPO_RETRY_BACKOFF", 0.5)),
            poll_interval=float(setting("SHIPPO_POLL_INTERVAL", 1.0)),
            currency=warehouse_currency(),
        ) as shippo:
            yield shippo
        return
    known = dict(serials or {})
    yield BuiltinCarrier(
        serial_for=known.get,
        tracking_url_prefix=tracking_page,
        currency=warehouse_currency(),
    )


def _require_configured(code: str) -> None:
    if code == "shippo" and not setting("SHIPPO_API_KEY"):
        raise LabelRefused(_("Shippo is not configured any more; ask an admin to set it up again."))


def warehouse_address() -> Address:
    data = {**DEFAULT_WAREHOUSE, **(setting("WAREHOUSE_ADDRESS") or {})}
    return Address.of(data)


def ship_to_address(order: Order) -> Address:
    return Address.of(order.ship_to, name=order.customer_name)


def service_level(order: Order) -> str:
    level = (order.service_level or "").strip().lower()
    return level if level in SERVICE_LEVELS else "standard"


def _package(parcel: Parcel) -> Package:
    box = parcel.box_type
    if box is None or parcel.weight_g is None:
        raise Conflict(_("Scan the box and weigh the parcel first."))
    return Package(box.length_mm, box.width_mm, box.height_mm, parcel.weight_g)


def rate_from(data: dict[str, Any]) -> Rate:
    """A rate as stored with the parcel (amounts as text, to keep them exact)."""
    data = dict(data)
    if "amount_cents" in data:  # stored before rates kept their amount as quoted
        data["amount"] = Decimal(data.pop("amount_cents")) / 100
    data["amount"] = Decimal(str(data["amount"]))
    return Rate(**data)


def rate_record(rate: Rate) -> dict[str, Any]:
    return {**asdict(rate), "amount": str(rate.amount)}


def rates_of(parcel: Parcel) -> list[Rate]:
    return [rate_from(r) for r in parcel.rates or []]


# ------------------------------------------------------------------ rates


def quote_rates(parcel: Parcel, order: Order, call: CallOut) -> Text | str:
    """Ask the carrier for rates and preselect the cheapest meeting the order's level.

    Returns a sentence for the packer when no rate meets the level (they pick one).
    """
    if parcel.label_state == LabelState.BOUGHT:
        return ""
    code = default_carrier_code()
    ship_from, ship_to = warehouse_address(), ship_to_address(order)
    package, level, parcel_id = _package(parcel), service_level(order), parcel.id
    # No lock is held while the carrier answers (on SQLite a writer holds the whole database).
    call.commit_early()
    try:
        with carrier_for(code, call.tracking_page) as carrier:
            rates = carrier.rates(ship_from, ship_to, package, level)
    except CarrierUnavailable as exc:
        raise CarrierDown(exc.message) from exc
    except CarrierError as exc:
        raise LabelRefused(exc.message) from exc
    note: Text | str = ""
    currency = warehouse_currency()
    try:
        chosen = choose_rate(rates, level, currency).rate_id
    except NoRate as exc:
        chosen, note = "", Joined([exc.message, _("Pick a rate below.")])
    parcel = db.session.get(Parcel, parcel_id)  # type: ignore[assignment]
    parcel.carrier_code = code
    ordered = sorted(rates, key=lambda rate: _cheapest_first(rate, currency))
    parcel.rates = [rate_record(rate) for rate in ordered]
    parcel.rate_id = chosen
    return note


def _cheapest_first(rate: Rate, currency: str) -> tuple[bool, str, Decimal, int, str]:
    """The warehouse's currency first, cheapest first; other currencies after, by currency."""
    days = rate.days if rate.days is not None else 99
    other = rate.currency.upper() != currency
    return (other, rate.currency.upper() if other else "", rate.amount, days, rate.service)


# ------------------------------------------------------------------ buying


def buy_label(parcel: Parcel, order: Order, call: CallOut, rate_id: str = "") -> Parcel:
    """Buy the parcel's label with the chosen (or the given) rate, never twice.

    After a purchase whose outcome is unknown it only looks for that label.
    """
    if parcel.label_state == LabelState.BOUGHT:
        return parcel
    if parcel.status != ParcelStatus.PACKED:
        raise Conflict(_("Verify, box and weigh the parcel before buying its label."))
    if parcel.carrier_code not in REPEATABLE_CARRIERS and unknown(parcel):
        return confirm_label(parcel, order.number, call)
    release_payment_hold(order)
    require_payment(order)
    if not parcel.rates:
        raise Conflict(_("Weigh the parcel again to get rates."))
    wanted = rate_id or parcel.rate_id
    rate = next((r for r in rates_of(parcel) if r.rate_id == wanted), None)
    if rate is None:
        raise InvalidInput(_("That rate is no longer offered; pick one of the rates shown."))
    settings = station_settings(parcel.location_id)
    label_format = "ZPL" if settings is not None and settings.has_printer else "PDF_4x6"
    parcel_id, key, number, code = parcel.id, parcel.label_key, order.number, parcel.carrier_code
    _require_configured(code)
    claim(parcel_id, rate.rate_id, number, repeatable=code in REPEATABLE_CARRIERS)
    call.commit_early()  # the attempt is on record before the carrier hears of it
    try:
        with carrier_for(code, call.tracking_page, {key: parcel_id}) as carrier:
            label = carrier.buy_label(rate, label_format, key, order_number=number)
    except CarrierUnavailable as exc:
        if not exc.purchase_uncertain:
            record_failure(parcel_id, LabelState.FAILED, exc.message, call.commit_early)
            raise CarrierDown(exc.message) from exc
        record_failure(parcel_id, LabelState.UNCERTAIN, exc.message, call.commit_early)
        parcel = db.session.get(Parcel, parcel_id)  # type: ignore[assignment]
        raise CarrierDown(unconfirmed_sentence(parcel, number)) from exc
    except CarrierError as exc:
        record_failure(
            parcel_id, LabelState.FAILED, exc.message, call.commit_early, forget_rates=True
        )
        raise LabelRefused(exc.message) from exc
    except Exception:
        record_failure(
            parcel_id,
            LabelState.UNCERTAIN,
            _("The label purchase was interrupted."),
            call.commit_early,
        )
        raise
    record_label(parcel_id, label)
    call.commit_early()  # a bought label is saved before anything else can fail
    return db.session.get(Parcel, parcel_id)  # type: ignore[return-value]


def find_label(parcel: Parcel, call: CallOut) -> Label | None:
    """The carrier's record of the parcel's label (by its key and rate), or None."""
    rate = next((r for r in rates_of(parcel) if r.rate_id == parcel.rate_id), None)
    parcel_id, key, code = parcel.id, parcel.label_key, parcel.carrier_code
    _require_configured(code)
    call.commit_early()
    try:
        with carrier_for(code, call.tracking_page, {key: parcel_id}) as carrier:
            return carrier.find_label(key, rate)
    except CarrierUnavailable as exc:
        raise CarrierDown(
            Joined([exc.message, _("The label that may be bought is looked for again next time.")])
        ) from exc
    except CarrierError as exc:
        raise CarrierDown(exc.message) from exc


def confirm_label(parcel: Parcel, number: str, call: CallOut) -> Parcel:
    """A purchase whose outcome is unknown: look for its label, and buy nothing.

    Found: it is put on record. Not found: ``LabelUnconfirmed`` says what the
    packer does meanwhile; the parcel stays as it is.
    """
    if parcel.label_state == LabelState.BUYING and not unknown(parcel):
        raise Conflict(
            _(
                "The label for %(order)s is being bought right now; wait a moment, then scan "
                "%(order)s to see it.",
                order=number,
            )
        ).with_code("purchase_in_progress")
    parcel_id = parcel.id
    mark_unknown(parcel_id)
    label = find_label(parcel, call)
    if label is None:
        parcel = db.session.get(Parcel, parcel_id)  # type: ignore[assignment]
        raise LabelUnconfirmed(unconfirmed_sentence(parcel, number))
    record_label(parcel_id, label)
    call.commit_early()
    return db.session.get(Parcel, parcel_id)  # type: ignore[return-value]


def release_label(parcel_id: int, call: CallOut, user_id: int | None) -> Text:
    """A supervisor lets an unconfirmed purchase be made again, after one last look.

    Returns what happened, in one sentence.
    """
    parcel = db.session.get(Parcel, parcel_id)
    if parcel is None:
        raise NotFound(_("There is no such parcel."))
    number = db.session.get(Order, parcel.order_id).number  # type: ignore[union-attr]
    release(parcel, number, dry_run=True)  # refuses early, before asking the carrier
    label = find_label(parcel, call)
    if label is not None:
        record_label(parcel_id, label)
        return _(
            "The carrier has the label for %(order)s after all: it is on record now.", order=number
        )
    parcel = db.session.get(Parcel, parcel_id)  # type: ignore[assignment]
    release(parcel, number, user_id=user_id)
    return _(
        "%(order)s may buy its label again: the next DONE at the pack station buys one.",
        order=number,
    )


# ------------------------------------------------------------------ files and printing


def label_file(parcel: Parcel, label_format: str, order_no: str, tracking_page: str) -> bytes:
    """The label in the format asked for: as bought, or drawn again by the built-in carrier."""
    if parcel.label_state != LabelState.BOUGHT or parcel.label_bytes is None:
        raise NotFound(_("This parcel has no label yet."))
    if parcel.label_format == label_format:
        return parcel.label_bytes
    if parcel.carrier_code == "builtin":
        rate = next((r for r in rates_of(parcel) if r.rate_id == parcel.rate_id), None)
        if rate is not None:
            with carrier_for("builtin", tracking_page, {parcel.label_key: parcel.id}) as carrier:
                return carrier.buy_label(
                    rate, label_format, parcel.label_key, order_number=order_no
                ).label_bytes
    if parcel.label_format == "PDF_4x6":
        raise NotFound(_("This label was bought as a 4x6 PDF only."))
    raise NotFound(_("This label was bought as ZPL only."))


def print_label(parcel: Parcel, order_no: str, call: CallOut) -> str:
    """Send the ZPL label to the station's thermal printer; returns where it went."""
    settings = station_settings(parcel.location_id)
    if settings is None or not settings.has_printer:
        raise InvalidInput(
            _("This station has no label printer; open the 4x6 PDF and print it from the browser.")
        )
    zpl = label_file(parcel, "ZPL", order_no, call.tracking_page)
    host, port = settings.printer_host, settings.printer_port
    call.commit_early()
    try:
        send_zpl(zpl, host, port, timeout=float(setting("PRINTER_TIMEOUT", 5.0)))
    except PrinterUnavailable as exc:
        raise PrinterDown(exc.message) from exc
    return f"{host}:{port}"
