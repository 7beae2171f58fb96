"""What a graded item leaves behind: the line's count, the RMA's status, the item's row
and the event for the channel."""

from __future__ import annotations

from sqlalchemy import case, insert, select, update

from wms.base.clock import utcnow
from wms.base.errors import AlreadyDecided, AlreadyReceived
from wms.base.i18n import _
from wms.channels import outbox
from wms.extensions import db
from wms.inventory.models import Product
from wms.returns.models import (
    DECISION_LABELS,
    Grade,
    ReturnAuthorisation,
    ReturnItem,
    ReturnLine,
    ReturnStatus,
)
from wms.returns.schemas import event_of
from wms.returns.services.restock import Placed

rl_t = ReturnLine.__table__
rma_t = ReturnAuthorisation.__table__


def count_received(rma: ReturnAuthorisation, line: ReturnLine, product: Product, qty: int) -> None:
    """One guarded UPDATE: a unit is never received twice, however two clerks race."""
    counted = db.session.execute(
        update(rl_t)
        .where(
            rl_t.c.id == line.id,
            rl_t.c.decision.is_(None),
            rl_t.c.qty_received + qty <= rl_t.c.qty_authorised,
        )
        .values(qty_received=rl_t.c.qty_received + qty)
    )
    if counted.rowcount != 1:
        db.session.refresh(line)
        if line.decision is not None:
            raise AlreadyDecided(
                _(
                    "%(sku)s on %(rma)s was decided meanwhile (%(decision)s); "
                    "it is not received now.",
                    sku=product.sku,
                    rma=rma.number,
                    decision=_(DECISION_LABELS.get(line.decision, line.decision)),
                )
            )
        raise AlreadyReceived(
            _(
                "%(sku)s is already received on %(rma)s (%(received)s of %(authorised)s); "
                "it is not taken twice.",
                sku=product.sku,
                rma=rma.number,
                received=line.qty_received,
                authorised=line.qty_authorised,
            )
        )


def mark_progress(rma: ReturnAuthorisation) -> None:
    """Receiving once something is back; received once every authorised unit is."""
    now = utcnow()
    open_units = select(rl_t.c.id).where(
        rl_t.c.rma_id == rma.id, rl_t.c.qty_received < rl_t.c.qty_authorised
    )
    db.session.execute(
        update(rma_t)
        .where(
            rma_t.c.id == rma.id,
            rma_t.c.status.in_([ReturnStatus.AUTHORISED, ReturnStatus.RECEIVING]),
        )
        .values(
            status=case((open_units.exists(), ReturnStatus.RECEIVING), else_=ReturnStatus.RECEIVED),
            received_at=case((open_units.exists(), None), else_=now),
            updated_at=now,
        )
    )
    db.session.expire(rma)


def record_item(
    rma: ReturnAuthorisation,
    line: ReturnLine | None,
    product_id: int | None,
    code: str,
    qty: int,
    grade: str,
    placed: Placed,
    note: str,
    user_id: int,
) -> None:
    db.session.execute(
        insert(ReturnItem.__table__).values(
            rma_id=rma.id,
            return_line_id=line.id if line else None,
            product_id=product_id,
            scanned_code=code[:80],
            qty=qty,
            grade=grade,
            location_id=placed.location_id,
            order_line_id=placed.order_line_id,
            note=note[:200],
            received_by=user_id,
            received_at=utcnow(),
            outcome="",
            outcome_note="",
        )
    )


def announce_received(
    rma: ReturnAuthorisation,
    line: ReturnLine | None,
    sku: str,
    qty: int,
    grade: str,
    note: str,
) -> None:
    outbox.emit(
        "return.received",
        rma.channel_id,
        f"return:{rma.id}",
        event_of(
            rma,
            line=line.line_no if line else None,
            sku=sku,
            qty=qty,
            grade=grade,
            on_return=line is not None and grade != Grade.NOT_OURS,
            qty_received=line.qty_received if line else None,
            qty_authorised=line.qty_authorised if line else None,
            note=note,
        ),
    )
