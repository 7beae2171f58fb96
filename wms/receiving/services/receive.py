"""The receive screen's actions: start on an inbound, scan units, confirm where they went,
undo, close."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, inspect, select, update
from sqlalchemy.orm import Session, joinedload

from wms.base.clock import local_date, today, utcnow
from wms.base.codes import command_of
from wms.base.errors import Conflict, InvalidInput, UnknownCode, WrongLocation
from wms.base.i18n import N_, Text, _, as_written, n_
from wms.base.numbers import order_number
from wms.core import backorders, stock
from wms.core.ledger import Reason, move_stock
from wms.core.models import (
    OPEN_STATUSES,
    Inbound,
    InboundKind,
    InboundLine,
    InboundStatus,
)
from wms.core.recognise import Recognised, recognise
from wms.database import for_update, is_postgres, prebuilt
from wms.extensions import db
from wms.inventory import queries as inventory
from wms.inventory.models import Location, LocationKind, Product
from wms.inventory.queries import first_active_location
from wms.receiving.models import Destination, DockUnit, DockUnitStatus, ReceivingSession
from wms.receiving.queries import Panels, PendingUnit, order_progress, panels, pending_units
from wms.receiving.services.dock import move_to_destination
from wms.receiving.services.routing import Routed, Routing, route
from wms.receiving.services.undo import undo_last_scan

QTY_MAX = 9999


@dataclass(frozen=True)
class Card:
    """One destination of a scan, as the receiver's card shows it."""

    destination: Destination
    where: Text | str  # "LANE L1"; the quarantine's code alone, as the title says quarantine
    qty: int
    reason: Text | str = ""
    order: str | None = None  # the order's number, when the units are an order's
    progress: tuple[int, int] | None = None  # (units set aside for it, units it ships)
    holds: int | None = None  # units already in the bin, when the units go to a shelf


def cards(routes: list[Routed], progress: dict[int, tuple[int, int]] | None = None) -> list[Card]:
    """The cards the receiver sees, one per destination (``progress`` as ``Answer`` has it)."""
    shown = []
    for r in routes:
        destination = Destination(r.destination)
        order, known = None, None
        if r.order_id is not None:
            order = order_number(r.order_id)
            known = (progress or {}).get(r.order_id) or order_progress(r.order_id)
        shown.append(
            Card(
                destination=destination,
                # The card's title already says quarantine: the place is its code alone.
                where=r.location_code
                if destination == Destination.QUARANTINE
                else destination.label(r.location_code),
                qty=r.qty,
                reason=r.reason,
                order=order,
                progress=known,
                holds=r.holds if destination == Destination.PUTAWAY else None,
            )
        )
    return shown


@dataclass
class Answer:
    """What the receive screen says after a scan."""

    kind: str  # routed | confirmed | info | undone | confirm | closed | left | switched
    message: Text | str = ""
    routes: list[Routed] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)  # the routes, as the receiver reads them
    product: Product | None = None
    qty: int = 0
    alarm: bool = False  # the receiver must notice: shown and sounded as an error
    # Per order the units went to: (units set aside for it, units it ships).
    progress: dict[int, tuple[int, int]] = field(default_factory=dict)
    # After a confirmation: the receiver's units still on the dock, already known.
    still_on_dock: list[PendingUnit] | None = None
    inbound_id: int | None = None  # the inbound received, or the one just closed
    changes_tally: bool = field(init=False)  # units were counted on the inbound, or taken off
    # What the screen shows beside the answer; None when the receiver goes to another screen.
    panels: Panels | None = None

    def __post_init__(self) -> None:
        self.changes_tally = self.kind in ("routed", "undone")


# ------------------------------------------------------------------ session


def current_session(user_id: int) -> ReceivingSession:
    """The receiver's session row, with its inbound and dock loaded in the same query.

    Like ``Session.get``, a row this request already holds is not read again.
    """
    session = db.session.identity_map.get(Session.identity_key(ReceivingSession, user_id))
    if session is None or inspect(session).expired:
        session = db.session.scalar(_session_row(), {"user_id": user_id})
    if session is None:
        session = ReceivingSession(user_id=user_id)
        db.session.add(session)
    return session


def peek_session(user_id: int) -> ReceivingSession:
    """The receiver's session, for showing only: a new receiver's is not written.

    A screen opened with GET must not write: on SQLite a write inside the read
    transaction fails as soon as another request writes. The row is made by
    the receiver's first action instead.
    """
    session = db.session.identity_map.get(Session.identity_key(ReceivingSession, user_id))
    if session is None or inspect(session).expired:
        session = db.session.scalar(_session_row(), {"user_id": user_id})
    return session if session is not None else ReceivingSession(user_id=user_id)


@prebuilt
def _session_row() -> Any:
    # Built once: Session.get with loader options works out their cache key on every call.
    return (
        select(ReceivingSession)
        .options(joinedload(ReceivingSession.inbound), joinedload(ReceivingSession.dock))
        .where(ReceivingSession.user_id == bindparam("user_id"))
    )


def find_by_reference(reference: str) -> Inbound | None:
    """The inbound a scanned ASN or PO number names, for the receiving dock.

    Two channels may announce the same number: the open one is meant; when
    several are open, the receiver picks the right one from the list.
    """
    found = db.session.scalars(
        select(Inbound).where(Inbound.reference == reference).order_by(Inbound.id)
    ).all()
    active = [i for i in found if i.is_open]
    if len(active) > 1:
        raise Conflict(
            _(
                "%(num)s open inbounds are numbered %(reference)s: choose yours from the list.",
                num=len(active),
                reference=reference,
            )
        ).with_code("ambiguous_inbound")
    return (active or found or [None])[-1]


def start_receiving(user_id: int, code: str) -> Inbound:
    """Begin (or resume) receiving an inbound by its ASN or PO number; BLIND starts a blind one."""
    code = code.strip()
    if not code:
        raise InvalidInput(_("Scan the ASN or PO number, or choose an inbound."))
    if command_of(code) == "BLIND":
        return _receive(user_id, _new_blind_inbound(user_id))
    found = find_by_reference(code)
    if found is None:
        seen = recognise(code)
        if seen.kind == "inbound":
            found = db.session.get(Inbound, seen.ref_id)
        elif seen.known:
            raise seen.refusal(_("scan the ASN or PO number, or BLIND"))
    if found is None:
        raise UnknownCode(code, "inbound")
    # Locked, so a close at the same moment comes before (refused here) or after.
    return _receive(user_id, stock.lock_open_inbound(found.id, missing=InvalidInput))


def _receive(user_id: int, inbound: Inbound) -> Inbound:
    """The receiver's session on ``inbound``, open and locked (or just made)."""
    session = current_session(user_id)
    session.inbound_id = inbound.id
    session.dock_location_id = session.dock_location_id or _dock().id
    session.damaged_next = False
    session.qty_next = None
    session.confirming = None
    if inbound.status == InboundStatus.OPEN:
        inbound.status = InboundStatus.RECEIVING
    return inbound


def start_inbound_by_id(user_id: int, inbound_id: int) -> Inbound:
    return _receive(user_id, stock.lock_open_inbound(inbound_id, missing=InvalidInput))


def _new_blind_inbound(user_id: int) -> Inbound:
    now = utcnow()
    count = db.session.scalar(
        select(func.count()).select_from(Inbound).where(Inbound.kind == InboundKind.BLIND)
    )
    inbound = Inbound(
        reference=f"BLIND-{now:%y%m%d}-{int(count or 0) + 1}-{user_id}",
        kind=InboundKind.BLIND,
        supplier="",
        expected_at=now,
        status=InboundStatus.RECEIVING,
    )
    db.session.add(inbound)
    db.session.flush()
    return inbound


def _dock() -> Location:
    dock = first_active_location(LocationKind.RECEIVING)
    if dock is None:
        raise Conflict(_("There is no receiving dock location. An admin must create one."))
    return dock


# --------------------------------------------------------------------- scan


# What the receive screen asks for, after a code of the wrong kind.
SCAN_HINT = N_("scan a unit, or DONE to finish")


# Answers after which the receiver goes to another screen: they draw no panels.
ELSEWHERE = ("closed", "left", "switched")


def scan(user_id: int, code: str, scan_group: str) -> Answer:
    """One scan on the receive screen, all it does: a command, a quantity, a unit (counted,
    put on the dock and routed) or the place units were taken to (confirmed); the answer
    holds all the screen redraws."""
    code = code.strip()
    command = command_of(code) if code else None
    resolved = inventory.location_or_barcode(code) if code and command is None else None
    # Putting units away (a place scanned, no question pending) writes no row a close
    # takes, and a close need not wait for it, nor for an empty scan (refused, writing
    # nothing): only other scans hold the inbound open.
    session = _session_for_scan(user_id, hold=bool(code) and not isinstance(resolved, Location))
    answer = _scan(user_id, session, Scanned(code, command, resolved), scan_group)
    if answer.inbound_id is None:
        answer.inbound_id = session.inbound_id
    if answer.kind not in ELSEWHERE:
        answer.panels = panels(
            answer.inbound_id, user_id, answer.changes_tally, answer.still_on_dock
        )
    return answer


@dataclass(frozen=True)
class Scanned:
    """What the receiver scanned: the code, and the command or the row it names."""

    code: str
    command: str | None
    resolved: Location | Product | None


def _session_for_scan(user_id: int, hold: bool) -> ReceivingSession:
    """The receiver's session, its inbound held open for this scan when ``hold``.

    On PostgreSQL the inbound's row is share-locked in the statement that reads the
    session, before anything is written: a close waits for the scans already under
    way (its report holds them), and a scan that waited for a close is told so and
    writes nothing. Taking it before any other write keeps the two from waiting on
    each other's rows. On SQLite writers already take turns for the whole
    transaction.
    """
    if not hold or not is_postgres():
        return current_session(user_id)
    row = db.session.execute(_session_row_held(), {"user_id": user_id}).one_or_none()
    if row is None:
        return current_session(user_id)
    session, status = row
    if session.inbound_id is not None:
        _still_open(session, status)
    return session


def _hold_inbound_open(session: ReceivingSession) -> None:
    """Hold the inbound open (see :func:`_session_for_scan`) once the session is read."""
    if not is_postgres():
        return
    _still_open(
        session, db.session.scalar(_inbound_status_held(), {"inbound_id": session.inbound_id})
    )


def _still_open(session: ReceivingSession, status: str | None) -> None:
    if status not in OPEN_STATUSES:
        inbound = session.inbound
        raise Conflict(
            _(
                "Inbound %(reference)s has just been closed. Scan the next ASN or PO number.",
                reference=inbound.reference if inbound is not None else "",
            )
        )


@prebuilt
def _session_row_held() -> Any:
    held = (
        select(Inbound.status)
        .where(Inbound.id == ReceivingSession.inbound_id)
        .with_for_update(read=True)
        .scalar_subquery()
    )
    return (
        select(ReceivingSession, held)
        .options(joinedload(ReceivingSession.inbound), joinedload(ReceivingSession.dock))
        .where(ReceivingSession.user_id == bindparam("user_id"))
    )


@prebuilt
def _inbound_status_held() -> Any:
    return (
        select(Inbound.status)
        .where(Inbound.id == bindparam("inbound_id"))
        .with_for_update(read=True)
    )


def _scan(user_id: int, session: ReceivingSession, scanned: Scanned, scan_group: str) -> Answer:
    code, command, resolved = scanned.code, scanned.command, scanned.resolved
    if not code:
        raise InvalidInput(_("Scan a unit, or the place you put it."))
    if session.inbound_id is None:
        raise InvalidInput(_("Scan the ASN or PO number first."))
    confirming = session.confirming
    if confirming is not None and isinstance(resolved, Location):
        _hold_inbound_open(session)  # clearing the question writes the row a close takes
    if confirming is not None:
        session.confirming = None  # any scan answers the question; cleared only when set
    if command is not None:
        return _command(user_id, session, command, confirming)
    if isinstance(resolved, Location):
        return confirm_destination(user_id, resolved)
    found = resolved
    if found is None:
        seen = recognise(code)
        if seen.kind == "inbound":
            return _other_inbound(user_id, session, seen, confirming)
        if seen.kind == "product":
            found = seen.product
        elif seen.known:
            raise seen.refusal(_(SCAN_HINT))
        elif code.isdigit() and 0 < len(code) <= 4:
            qty = int(code)
            if not 0 < qty <= QTY_MAX:
                raise InvalidInput(_("Type a quantity from 1 to 9999."))
            session.qty_next = qty
            return Answer("info", _("The next scan counts %(num)s units.", num=qty))
    return receive_units(user_id, session, code, found, scan_group)


def _command(
    user_id: int, session: ReceivingSession, command: str, confirming: str | None
) -> Answer:
    reference = _reference(session)
    if command == "DAMAGED":
        session.damaged_next = True
        return Answer("info", _("The next unit is damaged: it will go to quarantine."))
    if command == "UNDO":
        return Answer("undone", message=undo_last_scan(user_id))
    if command == "DONE":
        if confirming == "close":
            inbound = close_inbound(session.inbound_id, user_id)  # type: ignore[arg-type]
            return Answer("closed", inbound_id=inbound.id)
        return _ask(
            session,
            "close",
            _(
                "Close %(reference)s? What has not come will be reported short. "
                "Scan DONE again to close it, or anything else to carry on.",
                reference=reference,
            ),
        )
    if command == "NEW":
        if confirming == "new":
            session.inbound_id = None
            return Answer(
                "left",
                _("%(reference)s stays open. Scan the next ASN or PO number.", reference=reference),
            )
        return _ask(
            session,
            "new",
            _(
                "Leave %(reference)s for another inbound? It stays open. "
                "Scan NEW again to leave it.",
                reference=reference,
            ),
        )
    if command == "BLIND":
        if confirming == "blind":
            start_receiving(user_id, "BLIND")
            return Answer("switched")
        return _ask(
            session,
            "blind",
            _(
                "Leave %(reference)s and start a receipt without an ASN? "
                "Scan BLIND again to start it.",
                reference=reference,
            ),
        )
    raise InvalidInput(
        _("%(command)s does nothing here: %(hint)s.", command=command, hint=_(SCAN_HINT))
    )


def _other_inbound(
    user_id: int, session: ReceivingSession, seen: Recognised, confirming: str | None
) -> Answer:
    """Another ASN or PO scanned while receiving: scanned again, it becomes the one in hand."""
    if seen.ref_id == session.inbound_id:
        return Answer(
            "info",
            _(
                "You are receiving %(reference)s: %(hint)s.",
                reference=_reference(session),
                hint=_(SCAN_HINT),
            ),
        )
    inbound = db.session.get(Inbound, seen.ref_id)
    if inbound is None or not inbound.is_open:
        status = _(inbound.status_label) if inbound is not None else _("gone")
        raise Conflict(
            _(
                "That is %(what)s, which is %(status)s: %(hint)s.",
                what=seen.label,
                status=status,
                hint=_(SCAN_HINT),
            )
        )
    key = f"inbound:{inbound.id}"
    if confirming == key:
        start_receiving(user_id, inbound.reference)
        return Answer("switched")
    return _ask(
        session,
        key,
        _(
            "That is %(what)s. Scan it again to leave %(reference)s and receive it.",
            what=seen.label,
            reference=_reference(session),
        ),
    )


def _ask(session: ReceivingSession, key: str, question: Text) -> Answer:
    session.confirming = key
    return Answer("confirm", question)


def _reference(session: ReceivingSession) -> Text | str:
    inbound = session.inbound
    if inbound is None or inbound.id != session.inbound_id:
        inbound = db.session.get(Inbound, session.inbound_id)
    return inbound.reference if inbound is not None else _("this inbound")


def receive_units(
    user_id: int,
    session: ReceivingSession,
    code: str,
    found: inventory.ScannedProduct | None,
    scan_group: str,
) -> Answer:
    """Put the scanned units on the dock and decide, in the same transaction, where they go."""
    # The session names only an open inbound: closing one takes it off every session in
    # the same transaction, and ``scan`` held the inbound open before coming here.
    inbound = session.inbound
    if inbound is None or inbound.id != session.inbound_id:
        inbound = db.session.get(Inbound, session.inbound_id)
    if inbound is None:
        raise Conflict(_("This inbound is gone. Scan another ASN or PO number."))
    dock = session.dock
    if dock is None or dock.id != session.dock_location_id:
        dock = db.session.get(Location, session.dock_location_id) or _dock()
    multiplier = session.qty_next or 1
    damaged = session.damaged_next
    # Cleared only when set: an untouched row keeps each statement's autoflush a no-op.
    if session.qty_next is not None:
        session.qty_next = None
    if damaged:
        session.damaged_next = False
    if found is None:
        return _unknown_barcode(user_id, inbound, dock, code, multiplier, scan_group)
    product = found.product
    qty = found.units * multiplier
    over, counted = _count_on_inbound(inbound, product.id, qty, damaged)
    move_stock(product.id, qty, None, dock, Reason.RECEIVE, inbound.reference, user_id)
    routed = route(product, qty, dock.id, damaged=damaged, over=over, reference=inbound.reference)
    _record(user_id, inbound, dock, product.id, code, scan_group, routed.routes)
    if not _projections_unchanged(inbound, counted, routed, damaged):
        backorders.recompute_projections(product.id)
    return Answer(
        "routed",
        routes=routed.routes,
        cards=cards(routed.routes, routed.progress),
        product=product,
        qty=qty,
        progress=routed.progress,
    )


def _projections_unchanged(inbound: Inbound, counted: int, routed: Routing, damaged: bool) -> bool:
    """True when the scan cannot have moved any waiting line's projected fill date.

    No line waits for the product once the scan has served the whole queue (or
    found it empty): there is no projection to move. Otherwise projections walk
    the queue against the open inbounds, earliest first. The scan took
    ``counted`` units off what this inbound still brings and gave the units it
    served to the head of the queue. When the two are equal and this inbound is
    due today or earlier (so nothing is projected sooner than it), every
    remaining line faces the same supply ahead of it as before.
    """
    if routed.none_waiting:
        return True
    served = routed.served
    if damaged or counted != served:
        return False
    return counted == 0 or local_date(inbound.expected_at) <= today()


def _count_on_inbound(
    inbound: Inbound, product_id: int, qty: int, damaged: bool
) -> tuple[int, int]:
    """Add the units to the inbound's tally.

    Returns (units over what it expected, units taken off what it still brings).
    """
    lines = InboundLine.__table__
    row = db.session.execute(
        _count_units(),
        {
            "b_inbound_id": inbound.id,
            "b_product_id": product_id,
            "n": qty,
            "n_damaged": qty if damaged else 0,
        },
    ).first()
    if row is None:
        db.session.execute(
            insert(lines).values(
                inbound_id=inbound.id,
                product_id=product_id,
                qty_expected=0,
                qty_received=qty,
                qty_damaged=qty if damaged else 0,
            )
        )
        return (0 if inbound.kind == InboundKind.BLIND else qty), 0
    if inbound.kind == InboundKind.BLIND:
        return 0, 0
    expected, received = row
    over = min(qty, max(0, received - expected))
    return over, qty - over


@prebuilt
def _count_units() -> Any:
    lines = InboundLine.__table__
    return (
        update(lines)
        .where(
            lines.c.inbound_id == bindparam("b_inbound_id"),
            lines.c.product_id == bindparam("b_product_id"),
        )
        .values(
            qty_received=lines.c.qty_received + bindparam("n"),
            qty_damaged=lines.c.qty_damaged + bindparam("n_damaged"),
        )
        .returning(lines.c.qty_expected, lines.c.qty_received)
    )


def _unknown_barcode(
    user_id: int, inbound: Inbound, dock: Location, code: str, qty: int, scan_group: str
) -> Answer:
    routed = route(None, qty, dock.id)
    _record(user_id, inbound, dock, None, code, scan_group, routed.routes)
    return Answer(
        "routed",
        routes=routed.routes,
        cards=cards(routed.routes),
        qty=qty,
        alarm=True,
        message=_("No product has the barcode %(code)s.", code=code),
    )


def _record(
    user_id: int,
    inbound: Inbound,
    dock: Location,
    product_id: int | None,
    code: str,
    scan_group: str,
    routes: list[Routed],
) -> None:
    """The units on the dock, one row per destination, sharing the scan's group."""
    now = utcnow()
    rows = [
        {
            "scan_group": scan_group,
            "inbound_id": inbound.id,
            "product_id": product_id,
            "scanned_code": code[:80],
            "qty": r.qty,
            "destination": r.destination,
            "dock_location_id": dock.id,
            "to_location_id": r.location_id,
            "order_line_id": r.order_line_id,
            "held_qty": r.held,
            "reason": as_written(r.reason)[:200],
            "status": DockUnitStatus.ON_DOCK,
            "received_by": user_id,
            "received_at": now,
            "override_reason": "",
        }
        for r in routes
    ]
    db.session.execute(_insert_dock_units(), rows)


@prebuilt
def _insert_dock_units() -> Any:
    return insert(DockUnit.__table__)


def confirm_destination(user_id: int, location: Location) -> Answer:
    """The receiver scanned the place: every unit of theirs bound there is moved there."""
    pending = pending_units(user_id)
    if not pending:
        raise InvalidInput(_("That is %(code)s. Scan a unit first.", code=location.code))
    matching = [u for u in pending if u.to_location_id == location.id]
    if not matching:
        head = pending[0]
        raise WrongLocation(
            expected=as_written(head.label),
            scanned=location.code,
            message=_(
                "That is %(scanned)s — take it to %(expected)s.",
                scanned=location.code,
                expected=head.label,
            ),
        )
    for unit in matching:
        move_to_destination(user_id, unit, location)
    return Answer(
        "confirmed",
        message=n_(
            "%(num)s unit now at %(code)s.",
            "%(num)s units now at %(code)s.",
            sum(u.qty for u in matching),
            code=location.code,
        ),
        still_on_dock=[u for u in pending if u.to_location_id != location.id],
    )


def leave(user_id: int) -> None:
    """The receiver leaves the inbound open, for another to go on with."""
    current_session(user_id).inbound_id = None


def close_current(user_id: int) -> int | None:
    """Close the inbound the receiver is on; returns its id (None when on none)."""
    session = current_session(user_id)
    inbound_id = session.inbound_id
    if inbound_id is not None:
        close_inbound(inbound_id, user_id)
    return inbound_id


def close_inbound(inbound_id: int, user_id: int) -> Inbound:
    """Close: the tally becomes the discrepancy report; what never came stops being promised."""
    inbound = stock.lock_open_inbound(inbound_id, missing=InvalidInput, already=True)
    # Scans counting on it right now finish first, so the report holds them.
    db.session.execute(
        for_update(select(InboundLine.id).where(InboundLine.inbound_id == inbound.id))
    )
    inbound.status = InboundStatus.CLOSED
    inbound.closed_at = utcnow()
    db.session.flush()
    for product_id in sorted({ln.product_id for ln in inbound.lines}):
        backorders.recompute_projections(product_id)
    db.session.execute(
        update(ReceivingSession)
        .where(ReceivingSession.inbound_id == inbound_id)
        .values(inbound_id=None, damaged_next=False, qty_next=None, confirming=None)
    )
    return inbound
