"""Put-away of units left on the dock or in a tote: scan the unit, go to the bin, scan it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from wms.base.codes import command_of
from wms.base.errors import InvalidInput, WrongLocation
from wms.base.i18n import N_, Text, _, n_
from wms.core.ledger import Reason, move_stock
from wms.core.models import StagedUnits
from wms.core.recognise import recognise
from wms.extensions import db
from wms.inventory import queries as inventory
from wms.inventory.models import Location, LocationKind, Product
from wms.inventory.queries import units_of_product_in
from wms.receiving.models import Destination, DockUnit, DockUnitStatus, ReceivingSession
from wms.receiving.queries import pending_unit
from wms.receiving.services.dock import move_to_destination
from wms.receiving.services.receive import current_session, peek_session
from wms.receiving.services.routing import suggest_bin

# Why another bin than the one suggested: kept as written, shown with ``_()``.
OVERRIDE_REASONS = (N_("Bin full"), N_("Bin damaged"), N_("Closer bin"), N_("Other"))
# Where units no order holds may wait to be put away.
PUTAWAY_SOURCES = (LocationKind.TOTE, LocationKind.STAGING_LANE, LocationKind.HOLD_LANE)


@dataclass
class PutawayState:
    product: Product | None
    qty: int
    source: str  # "dock" or the tote's code
    to: Location | None

    @property
    def active(self) -> bool:
        return self.to is not None


@dataclass
class PutawayAnswer:
    kind: str  # task | done | info | wrong
    message: Text | str
    state: PutawayState
    wrong: str = ""


def current(user_id: int) -> PutawayState:
    """What the put-away screen shows; reads only."""
    return _state(peek_session(user_id))


def _state(session: ReceivingSession) -> PutawayState:
    product = (
        db.session.get(Product, session.putaway_product_id) if session.putaway_product_id else None
    )
    to = db.session.get(Location, session.putaway_to_id) if session.putaway_to_id else None
    source = "dock"
    if session.putaway_from_id and not session.putaway_unit_id:
        tote = db.session.get(Location, session.putaway_from_id)
        source = tote.code if tote else "dock"
    return PutawayState(product, session.putaway_qty or 0, source, to)


def handle_scan(user_id: int, code: str) -> PutawayAnswer:
    code = code.strip()
    if not code:
        raise InvalidInput(_("Scan a unit, a tote or a bin."))
    session = current_session(user_id)
    confirming = session.confirming
    if confirming is not None:
        session.confirming = None  # any scan answers the question
    if command_of(code) == "UNDO" or command_of(code) == "SKIP":
        _clear(session)
        return PutawayAnswer("info", _("Put-away cancelled. Scan a unit."), _state(session))
    location = inventory.find_location(code)
    if location is not None:
        return _scanned_location(user_id, session, location, confirming)
    found = inventory.find_product(code)
    if found is None:
        seen = recognise(code)
        if seen.known:
            raise seen.refusal(_("scan a unit, a tote or lane, or the bin you put it in"))
        raise InvalidInput(_("No product, tote or bin has the code %(code)s.", code=code))
    return _scanned_product(session, found.product)


def _scanned_location(
    user_id: int, session: ReceivingSession, location: Location, confirming: str | None = None
) -> PutawayAnswer:
    if session.putaway_to_id is None:
        if location.kind in PUTAWAY_SOURCES:
            _clear(session)
            session.putaway_from_id = location.id
            return PutawayAnswer(
                "info", _("%(code)s: scan a unit from it.", code=location.code), _state(session)
            )
        raise InvalidInput(_("That is %(code)s. Scan a unit first.", code=location.code))
    if location.id != session.putaway_to_id:
        target = db.session.get(Location, session.putaway_to_id)
        if location.kind != LocationKind.BIN:
            raise WrongLocation(
                expected=f"BIN {target.code}",
                scanned=location.code,
                message=_(
                    "That is %(scanned)s — take it to %(expected)s.",
                    scanned=location.code,
                    expected=_("BIN %(code)s", code=target.code),
                ),
            )
        key = f"bin:{location.id}"
        if confirming == key and location.active:
            # Scanned again: the receiver means it (the reason buttons say more).
            return _put(user_id, session, location, "Other")
        session.confirming = key
        return PutawayAnswer(
            "wrong",
            _(
                "That is %(scanned)s — take it to %(expected)s.",
                scanned=location.code,
                expected=_("BIN %(code)s", code=target.code),
            ),
            _state(session),
            wrong=location.code,
        )
    return _put(user_id, session, location, "")


def override(user_id: int, code: str, reason: str) -> PutawayAnswer:
    """Put the units in another bin than suggested, saying why."""
    session = current_session(user_id)
    if session.putaway_to_id is None:
        raise InvalidInput(_("Scan a unit first."))
    if reason not in OVERRIDE_REASONS:
        raise InvalidInput(_("Choose why this bin is used instead."))
    location = inventory.require_location(code)
    if location.kind != LocationKind.BIN or not location.active:
        raise InvalidInput(_("%(code)s is not a bin in use.", code=location.code))
    return _put(user_id, session, location, reason)


def _put(user_id: int, session: ReceivingSession, location: Location, reason: str) -> PutawayAnswer:
    qty = session.putaway_qty or 0
    if session.putaway_unit_id:
        unit = pending_unit(session.putaway_unit_id)
        if unit is None:
            _clear(session)
            raise InvalidInput(_("Someone already put those units away. Scan the next unit."))
        move_to_destination(user_id, unit, location, override_reason=reason)
    else:
        tote = db.session.get(Location, session.putaway_from_id)
        move_stock(
            session.putaway_product_id,
            qty,
            tote,
            location,
            Reason.PUTAWAY,
            f"putaway {tote.code}" + (f": {reason}" if reason else ""),
            user_id,
        )
    _clear(session)
    return PutawayAnswer(
        "done",
        n_(
            "%(num)s unit put in %(code)s.",
            "%(num)s units put in %(code)s.",
            qty,
            code=location.code,
        ),
        _state(session),
    )


def _scanned_product(session: ReceivingSession, product: Product) -> PutawayAnswer:
    tote_id = session.putaway_from_id if not session.putaway_unit_id else None
    if tote_id:
        qty = _free_in_location(product.id, tote_id)
        if qty <= 0:
            raise InvalidInput(
                _("There is no %(sku)s waiting there to be put away.", sku=product.sku)
            )
        bin_, holds = suggest_bin(product.id, qty)
        session.putaway_unit_id = None
        session.putaway_product_id = product.id
        session.putaway_qty = qty
        session.putaway_to_id = bin_.id
        return PutawayAnswer("task", _go_to(bin_.code, holds), _state(session))
    unit = db.session.scalar(
        select(DockUnit)
        .where(
            DockUnit.product_id == product.id,
            DockUnit.status == DockUnitStatus.ON_DOCK,
            DockUnit.destination == Destination.PUTAWAY,
        )
        .order_by(DockUnit.id)
        .limit(1)
    )
    if unit is None:
        raise InvalidInput(
            _(
                "No %(sku)s is waiting on the dock. If it is in a tote or lane, scan that first.",
                sku=product.sku,
            )
        )
    holds = units_of_product_in(product.id, unit.to_location_id)
    session.putaway_unit_id = unit.id
    session.putaway_product_id = product.id
    session.putaway_from_id = unit.dock_location_id
    session.putaway_qty = unit.qty
    session.putaway_to_id = unit.to_location_id
    return PutawayAnswer("task", _go_to(unit.to_location.code, holds), _state(session))


def _go_to(code: str, holds: int) -> Text:
    return _("Go to BIN %(code)s (holds %(holds)s)", code=code, holds=holds)


def _free_in_location(product_id: int, location_id: int) -> int:
    """Units of a product in a place that no order has set aside there."""
    on_hand = units_of_product_in(product_id, location_id)
    staged = db.session.scalar(
        select(func.coalesce(func.sum(StagedUnits.qty), 0)).where(
            StagedUnits.product_id == product_id, StagedUnits.location_id == location_id
        )
    )
    return int(on_hand or 0) - int(staged or 0)


def _clear(session: ReceivingSession) -> None:
    session.putaway_unit_id = None
    session.putaway_product_id = None
    session.putaway_from_id = None
    session.putaway_to_id = None
    session.putaway_qty = None
