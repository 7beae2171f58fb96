"""Adjustments by a supervisor (found, lost, damaged, scrapped) and what they were worth."""

from __future__ import annotations

from dataclasses import dataclass

from wms.auth import audit
from wms.base.errors import Conflict, InvalidInput
from wms.base.i18n import _
from wms.core.ledger import Reason
from wms.extensions import db
from wms.inventory.models import Location, LocationKind
from wms.inventory.queries import first_active_location, require_location, require_product
from wms.stockcontrol.models import Adjustment, AdjustmentKind
from wms.stockcontrol.services.losses import put_in, take_out

MAX_QTY = 1_000_000


@dataclass(frozen=True)
class AdjustmentRequest:
    kind: str
    location_code: str
    product_code: str
    qty: int
    reason: str
    quarantine_code: str = ""


def adjust_stock(req: AdjustmentRequest, user_id: int | None) -> Adjustment:
    """Write one adjustment: its ledger movement, its row with the value, and the audit."""
    if req.kind not in {
        AdjustmentKind.FOUND,
        AdjustmentKind.LOST,
        AdjustmentKind.DAMAGED,
        AdjustmentKind.SCRAPPED,
    }:
        raise InvalidInput(_("Choose found, lost, damaged or scrapped."))
    if not 0 < req.qty <= MAX_QTY:
        raise InvalidInput(_("The quantity must be a whole number of at least 1."))
    reason = req.reason.strip()
    if len(reason) < 3:
        raise InvalidInput(_("Say why, in a few words: the reason is kept with the adjustment."))
    location = require_location(req.location_code)
    product = require_product(req.product_code).product
    to_location = None
    if req.kind == AdjustmentKind.DAMAGED:
        to_location = _quarantine(req.quarantine_code)
        if to_location.id == location.id:
            raise Conflict(
                _(
                    "%(location)s is the quarantine already; scrap the units instead.",
                    location=location.code,
                )
            )
    elif req.kind == AdjustmentKind.FOUND and not location.active:
        raise Conflict(
            _(
                "%(location)s is inactive; put found units in an active location.",
                location=location.code,
            )
        )
    adjustment = Adjustment(
        kind=req.kind,
        product_id=product.id,
        location_id=location.id,
        to_location_id=to_location.id if to_location else None,
        qty=req.qty,
        qty_change={"found": req.qty, "damaged": 0}.get(req.kind, -req.qty),
        unit_cost_cents=product.unit_cost_cents,
        reason=reason[:500],
        user_id=user_id,
    )
    db.session.add(adjustment)
    db.session.flush()
    ledger_reason = {
        AdjustmentKind.FOUND: Reason.ADJUST,
        AdjustmentKind.LOST: Reason.ADJUST,
        AdjustmentKind.DAMAGED: Reason.QUARANTINE,
        AdjustmentKind.SCRAPPED: Reason.SCRAP,
    }[AdjustmentKind(req.kind)]
    if req.kind == AdjustmentKind.FOUND:
        put_in(product.id, req.qty, location, ledger_reason, adjustment.reference, user_id)
    else:
        adjustment.qty_requeued = take_out(
            product.id, req.qty, location, to_location, ledger_reason, adjustment.reference, user_id
        )
    audit.record(
        user_id,
        f"adjustment.{req.kind}",
        "product",
        product.id,
        qty=req.qty,
        location=location.code,
        reason=reason[:200],
        adjustment=adjustment.id,
    )
    return adjustment


def _quarantine(code: str) -> Location:
    if code.strip():
        location = require_location(code)
        if location.kind != LocationKind.QUARANTINE:
            raise Conflict(_("%(location)s is not a quarantine location.", location=location.code))
        return location
    first = first_active_location(LocationKind.QUARANTINE)
    if first is None:
        raise Conflict(
            _("There is no quarantine location to put damaged units in; an admin can add one.")
        )
    return first


# --------------------------------------------------------------------- report
