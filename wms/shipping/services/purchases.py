"""The parcel's label purchase record: every change is one guarded UPDATE.

States (``LabelState``): NONE -> BUYING (a request claimed the purchase and is
asking the carrier) -> BOUGHT, FAILED (the carrier refused: nothing was bought)
or UNCERTAIN (the carrier did not say: a label may have been bought).

A purchase whose outcome is unknown is never followed by another one on its
own: the app only looks for the carrier's record of it (by the parcel's key,
sent as the transaction's metadata, and by rate) until it is found, or until a
supervisor releases the parcel, which is allowed once ``release_after()`` has
passed since the attempt (15 minutes unless ``LABEL_RELEASE_MINUTES`` says
otherwise: long enough for a slow carrier to list what it sold, short enough
for a parcel set aside to leave the same day). The release is recorded in the
audit log with who did it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import Conflict
from wms.base.i18n import Text, _, text
from wms.base.money import to_minor
from wms.carriers import Label
from wms.config import setting
from wms.database import Commit
from wms.extensions import db
from wms.i18n import format_datetime
from wms.shipping.models import LabelState, Parcel, ParcelStatus

# A purchase under way holds the parcel this long; after that the request is
# taken to have died, and its purchase counts as one whose outcome is unknown.
PURCHASE_CLAIM = timedelta(minutes=2)
DEFAULT_RELEASE_MINUTES = 15

# A new purchase may start from these; UNCERTAIN only for carriers whose purchase
# with the same key gives the same label again (the built-in carrier).
CLAIMABLE = (LabelState.NONE, LabelState.FAILED, LabelState.RELEASED)


class LabelUnconfirmed(Conflict):
    """A label may have been bought and the carrier has not shown it yet."""

    code = "label_unconfirmed"


def release_after() -> timedelta:
    return timedelta(minutes=float(setting("LABEL_RELEASE_MINUTES", 15)))


def unknown(parcel: Parcel, now: datetime | None = None) -> bool:
    """True when a purchase for the parcel may have happened and is not on record."""
    now = now or utcnow()
    if parcel.label_state == LabelState.UNCERTAIN:
        return True
    return parcel.label_state == LabelState.BUYING and (
        parcel.label_claimed_until is None or parcel.label_claimed_until < now
    )


def releasable_at(parcel: Parcel) -> datetime:
    return (parcel.label_attempted_at or utcnow()) + release_after()


def unconfirmed_sentence(parcel: Parcel, number: str, now: datetime | None = None) -> Text:
    """What the packer reads while the carrier's record of a purchase is awaited."""
    now = now or utcnow()
    left = releasable_at(parcel) - now
    if left <= timedelta(0):
        return _(
            "The carrier has not confirmed the label for %(order)s yet, so no other label will "
            "be bought: set the parcel aside and scan DONE in a minute to look for it again "
            "(a supervisor can now release it under Unconfirmed labels).",
            order=number,
        )
    minutes = max(1, -(-int(left.total_seconds()) // 60))
    return _(
        "The carrier has not confirmed the label for %(order)s yet, so no other label will "
        "be bought: set the parcel aside and scan DONE in a minute to look for it again "
        "(a supervisor can release it in %(minutes)s min if the carrier never shows it).",
        order=number,
        minutes=minutes,
    )


def claim(parcel_id: int, rate_id: str, order_no: str, *, repeatable: bool) -> None:
    """Take the purchase for this request, or refuse: one UPDATE on the state it expects.

    ``repeatable``: the carrier gives the same label for the same key, so a purchase
    whose outcome is unknown may simply be made again.
    """
    now = utcnow()
    states = [*CLAIMABLE, LabelState.UNCERTAIN] if repeatable else list(CLAIMABLE)
    claimable = Parcel.label_state.in_(states)
    if repeatable:
        claimable = or_(
            claimable,
            (Parcel.label_state == LabelState.BUYING) & (Parcel.label_claimed_until < now),
        )
    claimed = db.session.execute(
        update(Parcel)
        .where(Parcel.id == parcel_id, claimable)
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
            _(
                "The label for %(order)s is being bought right now; wait a moment, then scan "
                "%(order)s to see it.",
                order=order_no,
            )
        ).with_code("purchase_in_progress")


def mark_unknown(parcel_id: int) -> None:
    """A purchase whose request died (its claim ran out) is one whose outcome is unknown."""
    db.session.execute(
        update(Parcel)
        .where(
            Parcel.id == parcel_id,
            Parcel.label_state == LabelState.BUYING,
            Parcel.label_claimed_until < utcnow(),
        )
        .values(label_state=LabelState.UNCERTAIN, label_claimed_until=None)
        .execution_options(synchronize_session=False)
    )


def record_failure(
    parcel_id: int,
    state: str,
    message: Text | str,
    commit_early: Commit,
    forget_rates: bool = False,
) -> None:
    """Keep what the attempt learnt, committed: the error answer rolls back, this must not."""
    values: dict[str, Any] = {
        "label_state": state,
        # Kept as read by the packer who met it, in their language.
        "label_error": text(message)[:300],
        "label_claimed_until": None,
    }
    if forget_rates:
        values.update(rates=[], rate_id="")
    db.session.execute(
        update(Parcel)
        .where(Parcel.id == parcel_id, Parcel.label_state == LabelState.BUYING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    commit_early()


def label_amount_minor(label: Label) -> int | None:
    """What the label cost in minor units of its currency; None when the carrier did not say."""
    if label.amount is None or not label.currency:
        return None
    try:
        return to_minor(label.amount, label.currency)
    except (KeyError, ValueError):  # a currency code Babel does not know
        return None


def record_label(parcel_id: int, label: Label) -> None:
    """A label bought or found is put on record, unless one already is."""
    now = utcnow()
    db.session.execute(
        update(Parcel)
        .where(Parcel.id == parcel_id, Parcel.label_state != LabelState.BOUGHT)
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
            label_amount_minor=label_amount_minor(label),
            label_currency=label.currency[:3] if label_amount_minor(label) is not None else "",
            labelled_at=now,
            touched_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def release(
    parcel: Parcel, number: str, *, dry_run: bool = False, user_id: int | None = None
) -> None:
    """A supervisor lets the parcel buy a label again, once the waiting period is over.

    ``dry_run`` only says whether it may be released now (raising if not).
    """
    now = utcnow()
    if not unknown(parcel, now):
        raise Conflict(_("The label of %(order)s is not waiting for the carrier.", order=number))
    if now < releasable_at(parcel):
        minutes = max(1, -(-int((releasable_at(parcel) - now).total_seconds()) // 60))
        raise Conflict(
            _(
                "The carrier may still show the label bought for %(order)s: release it in "
                "%(minutes)s min.",
                order=number,
                minutes=minutes,
            )
        ).with_code("release_too_early")
    if dry_run:
        return
    released = db.session.execute(
        update(Parcel)
        .where(
            Parcel.id == parcel.id,
            or_(
                Parcel.label_state == LabelState.UNCERTAIN,
                (Parcel.label_state == LabelState.BUYING) & (Parcel.label_claimed_until < now),
            ),
            Parcel.label_attempted_at <= now - release_after(),
        )
        .values(
            label_state=LabelState.RELEASED,
            label_claimed_until=None,
            label_error=text(
                _(
                    "Released at %(moment)s without the carrier's record.",
                    moment=format_datetime(now),
                )
            ),
        )
        .execution_options(synchronize_session=False)
    )
    if released.rowcount != 1:
        raise Conflict(
            _("The label of %(order)s changed meanwhile; look at it again.", order=number)
        )
    audit.record(
        user_id,
        "parcel.label_released",
        "parcel",
        parcel.id,
        order=number,
        attempted_at=parcel.label_attempted_at.isoformat() if parcel.label_attempted_at else None,
    )
