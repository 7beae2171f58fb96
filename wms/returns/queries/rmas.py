"""The desk's reads of returns: the list, one return's items, what an order can send back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from wms.base.numbers import order_id_from_number, rma_id_from_number
from wms.core.models import OrderLine
from wms.extensions import db
from wms.inventory.models import Product
from wms.returns.models import ReturnAuthorisation, ReturnItem, ReturnLine, ReturnStatus

PAGE = 50
rma_t = ReturnAuthorisation.__table__
rl_t = ReturnLine.__table__
ol_t = OrderLine.__table__


@dataclass(frozen=True)
class ReturnableLine:
    sku: str
    name: str
    shipped: int
    returnable: int


def returnable_lines(order_id: int) -> list[ReturnableLine]:
    """What of a shipped order may still come back, for the desk's form."""
    rows = db.session.execute(
        select(Product.id, Product.sku, Product.name)
        .join(OrderLine, OrderLine.product_id == Product.id)
        .where(OrderLine.order_id == order_id, OrderLine.qty_shipped > 0)
        .distinct()
        .order_by(Product.sku)
    ).all()
    figures = returnable_units(order_id, [r.id for r in rows])
    shipped = dict(
        db.session.execute(
            select(ol_t.c.product_id, func.sum(ol_t.c.qty_shipped))
            .where(ol_t.c.order_id == order_id)
            .group_by(ol_t.c.product_id)
        ).all()
    )
    return [
        ReturnableLine(r.sku, r.name, int(shipped.get(r.id) or 0), figures[r.id][1]) for r in rows
    ]


def returnable_units(order_id: int, product_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per product of the order: (its first order line, units shipped and not yet authorised)."""
    shipped = db.session.execute(
        select(ol_t.c.product_id, func.min(ol_t.c.id), func.sum(ol_t.c.qty_shipped))
        .where(ol_t.c.order_id == order_id, ol_t.c.product_id.in_(product_ids))
        .group_by(ol_t.c.product_id)
    ).all()
    authorised = dict(
        db.session.execute(
            select(rl_t.c.product_id, func.sum(rl_t.c.qty_authorised))
            .join(rma_t, rma_t.c.id == rl_t.c.rma_id)
            .where(
                rma_t.c.order_id == order_id,
                rma_t.c.status != ReturnStatus.CANCELLED,
                rl_t.c.product_id.in_(product_ids),
            )
            .group_by(rl_t.c.product_id)
        ).all()
    )
    return {
        pid: (int(line_id), int(qty or 0) - int(authorised.get(pid) or 0))
        for pid, line_id, qty in shipped
    }


def returns_page(status: str, q: str, page: int) -> list[ReturnAuthorisation]:
    """One page of returns, newest first, and one more to tell whether a next page exists."""
    stmt = select(ReturnAuthorisation)
    if status in {s.value for s in ReturnStatus}:
        stmt = stmt.where(ReturnAuthorisation.status == status)
    if q:
        stmt = stmt.where(_search(q))
    return list(
        db.session.scalars(
            stmt.options(selectinload(ReturnAuthorisation.lines))
            .order_by(ReturnAuthorisation.id.desc())
            .offset((page - 1) * PAGE)
            .limit(PAGE + 1)
        )
    )


def _search(q: str) -> object:
    rma_id = rma_id_from_number(q)
    order_id = order_id_from_number(q)
    return or_(
        ReturnAuthorisation.id == (rma_id or -1),
        ReturnAuthorisation.order_id == (order_id or -1),
        ReturnAuthorisation.tracking_number == q,
        ReturnAuthorisation.external_id == q,
    )


def status_counts() -> dict[str, int]:
    return dict(
        db.session.execute(
            select(ReturnAuthorisation.status, func.count()).group_by(ReturnAuthorisation.status)
        ).all()
    )


def items_of(rma_id: int) -> list[ReturnItem]:
    """The units that came back with the return, in the order they were graded."""
    return list(
        db.session.scalars(
            select(ReturnItem).where(ReturnItem.rma_id == rma_id).order_by(ReturnItem.id)
        )
    )
