"""The returns bench on the handheld: pick the return, scan each item, grade it.

One scan field does everything. With no return on the bench, a scan names
one (RMA, order or tracking number). Then a product scan puts the item on
the bench, waiting for its grade; a grade (command barcode or key 1-4) moves
it, in one transaction: into stock at the returns location, then on to its
place. An item the return does not list goes to exceptions at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select, update

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.codes import command_of
from wms.base.errors import (
    AlreadyDecided,
    AlreadyReceived,
    GradeFirst,
    InvalidInput,
    ReturnClosed,
    UnknownCode,
)
from wms.base.i18n import N_, Text, _
from wms.base.numbers import order_number
from wms.core import stock
from wms.core.ledger import Reason, move_stock
from wms.core.recognise import recognise
from wms.database import for_update
from wms.extensions import db
from wms.inventory import queries as inventory
from wms.inventory.models import LocationKind, Product
from wms.returns.models import (
    DECISION_LABELS,
    Grade,
    ReturnAuthorisation,
    ReturnLine,
    ReturnSession,
    ReturnStatus,
)
from wms.returns.services import receipts, restock
from wms.returns.services.authorisations import find_return_for_scan, lock_return

rl_t = ReturnLine.__table__
rma_t = ReturnAuthorisation.__table__

# What the clerk scans or types to grade the item on the bench.
GRADE_COMMANDS = {
    "RESELL": Grade.RESELLABLE,
    "REWORK": Grade.REWORK,
    "DAMAGED": Grade.DAMAGED,
    "NOT-OURS": Grade.NOT_OURS,
}
GRADE_KEYS = {"1": Grade.RESELLABLE, "2": Grade.REWORK, "3": Grade.DAMAGED, "4": Grade.NOT_OURS}
GRADE_WORDS = {
    Grade.RESELLABLE: N_("Resellable"),
    Grade.REWORK: N_("Needs rework"),
    Grade.DAMAGED: N_("Damaged"),
    Grade.NOT_OURS: N_("Not ours"),
}


@dataclass
class Answer:
    """What the returns screen says after a scan."""

    kind: str  # started | pending | graded | info | done | left
    message: Text | str = ""
    rma: ReturnAuthorisation | None = None
    product: Product | None = None
    grade: str = ""
    placed: list[restock.Placed] = field(default_factory=list)
    alarm: bool = False  # shown and sounded as an error: the clerk must notice


# A return that takes nothing more, by its status (each sentence whole).
_NOT_RECEIVING = {
    ReturnStatus.RECEIVED: N_("%(rma)s is received; nothing more is received on it."),
    ReturnStatus.CLOSED: N_("%(rma)s is closed; nothing more is received on it."),
    ReturnStatus.CANCELLED: N_("%(rma)s is cancelled; nothing more is received on it."),
    "": N_("%(rma)s takes nothing more; nothing more is received on it."),
}


def current_session(user_id: int) -> ReturnSession:
    """The clerk's place, locked: two scans of one clerk (two handhelds, a double tap)
    are applied one after the other, each reading what the other left."""
    locked = for_update(select(ReturnSession).where(ReturnSession.user_id == user_id))
    locked = locked.execution_options(populate_existing=True)
    session = db.session.scalar(locked)
    if session is None:
        # A clerk's first scan: made once even if two handhelds send theirs together.
        db.session.execute(
            stock.upsert(ReturnSession.__table__)
            .values(user_id=user_id, pending_code="", updated_at=utcnow())
            .on_conflict_do_nothing(index_elements=["user_id"])
        )
        session = db.session.scalar(locked)
        assert session is not None
    return session


def peek_session(user_id: int) -> ReturnSession:
    """The clerk's place, for showing only: nothing is written."""
    return db.session.get(ReturnSession, user_id) or ReturnSession(user_id=user_id)


def handle_scan(user_id: int, code: str) -> Answer:
    code = code.strip()
    session = current_session(user_id)
    if not code:
        raise InvalidInput(
            _("Scan the RMA, order or tracking number.")
            if session.rma_id is None
            else _("Scan an item, then its grade.")
        )
    if session.rma_id is None:
        return start_return(session, code)
    closed = _closed_meanwhile(session)
    if closed is not None:
        return closed
    command = command_of(code)
    grade = GRADE_COMMANDS.get(command or "") or GRADE_KEYS.get(code)
    if grade is not None:
        return grade_item(user_id, session, grade)
    if command == "UNDO":
        return _put_aside(session)
    if command == "DONE":
        return finish_return(user_id, session)
    if command == "NEW":
        leave_return(user_id)
        return Answer("left")
    if command is not None:
        raise InvalidInput(
            _("%(command)s does nothing here. Scan an item or a grade.", command=command)
        )
    _require_no_pending(session)
    found = inventory.find_product(code)
    if found is None:
        other = find_return_for_scan(code)
        if other is not None:
            return start_return(session, code, other)
        seen = recognise(code)
        if seen.known:
            raise seen.refusal(
                _("scan an item of %(rma)s, or DONE when it is empty", rma=_rma(session).number)
            )
        return _unknown_item(user_id, session, code)
    return scan_item(user_id, session, code, found)


# -------------------------------------------------------------------- start


def start_return(
    session: ReturnSession, code: str, rma: ReturnAuthorisation | None = None
) -> Answer:
    rma = rma or find_return_for_scan(code)
    if rma is None:
        seen = recognise(code)
        if seen.known:
            raise seen.refusal(_("scan the RMA, order or tracking number"))
        raise UnknownCode(
            code, _("No return, order or tracking number has the code %(code)s.", code=code)
        )
    if not rma.open_for_receiving:
        raise ReturnClosed(_(_NOT_RECEIVING.get(rma.status, _NOT_RECEIVING[""]), rma=rma.number))
    session.rma_id = rma.id
    _clear_pending(session)
    return Answer(
        "started",
        _("%(rma)s · order %(order)s", rma=rma.number, order=order_number(rma.order_id)),
        rma=rma,
    )


def leave_return(user_id: int) -> None:
    session = current_session(user_id)
    session.rma_id = None
    _clear_pending(session)


# --------------------------------------------------------------------- scan


def scan_item(
    user_id: int, session: ReturnSession, code: str, found: inventory.ScannedProduct
) -> Answer:
    """An item of the return waits on the bench for its grade; anything else goes to exceptions."""
    rma = _rma(session)
    line = db.session.scalar(
        select(ReturnLine).where(
            ReturnLine.rma_id == rma.id, ReturnLine.product_id == found.product.id
        )
    )
    if line is None:
        return _not_on_return(user_id, session, rma, code, found)
    if line.decision is not None:
        raise AlreadyDecided(
            _(
                "%(sku)s on %(rma)s is already decided (%(decision)s); it cannot be received now.",
                sku=found.product.sku,
                rma=rma.number,
                decision=_(DECISION_LABELS.get(line.decision, line.decision)),
            )
        )
    if line.qty_received + found.units > line.qty_authorised:
        raise AlreadyReceived(
            _(
                "%(sku)s is already received on %(rma)s (%(received)s of %(authorised)s); "
                "it is not taken twice.",
                sku=found.product.sku,
                rma=rma.number,
                received=line.qty_received,
                authorised=line.qty_authorised,
            )
        )
    session.pending_line_id = line.id
    session.pending_product_id = found.product.id
    session.pending_qty = found.units
    session.pending_code = code[:80]
    return Answer("pending", rma=rma, product=found.product)


def _not_on_return(
    user_id: int,
    session: ReturnSession,
    rma: ReturnAuthorisation,
    code: str,
    found: inventory.ScannedProduct,
) -> Answer:
    bench = restock.place(LocationKind.RETURNS)
    move_stock(found.product.id, found.units, None, bench, Reason.RETURN, rma.number, user_id)
    note = f"Not on {rma.number}"
    placed = restock.set_aside(
        found.product.id, found.units, bench, LocationKind.EXCEPTIONS, rma.number, user_id
    )
    receipts.record_item(
        rma, None, found.product.id, code, found.units, Grade.NOT_OURS, placed, note, user_id
    )
    receipts.announce_received(rma, None, found.product.sku, found.units, Grade.NOT_OURS, note)
    placed = replace(
        placed, reason=_("Not on %(rma)s: a supervisor will look at it.", rma=rma.number)
    )
    return Answer(
        "graded",
        _("%(sku)s is not on %(rma)s.", sku=found.product.sku, rma=rma.number),
        rma=rma,
        product=found.product,
        grade=Grade.NOT_OURS,
        placed=[placed],
        alarm=True,
    )


def _unknown_item(user_id: int, session: ReturnSession, code: str) -> Answer:
    """A barcode nobody knows: nothing enters stock, the item waits at exceptions."""
    rma = _rma(session)
    shelf = restock.place(LocationKind.EXCEPTIONS)
    note = f"Unknown barcode {code[:60]}"
    placed = restock.placed_at(
        LocationKind.EXCEPTIONS, shelf, 1, _("Not ours: a supervisor will look at it.")
    )
    receipts.record_item(rma, None, None, code, 1, Grade.NOT_OURS, placed, note, user_id)
    return Answer(
        "graded",
        _("No product has the barcode %(code)s.", code=code),
        rma=rma,
        grade=Grade.NOT_OURS,
        placed=[placed],
        alarm=True,
    )


# -------------------------------------------------------------------- grade


def grade_item(user_id: int, session: ReturnSession, grade: str) -> Answer:
    """Move the item on the bench into stock and on to its place, by its grade."""
    if session.pending_line_id is None:
        raise InvalidInput(_("Scan an item first, then its grade."))
    rma = _rma(session, lock=True)
    line = db.session.get(ReturnLine, session.pending_line_id)
    product = db.session.get(Product, session.pending_product_id)
    qty = session.pending_qty or 1
    code = session.pending_code
    if grade == Grade.NOT_OURS:
        # Not what we sold, though its barcode says so: it does not count as come back.
        return _not_ours(user_id, session, rma, line, product, qty, code)
    receipts.count_received(rma, line, product, qty)
    bench = restock.place(LocationKind.RETURNS)
    move_stock(product.id, qty, None, bench, Reason.RETURN, rma.number, user_id)
    if grade == Grade.RESELLABLE:
        placed = restock.put_back_resellable(product, qty, bench, rma.number, user_id)
    else:
        kind = LocationKind.REWORK if grade == Grade.REWORK else LocationKind.QUARANTINE
        placed = [restock.set_aside(product.id, qty, bench, kind, rma.number, user_id)]
    for p in placed:
        receipts.record_item(rma, line, product.id, code, p.qty, grade, p, "", user_id)
    receipts.mark_progress(rma)
    db.session.refresh(line)
    receipts.announce_received(rma, line, product.sku, qty, grade, "")
    _clear_pending(session)
    return Answer("graded", rma=rma, product=product, grade=grade, placed=placed)


def _not_ours(
    user_id: int,
    session: ReturnSession,
    rma: ReturnAuthorisation,
    line: ReturnLine,
    product: Product,
    qty: int,
    code: str,
) -> Answer:
    bench = restock.place(LocationKind.RETURNS)
    move_stock(product.id, qty, None, bench, Reason.RETURN, rma.number, user_id)
    note = f"Graded not ours (scanned as {product.sku})"
    placed = restock.set_aside(product.id, qty, bench, LocationKind.EXCEPTIONS, rma.number, user_id)
    receipts.record_item(rma, line, product.id, code, qty, Grade.NOT_OURS, placed, note, user_id)
    receipts.announce_received(rma, line, product.sku, qty, Grade.NOT_OURS, note)
    _clear_pending(session)
    return Answer("graded", rma=rma, product=product, grade=Grade.NOT_OURS, placed=[placed])


# ------------------------------------------------------------- done, undo


def finish_return(user_id: int, session: ReturnSession) -> Answer:
    """The parcel is empty: what came is what came."""
    _require_no_pending(session)
    rma = _rma(session, lock=True)
    received = sum(line.qty_received for line in rma.lines)
    authorised = sum(line.qty_authorised for line in rma.lines)
    if received:
        moved = db.session.execute(
            update(rma_t)
            .where(rma_t.c.id == rma.id, rma_t.c.status == ReturnStatus.RECEIVING)
            .values(status=ReturnStatus.RECEIVED, received_at=utcnow(), updated_at=utcnow())
        )
        db.session.expire(rma)
        if moved.rowcount == 1:
            audit.record(
                user_id, "return.received", "return", rma.number, units=received, of=authorised
            )
    session.rma_id = None
    message = (
        _(
            "%(rma)s done: %(received)s of %(authorised)s units back.",
            rma=rma.number,
            received=received,
            authorised=authorised,
        )
        if received
        else _("%(rma)s: nothing received; it stays open.", rma=rma.number)
    )
    return Answer("done", message, rma=rma)


def _put_aside(session: ReturnSession) -> Answer:
    if session.pending_line_id is None:
        raise InvalidInput(_("Nothing waits for a grade. Graded items are final."))
    product = db.session.get(Product, session.pending_product_id)
    _clear_pending(session)
    return Answer("info", _("%(sku)s put aside, not graded. Scan the next item.", sku=product.sku))


def _require_no_pending(session: ReturnSession) -> None:
    if session.pending_line_id is not None:
        product = db.session.get(Product, session.pending_product_id)
        raise GradeFirst(
            _(
                "Grade %(sku)s first (1 resellable, 2 rework, 3 damaged, 4 not ours), "
                "or UNDO to put it aside.",
                sku=product.sku,
            )
        )


def _clear_pending(session: ReturnSession) -> None:
    session.pending_line_id = None
    session.pending_product_id = None
    session.pending_qty = None
    session.pending_code = ""


def _closed_meanwhile(session: ReturnSession) -> Answer | None:
    """The return on the bench was closed or cancelled on the desk: the bench lets go of
    it (and says so; the scan is not taken), rather than refuse every scan after."""
    rma = db.session.get(ReturnAuthorisation, session.rma_id)
    if rma is not None and rma.open_for_receiving:
        return None
    session.rma_id = None
    _clear_pending(session)
    message = (
        _("%(rma)s was closed on the desk meanwhile. Scan the next return.", rma=rma.number)
        if rma is not None
        else _("That return was closed on the desk meanwhile. Scan the next return.")
    )
    return Answer("info", message, alarm=True)


def _rma(session: ReturnSession, lock: bool = False) -> ReturnAuthorisation:
    """The RMA on the bench; ``lock`` before receiving on it, so a cancel on the desk
    at the same moment comes before or after, never beside."""
    rma = (
        lock_return(session.rma_id)
        if lock and session.rma_id is not None
        else db.session.get(ReturnAuthorisation, session.rma_id)
    )
    if rma is None or not rma.open_for_receiving:
        session.rma_id = None
        _clear_pending(session)
        raise ReturnClosed(_("That return was closed meanwhile. Scan the next RMA."))
    return rma
