"""Per returned line, the supervisor decides: refund, exchange, store credit or rejection."""

from __future__ import annotations

from sqlalchemy import select, update

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import AlreadyDecided, InvalidInput, ReturnClosed
from wms.base.i18n import N_, _
from wms.base.numbers import order_number
from wms.channels import outbox
from wms.extensions import db
from wms.inventory.models import Product
from wms.orders.services import NewLine, NewOrder, accept_order
from wms.returns.models import (
    DECISION_LABELS,
    Decision,
    ReturnAuthorisation,
    ReturnLine,
    ReturnStatus,
)
from wms.returns.schemas import event_of
from wms.returns.services.authorisations import lock_return

rl_t = ReturnLine.__table__
rma_t = ReturnAuthorisation.__table__

DECISION_WORDS = {
    Decision.REFUND: N_("Refund"),
    Decision.EXCHANGE: N_("Exchange"),
    Decision.STORE_CREDIT: N_("Store credit"),
    Decision.REJECTED: N_("Rejected"),
}


def decide_line(
    line_id: int, decision: str, user_id: int, note: str = "", exchange_sku: str = ""
) -> ReturnLine:
    """Record the decision for the units of a line that came back; it is final.

    Refund, exchange and store credit cover the units received so far; a
    rejection may be recorded whatever came back. An exchange is a new order
    for the same customer, reserved or backordered like any other, with an
    external id made from the RMA so it is taken in once.
    """
    line = db.session.get(ReturnLine, line_id)
    if line is None:
        raise InvalidInput(_("There is no such return line."))
    # After any cancel or receipt of this return under way, not beside it.
    rma = lock_return(line.rma_id)
    assert rma is not None
    if not rma.takes_decisions:
        raise ReturnClosed(_("%(rma)s is cancelled.", rma=rma.number))
    if decision not in {d.value for d in Decision}:
        raise InvalidInput(_("Choose refund, exchange, store credit or rejection."))
    _take(line, decision, note, user_id)
    if decision == Decision.EXCHANGE:
        line.exchange_order_id = _exchange_order(rma, line, line.decision_qty, exchange_sku)
        db.session.flush()
    _close_when_all_decided(rma)
    _announce(rma, line)
    audit.record(
        user_id,
        "return.decided",
        "return",
        rma.number,
        line=line.line_no,
        decision=decision,
        qty=line.decision_qty,
    )
    return line


def _take(line: ReturnLine, decision: str, note: str, user_id: int) -> None:
    """One guarded UPDATE: decided once, for the units received at that moment."""
    conditions = [rl_t.c.id == line.id, rl_t.c.decision.is_(None)]
    if decision != Decision.REJECTED:
        conditions.append(rl_t.c.qty_received > 0)
    taken = db.session.execute(
        update(rl_t)
        .where(*conditions)
        .values(
            decision=decision,
            decision_qty=rl_t.c.qty_received,
            decision_note=note.strip()[:200],
            decided_by=user_id,
            decided_at=utcnow(),
        )
    )
    db.session.refresh(line)
    if taken.rowcount == 1:
        return
    if line.decision is not None:
        raise AlreadyDecided(
            _(
                "Line %(line)s of %(rma)s is already decided: %(decision)s.",
                line=line.line_no,
                rma=line.rma.number,
                decision=_(DECISION_LABELS.get(Decision(line.decision), line.decision)),
            )
        )
    raise InvalidInput(
        _(
            "Nothing of %(sku)s has come back yet; only a rejection can be recorded.",
            sku=line.product.sku,
        )
    )


def _exchange_order(rma: ReturnAuthorisation, line: ReturnLine, qty: int, sku: str) -> int:
    sku = sku.strip() or line.product.sku
    if db.session.scalar(select(Product.id).where(Product.sku == sku)) is None:
        raise InvalidInput(_("There is no product %(sku)s to exchange for.", sku=sku))
    original = rma.order
    accepted = accept_order(
        rma.channel_id,
        NewOrder(
            external_id=f"{rma.number}-X{line.line_no}",
            lines=(NewLine(sku, qty),),
            customer_name=original.customer_name,
            customer_email=original.customer_email,
            ship_to=original.ship_to,
            service_level=original.service_level,
            priority=original.priority,
            partial_allowed=original.partial_allowed,
        ),
    )
    return accepted.order_id


def _close_when_all_decided(rma: ReturnAuthorisation) -> None:
    undecided = select(rl_t.c.id).where(rl_t.c.rma_id == rma.id, rl_t.c.decision.is_(None))
    now = utcnow()
    db.session.execute(
        update(rma_t)
        .where(rma_t.c.id == rma.id, rma_t.c.status != ReturnStatus.CANCELLED)
        .where(~undecided.exists())
        .values(status=ReturnStatus.CLOSED, closed_at=now, updated_at=now)
    )
    db.session.expire(rma)


def _announce(rma: ReturnAuthorisation, line: ReturnLine) -> None:
    outbox.emit(
        "return.decided",
        rma.channel_id,
        f"return:{rma.id}",
        event_of(
            rma,
            line=line.line_no,
            sku=line.product.sku,
            decision=line.decision,
            qty=line.decision_qty,
            qty_received=line.qty_received,
            qty_authorised=line.qty_authorised,
            exchange_order_number=order_number(line.exchange_order_id)
            if line.exchange_order_id
            else None,
            note=line.decision_note,
        ),
    )
