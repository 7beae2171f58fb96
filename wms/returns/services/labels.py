"""Return labels through the carrier interface: Shippo when configured, else the built-in carrier.

A label is bought once per RMA. The attempt is recorded and committed
before the carrier is called, with a key of the RMA's own; a second attempt
(a retry, a double click, a channel sending the same request) waits for the
first, and the adapters look for a label bought with that key before buying
("look before you buy"). When the carrier did not say whether it sold the
label, no purchase is made again: later attempts only look for that label,
until the carrier shows it or a supervisor releases the RMA after the same
waiting period as parcels (``wms.shipping.services.purchases``). The built-in carrier
draws the same label for the same key, so it may simply be asked again.
The carrier is called with no database transaction open.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import Conflict, InvalidInput, LabelInProgress, ReturnClosed
from wms.base.i18n import Text, _, n_, text
from wms.base.money import to_minor
from wms.carriers import (
    LABEL_FORMATS,
    Address,
    Carrier,
    CarrierError,
    CarrierUnavailable,
    Label,
    Parcel,
)
from wms.carriers.builtin import BuiltinCarrier
from wms.channels import outbox
from wms.config import setting
from wms.database import Commit
from wms.extensions import db
from wms.inventory.models import Product
from wms.returns.models import LabelStatus, ReturnAuthorisation
from wms.returns.schemas import event_of
from wms.shipping.services.labels import warehouse_address, warehouse_currency
from wms.shipping.services.purchases import release_after

rma_t = ReturnAuthorisation.__table__
# An attempt older than this is taken to have died with its worker; a new one may start.
STALE_ATTEMPT = timedelta(minutes=2)
# Built-in tracking numbers for returns come from this serial range, clear of outbound parcels.
BUILTIN_SERIAL_BASE = 5_000_000_000

# Where returns are sent unless the site configures RETURN_ADDRESS (a dict of Address fields).
DEFAULT_RETURN_ADDRESS = {
    "name": "Returns department",
    "company": "WMS warehouse",
    "street1": "100 Depot Road",
    "city": "Springfield",
    "state": "IL",
    "zip": "62701",
    "country": "US",
}


@dataclass(frozen=True)
class LabelJob:
    """Everything the carrier needs, read before the transaction ends."""

    rma_id: int
    key: str
    number: str
    order_number: str
    customer: Address
    warehouse: Address
    parcel: Parcel
    label_format: str
    look_only: bool = False  # an earlier purchase may have happened: find it, buy nothing


def carrier_for_app() -> Carrier:
    if setting("SHIPPO_API_KEY"):
        from wms.carriers.shippo_adapter import ShippoCarrier

        return ShippoCarrier(
            setting("SHIPPO_API_KEY"),
            setting("SHIPPO_API_URL"),
            timeout=float(setting("SHIPPO_TIMEOUT", 10.0)),
            currency=warehouse_currency(),
        )
    return BuiltinCarrier(serial_for=builtin_serial, currency=warehouse_currency())


def _repeatable() -> bool:
    """The built-in carrier draws the same label for the same key: asking again is safe."""
    return not setting("SHIPPO_API_KEY")


def _unknown(rma: ReturnAuthorisation, now: datetime) -> bool:
    if rma.label_status == LabelStatus.UNCERTAIN:
        return True
    return rma.label_status == LabelStatus.BUYING and (
        rma.label_attempt_at is None or rma.label_attempt_at < now - STALE_ATTEMPT
    )


def builtin_serial(key: str) -> int | None:
    # "return-R-10001" -> a serial of its own, so no two returns share a tracking number.
    digits = key.rsplit("-", 1)[-1]
    return BUILTIN_SERIAL_BASE + int(digits) if digits.isdigit() else None


def issue_return_label(
    rma_id: int, label_format: str, commit_early: Commit, user_id: int | None
) -> ReturnAuthorisation:
    """Record the attempt, commit it, buy (or find) the label, record it.

    The attempt is committed before the carrier is called: it must be durable
    before money is spent, and the call must not hold the database's locks.
    """
    job = claim_label(rma_id, label_format)
    commit_early()
    if job is not None:
        outcome = purchase(job)
        record_label(rma_id, outcome, user_id)
    rma = db.session.get(ReturnAuthorisation, rma_id)
    assert rma is not None
    return rma


def claim_label(rma_id: int, label_format: str) -> LabelJob | None:
    """Take the RMA's label attempt; None when its label is already bought."""
    if label_format not in LABEL_FORMATS:
        raise InvalidInput(_("A label is %(formats)s.", formats=" / ".join(LABEL_FORMATS)))
    rma = db.session.get(ReturnAuthorisation, rma_id)
    if rma is None:
        raise InvalidInput(_("There is no such return."))
    if rma.has_label:
        return None
    if rma.is_closed:
        raise ReturnClosed(
            _(
                "%(rma)s is %(status)s; it needs no label.",
                rma=rma.number,
                status=_(rma.status_label),
            )
        )
    key = f"return-{rma.number}"
    look_only = not _repeatable() and _unknown(rma, utcnow())
    if look_only:
        key = rma.label_key or key
    elif not _take_attempt(rma, key, label_format):
        db.session.refresh(rma)
        if rma.label_status == LabelStatus.BOUGHT:
            return None  # bought by the attempt we waited for
        raise LabelInProgress(
            _("The label for %(rma)s is being bought; wait a moment.", rma=rma.number)
        )
    return LabelJob(
        rma_id=rma.id,
        key=key,
        number=rma.number,
        order_number=rma.order.number,
        customer=customer_address(rma.order.ship_to, rma.order.customer_email),
        warehouse=return_address(),
        parcel=parcel_for(rma),
        label_format=label_format,
        look_only=look_only,
    )


def _take_attempt(rma: ReturnAuthorisation, key: str, label_format: str) -> bool:
    """The attempt is ours unless another one is under way (and not stale)."""
    now = utcnow()
    claimable = rma_t.c.label_status.in_(
        [LabelStatus.NONE, LabelStatus.FAILED, LabelStatus.RELEASED]
    )
    if _repeatable():
        claimable = or_(
            claimable,
            rma_t.c.label_status == LabelStatus.UNCERTAIN,
            (rma_t.c.label_status == LabelStatus.BUYING)
            & (rma_t.c.label_attempt_at < now - STALE_ATTEMPT),
        )
    claimed = db.session.execute(
        update(rma_t)
        .where(rma_t.c.id == rma.id)
        .where(claimable)
        .values(
            label_status=LabelStatus.BUYING,
            label_key=key,
            label_attempt_at=now,
            label_format=label_format,
            label_error="",
        )
    )
    return claimed.rowcount == 1


def purchase(job: LabelJob) -> Label | CarrierError | None:
    """The carrier call, outside any transaction; a failure comes back as the error.

    None: only looking (``look_only``), and the carrier shows no label yet.
    """
    carrier = carrier_for_app()
    try:
        if job.look_only:
            return carrier.find_label(job.key)
        return carrier.return_label(
            job.customer,
            job.warehouse,
            job.parcel,
            job.label_format,
            job.key,
            order_number=job.order_number,
        )
    except CarrierError as exc:
        return exc
    except ValueError as exc:  # an address or format the adapter refuses outright
        return CarrierError(str(exc))
    finally:
        close = getattr(carrier, "close", None)
        if close is not None:
            close()


def record_label(rma_id: int, outcome: Label | CarrierError | None, user_id: int | None) -> None:
    rma = db.session.get(ReturnAuthorisation, rma_id)
    assert rma is not None
    if outcome is None or (isinstance(outcome, CarrierUnavailable) and outcome.purchase_uncertain):
        _mark_uncertain(rma)
        return
    if isinstance(outcome, CarrierError):
        if rma.label_status == LabelStatus.BUYING:
            rma.label_status = LabelStatus.FAILED
        rma.label_error = text(outcome.message)[:300]  # as the supervisor who met it read it
        audit.record(
            user_id, "return.label_failed", "return", rma.number, error=text(outcome.message)[:200]
        )
        return
    if rma.label_status == LabelStatus.BOUGHT:
        return
    rma.label_status = LabelStatus.BOUGHT
    rma.carrier = outcome.carrier[:40]
    rma.tracking_number = outcome.tracking_number[:64]
    rma.tracking_url = outcome.tracking_url[:300]
    rma.label_format = outcome.label_format
    rma.label_bytes = outcome.label_bytes
    rma.label_amount_minor = (
        to_minor(outcome.amount, outcome.currency)
        if outcome.amount is not None and outcome.currency
        else None
    )
    rma.label_currency = outcome.currency[:3] if rma.label_amount_minor is not None else ""
    rma.label_error = ""
    outbox.emit(
        "return.label_created",
        rma.channel_id,
        f"return:{rma.id}",
        event_of(
            rma,
            carrier=outcome.carrier,
            tracking_number=outcome.tracking_number,
            tracking_url=outcome.tracking_url,
        ),
    )
    audit.record(
        user_id, "return.label_bought", "return", rma.number, tracking=outcome.tracking_number
    )


def unconfirmed_sentence(rma: ReturnAuthorisation, now: datetime | None = None) -> Text:
    now = now or utcnow()
    due = (rma.label_attempt_at or now) + release_after()
    if due <= now:
        return _(
            "The carrier has not confirmed the return label of %(rma)s yet, so no other is "
            "bought: try again in a minute to look for it (it can be released now if the "
            "carrier never shows it).",
            rma=rma.number,
        )
    minutes = max(1, -(-int((due - now).total_seconds()) // 60))
    return n_(
        "The carrier has not confirmed the return label of %(rma)s yet, so no other is "
        "bought: try again in a minute to look for it (it can be released in %(num)s min if "
        "the carrier never shows it).",
        "The carrier has not confirmed the return label of %(rma)s yet, so no other is "
        "bought: try again in a minute to look for it (it can be released in %(num)s min if "
        "the carrier never shows it).",
        minutes,
        rma=rma.number,
    )


def _mark_uncertain(rma: ReturnAuthorisation) -> None:
    if rma.label_status in (LabelStatus.BUYING, LabelStatus.UNCERTAIN):
        rma.label_status = LabelStatus.UNCERTAIN
        rma.label_error = text(unconfirmed_sentence(rma))[:300]


def release_return_label(rma_id: int, commit_early: Commit, user_id: int | None) -> Text:
    """A supervisor lets an unconfirmed return label be bought again, after one last look."""
    rma = db.session.get(ReturnAuthorisation, rma_id)
    if rma is None:
        raise InvalidInput(_("There is no such return."))
    now = utcnow()
    if not _unknown(rma, now):
        raise Conflict(
            _("The return label of %(rma)s is not waiting for the carrier.", rma=rma.number)
        )
    if (rma.label_attempt_at or now) + release_after() > now:
        raise Conflict(unconfirmed_sentence(rma, now)).with_code("release_too_early")
    job = claim_label(rma_id, rma.label_format or "PDF_4x6")
    commit_early()
    outcome = purchase(job) if job is not None else None
    if isinstance(outcome, Label):
        record_label(rma_id, outcome, user_id)
        return _(
            "The carrier has the return label of %(rma)s after all: it is on record now.",
            rma=rma.number,
        )
    released = db.session.execute(
        update(rma_t)
        .where(
            rma_t.c.id == rma_id,
            rma_t.c.label_status.in_([LabelStatus.UNCERTAIN, LabelStatus.BUYING]),
            rma_t.c.label_attempt_at <= now - release_after(),
        )
        .values(label_status=LabelStatus.RELEASED, label_error="")
    )
    if released.rowcount != 1:
        raise Conflict(
            _("The return label of %(rma)s changed meanwhile; look at it again.", rma=rma.number)
        )
    audit.record(user_id, "return.label_released", "return", rma.number)
    return _("%(rma)s may buy its return label again.", rma=rma.number)


def customer_address(ship_to: dict[str, Any], email: str) -> Address:
    """Where the customer sends the return from: the order's ship-to address."""
    return Address.of(ship_to, email=email)


def return_address() -> Address:
    """Where return parcels go: the site's RETURN_ADDRESS, else the warehouse's own
    address (the one outbound labels carry), to the returns department."""
    site = setting("RETURN_ADDRESS")
    if site:
        fields = {**DEFAULT_RETURN_ADDRESS, **site}
        return Address(**{k: str(v) for k, v in fields.items()})
    return replace(warehouse_address(), name="Returns department")


def parcel_for(rma: ReturnAuthorisation) -> Parcel:
    """A box for the authorised units: their weight, the largest of their sizes."""
    weight = length = width = height = 0
    for line in rma.lines:
        product: Product = line.product
        weight += product.weight_g * line.qty_authorised
        length = max(length, product.length_mm)
        width = max(width, product.width_mm)
        height = max(height, product.height_mm)
    return Parcel(
        length_mm=length or 300,
        width_mm=width or 200,
        height_mm=height or 100,
        weight_g=max(weight, 100),
    )
