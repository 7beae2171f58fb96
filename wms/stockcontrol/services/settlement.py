"""Turning a count's differences into stock: adjusted at once, or after a supervisor's word."""

from __future__ import annotations

from sqlalchemy import select, update

from wms.auth import audit
from wms.base.clock import utcnow
from wms.base.errors import Conflict
from wms.base.i18n import _
from wms.core.ledger import NotEnoughStock, Reason
from wms.extensions import db
from wms.inventory.models import Location, Product
from wms.stockcontrol.models import Adjustment, AdjustmentKind, CountLine, CountTask, LineStatus
from wms.stockcontrol.rules import ADJUST, MATCHED, Tolerance, Verdict, judge
from wms.stockcontrol.services.losses import put_in, take_out


def settle_count(
    task: CountTask, verdicts: list[Verdict], tolerance: Tolerance, user_id: int
) -> int:
    """Store each product's verdict; adjust those within tolerance. Returns how many wait."""
    lines = {line.product_id: line for line in task.lines}
    costs = dict(
        db.session.execute(
            select(Product.id, Product.unit_cost_cents).where(
                Product.id.in_([v.product_id for v in verdicts])
            )
        ).all()
    )
    waiting = 0
    for v in verdicts:  # product id order: the lock order of the counters
        line = lines.get(v.product_id)
        if line is None:
            line = CountLine(task_id=task.id, product_id=v.product_id, qty_counted=0)
            db.session.add(line)
        line.qty_expected, line.qty_diff = v.expected, v.diff
        line.unit_cost_cents = costs.get(v.product_id, 0)
        verdict = judge(v, tolerance)
        if verdict == MATCHED:
            line.status = LineStatus.MATCHED
        elif verdict == ADJUST:
            apply_difference(task, line, user_id)
            line.status = LineStatus.ADJUSTED
        else:
            line.status = LineStatus.REVIEW
            waiting += 1
    db.session.flush()
    return waiting


def apply_difference(task: CountTask, line: CountLine, user_id: int) -> None:
    """The counted difference as a ledger movement with reason ``count``, and its value."""
    diff = line.qty_diff or 0
    if diff == 0:
        return
    location = db.session.get(Location, task.location_id)
    assert location is not None
    reference = task.number
    requeued = 0
    if diff > 0:
        put_in(line.product_id, diff, location, Reason.COUNT, reference, user_id)
    else:
        try:
            requeued = take_out(
                line.product_id, -diff, location, None, Reason.COUNT, reference, user_id
            )
        except NotEnoughStock:
            sku = db.session.scalar(select(Product.sku).where(Product.id == line.product_id))
            raise Conflict(
                _(
                    "%(location)s now holds fewer %(sku)s than this count would remove;"
                    " stock moved since the count. Ask for a recount.",
                    location=location.code,
                    sku=sku,
                )
            ) from None
    db.session.add(
        Adjustment(
            kind=AdjustmentKind.COUNT,
            product_id=line.product_id,
            location_id=location.id,
            qty=abs(diff),
            qty_change=diff,
            unit_cost_cents=line.unit_cost_cents,
            reason="",  # worded from the task where it is shown (Adjustment.shown_reason)
            count_task_id=task.id,
            qty_requeued=requeued,
            user_id=user_id,
        )
    )


def close_task(task: CountTask, status: str, user_id: int) -> None:
    """A finished task; a finished count also clears the bin's request for a count."""
    task.status = status
    task.closed_at = utcnow()
    task.closed_by_id = user_id
    if status == "done":
        db.session.execute(
            update(Location).where(Location.id == task.location_id).values(count_requested_at=None)
        )
    audit.record(user_id, f"count.{status}", "count_task", task.id, location=task.location.code)
