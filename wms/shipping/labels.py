"""Rates and labels for a parcel, from the configured carrier, bought at most once.

The carrier is Shippo when ``SHIPPO_API_KEY`` is set, else the built-in local
carrier. Both are called with no database transaction open (see
``_leave_transaction``), and a purchase is put on record, committed, before the
carrier hears of it: after a crash, a timeout or a 5xx the parcel says a
purchase may have happened, and the next attempt asks the carrier for the label
bought with the parcel's key before it buys (the adapters' ``buy_label`` looks
first).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import or_, update

from wms.core.clock import utcnow
from wms.core.errors import Conflict, DomainError, InvalidInput, NotFound
from wms.extensions import db
from wms.orders.models import Order
from wms.shipping.carriers import (
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
from wms.shipping.carriers import Parcel as Package
from wms.shipping.carriers.builtin import BuiltinCarrier
from wms.shipping.models import LabelState, Parcel, ParcelStatus
from wms.shipping.parcels import release_payment_hold, require_payment
from wms.shipping.printers import PrinterUnavailable, send_zpl
from wms.shipping.queries import station_settings

# A purchase under way holds the parcel this long; after that a request that
# died mid-purchase no longer blocks the next attempt (which looks first).
PURCHASE_CLAIM = timedelta(minutes=2)
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


# ------------------------------------------------------------------ carriers


def default_carrier_code() -> str:
    return "shippo" if current_app.config.get("SHIPPO_API_KEY") else "builtin"


@contextmanager
def carrier_for(code: str, serials: dict[str, int] | None = None) -> Iterator[Carrier]:
    """The adapter for ``code``; ``serials`` gives built-in parcels their own tracking numbers."""
    config = current_app.config
    if code == "shippo":
        _require_configured(code)
        from wms.shipping.carriers.shippo_adapter import ShippoCarrier

        with ShippoCarrier(
            config["SHIPPO_API_KEY"],
            config.get("SHIPPO_API_URL"),
            timeout=float(config.get("SHIPPO_TIMEOUT", 10.0)),
            retry_backoff=float(config.get("SHIPPO_RETRY_BACKOFF", 0.5)),
            poll_interval=float(config.get("SHIPPO_POLL_INTERVAL", 1.0)),
        ) as shippo:
            yield shippo
        return
    known = dict(serials or {})
    yield BuiltinCarrier(
        serial_for=known.get,
        tracking_url_prefix=url_for("shipping.track_form", _external=True),
    )


def _require_configured(code: str) -> None:
    if code == "shippo" and not current_app.config.get("SHIPPO_API_KEY"):
        raise LabelRefused("Shippo is not configured any more; ask an admin to set it up again.")


def warehouse_address() -> Address:
    data = {**DEFAULT_WAREHOUSE, **(current_app.config.get("WAREHOUSE_ADDRESS") or {})}
    return _address(data)


def _address(data: dict[str, Any], fallback_name: str = "") -> Address:
    def get(key: str, default: str = "") -> str:
        return str(data.get(key) or default).strip()

    return Address(
        name=get("name", fallback_name),
        street1=get("street1"),
        city=get("city"),
        zip=get("zip"),
        country=get("country", "US").upper(),
        state=get("state"),
        street2=get("street2"),
        company=get("company"),
        phone=get("phone"),
        email=get("email"),
    )


def ship_to_address(order: Order) -> Address:
    return _address(order.ship_to or {}, fallback_name=order.customer_name)


def service_level(order: Order) -> str:
    level = (order.service_level or "").strip().lower()
    return level if level in SERVICE_LEVELS else "standard"


def _package(parcel: Parcel) -> Package:
    box = parcel.box_type
    if box is None or parcel.weight_g is None:
        raise Conflict("Scan the box and weigh the parcel first.")
    return Package(box.length_mm, box.width_mm, box.height_mm, parcel.weight_g)


def _leave_transaction() -> None:
    """Commit what this request recorded so far, before talking to a carrier.

    One of the few places a service commits mid-request, for two reasons: a
    label purchase must be on record (and durable) before the carrier can act
    on it, so a crash or a timeout can never leave a bought label unknown; and
    no database lock may be held while a carrier takes seconds to answer (on
    SQLite a writing request holds the whole database). The request's last
    commit, as usual, saves what follows the call.
    """
    db.session.commit()


def rate_from(data: dict[str, Any]) -> Rate:
    return Rate(**data)


def rates_of(parcel: Parcel) -> list[Rate]:
    return [rate_from(r) for r in parcel.rates or []]


# ------------------------------------------------------------------ rates


def quote_rates(parcel: Parcel, order: Order) -> str:
    """Ask the carrier for rates and preselect the cheapest meeting the order's level.

    Returns a sentence for the packer when no rate meets the level (they pick one).
    """
    if parcel.label_state == LabelState.BOUGHT:
        return ""
    code = default_carrier_code()
    ship_from, ship_to = warehouse_address(), ship_to_address(order)
    package, level, parcel_id = _package(parcel), service_level(order), parcel.id
    _leave_transaction()
    try:
        with carrier_for(code) as carrier:
            rates = carrier.rates(ship_from, ship_to, package, level)
    except CarrierUnavailable as exc:
        raise CarrierDown(exc.message) from exc
    except CarrierError as exc:
        raise LabelRefused(exc.message) from exc
    note = ""
    try:
        chosen = choose_rate(rates, level).rate_id
    except NoRate as exc:
        chosen, note = "", f"{exc.message[:-1]}; pick a rate below."
    parcel = db.session.get(Parcel, parcel_id)  # type: ignore[assignment]
    parcel.carrier_code = code
    parcel.rates = [asdict(rate) for rate in sorted(rates, key=_cheapest_first)]
    parcel.rate_id = chosen
    return note


def _cheapest_first(rate: Rate) -> tuple[int, int, str]:
    return (rate.amount_cents, rate.days if rate.days is not None else 99, rate.service)


# ------------------------------------------------------------------ buying


def buy_label(parcel: Parcel, order: Order, rate_id: str = "") -> Parcel:
    """Buy the parcel's label with the chosen (or the given) rate, never twice."""
    if parcel.label_state == LabelState.BOUGHT:
        return parcel
    if parcel.status != ParcelStatus.PACKED:
        raise Conflict("Verify, box and weigh the parcel before buying its label.")
    release_payment_hold(order)
    require_payment(order)
    if not parcel.rates:
        raise Conflict("Weigh the parcel again to get rates.")
    wanted = rate_id or parcel.rate_id
    rate = next((r for r in rates_of(parcel) if r.rate_id == wanted), None)
    if rate is None:
        raise InvalidInput("That rate is no longer offered; pick one of the rates shown.")
    settings = station_settings(parcel.location_id)
    label_format = "ZPL" if settings is not None and settings.has_printer else "PDF_4x6"
    parcel_id, key, number, code = parcel.id, parcel.label_key, order.number, parcel.carrier_code
    _require_configured(code)
    _claim_purchase(parcel_id, rate.rate_id, number)
    _leave_transaction()  # the attempt is on record before the carrier hears of it
    try:
        with carrier_for(code, {key: parcel_id}) as carrier:
            label = carrier.buy_label(rate, label_format, key, order_number=number)
    except CarrierUnavailable as exc:
        state = LabelState.UNCERTAIN if exc.purchase_uncertain else LabelState.FAILED
        _record_failure(parcel_id, state, exc.message)
        raise CarrierDown(exc.message) from exc
    except CarrierError as exc:
        _record_failure(parcel_id, LabelState.FAILED, exc.message, forget_rates=True)
        raise LabelRefused(exc.message) from exc
    except Exception:
        _record_failure(parcel_id, LabelState.UNCERTAIN, "The label purchase was interrupted.")
        raise
    _record_label(parcel_id, label)
    _leave_transaction()  # a bought label is saved before anything else can fail
    return db.session.get(Parcel, parcel_id)  # type: ignore[return-value]


def _claim_purchase(parcel_id: int, rate_id: str, order_no: str) -> None:
    now = utcnow()
    claimed = db.session.execute(
        update(Parcel)
        .where(
            Parcel.id == parcel_id,
            or_(
                Parcel.label_state.in_([LabelState.NONE, LabelState.FAILED, LabelState.UNCERTAIN]),
                (Parcel.label_state == LabelState.BUYING) & (Parcel.label_claimed_until < now),
            ),
        )
        .values(
            label_state=LabelState.BUYING,
            label_attempts=Parcel.label_attempts + 1,
            label_attempted_at=now,
            label_claimed_until=now + PURCHASE_CLAIM,
            label_error="",
            rate_id=rate_id,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        # Not "scan DONE again": once bought, DONE ships, and the packer has not seen the label.
        raise Conflict(
            f"The label for {order_no} is being bought right now; wait a moment, then scan "
            f"{order_no} to see it."
        ).with_code("purchase_in_progress")


def _record_failure(parcel_id: int, state: str, message: str, forget_rates: bool = False) -> None:
    """Keep what the attempt learnt: the error answer rolls back, this must not."""
    db.session.rollback()
    values: dict[str, Any] = {
        "label_state": state,
        "label_error": message[:300],
        "label_claimed_until": None,
    }
    if forget_rates:
        values.update(rates=[], rate_id="")
    db.session.execute(
        update(Parcel)
        .where(Parcel.id == parcel_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_label(parcel_id: int, label: Label) -> None:
    now = utcnow()
    db.session.execute(
        update(Parcel)
        .where(Parcel.id == parcel_id)
        .values(
            status=ParcelStatus.LABELLED,
            label_state=LabelState.BOUGHT,
            label_claimed_until=None,
            label_error="",
            carrier=label.carrier[:64],
            service=label.service[:100],
            tracking_number=label.tracking_number[:64],
            tracking_url=label.tracking_url[:500],
            transaction_id=label.transaction_id[:100],
            label_format=label.label_format,
            label_bytes=label.label_bytes,
            label_amount_cents=label.amount_cents,
            labelled_at=now,
            touched_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


# ------------------------------------------------------------------ files and printing


def label_file(parcel: Parcel, label_format: str, order_no: str) -> bytes:
    """The label in the format asked for: as bought, or drawn again by the built-in carrier."""
    if parcel.label_state != LabelState.BOUGHT or parcel.label_bytes is None:
        raise NotFound("This parcel has no label yet.")
    if parcel.label_format == label_format:
        return parcel.label_bytes
    if parcel.carrier_code == "builtin":
        rate = next((r for r in rates_of(parcel) if r.rate_id == parcel.rate_id), None)
        if rate is not None:
            with carrier_for("builtin", {parcel.label_key: parcel.id}) as carrier:
                return carrier.buy_label(
                    rate, label_format, parcel.label_key, order_number=order_no
                ).label_bytes
    bought = "a 4x6 PDF" if parcel.label_format == "PDF_4x6" else "ZPL"
    raise NotFound(f"This label was bought as {bought} only.")


def print_label(parcel: Parcel, order_no: str) -> str:
    """Send the ZPL label to the station's thermal printer; returns where it went."""
    settings = station_settings(parcel.location_id)
    if settings is None or not settings.has_printer:
        raise InvalidInput(
            "This station has no label printer; open the 4x6 PDF and print it from the browser."
        )
    zpl = label_file(parcel, "ZPL", order_no)
    host, port = settings.printer_host, settings.printer_port
    _leave_transaction()
    try:
        send_zpl(zpl, host, port, timeout=float(current_app.config.get("PRINTER_TIMEOUT", 5.0)))
    except PrinterUnavailable as exc:
        raise PrinterDown(exc.message) from exc
    return f"{host}:{port}"
