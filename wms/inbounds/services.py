"""Creating inbounds and changing their dates: both move projected fill dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from wms.core import backorders
from wms.core.errors import Conflict, InvalidInput, NotFound
from wms.database import for_update
from wms.extensions import db
from wms.inbounds.models import OPEN_STATUSES, Inbound, InboundLine
from wms.inventory.models import Product


@dataclass(frozen=True)
class NewInboundLine:
    sku: str
    qty: int


def create_inbound(
    reference: str,
    expected_at: datetime,
    lines: Sequence[NewInboundLine],
    kind: str = "asn",
    supplier: str = "",
    channel_id: int | None = None,
) -> tuple[Inbound, bool]:
    """Create an inbound; the same reference with the same lines again returns it unchanged."""
    existing = db.session.scalar(select(Inbound).where(Inbound.reference == reference))
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.qty
    if existing is not None:
        have = {ln.product.sku: ln.qty_expected for ln in existing.lines}
        if have == wanted and existing.expected_at == expected_at:
            return existing, False
        raise Conflict(
            f"Inbound {reference} already exists with different lines or date."
        ).with_code("inbound_exists")
    products = dict(
        db.session.execute(select(Product.sku, Product.id).where(Product.sku.in_(wanted))).all()
    )
    unknown = sorted(set(wanted) - set(products))
    if unknown:
        raise InvalidInput(f"Unknown SKU: {', '.join(unknown)}.", skus=unknown).with_code(
            "unknown_sku"
        )
    inbound = Inbound(
        reference=reference,
        kind=kind,
        supplier=supplier,
        expected_at=expected_at,
        channel_id=channel_id,
    )
    inbound.lines = [
        InboundLine(product_id=products[sku], qty_expected=qty) for sku, qty in wanted.items()
    ]
    db.session.add(inbound)
    db.session.flush()
    for product_id in sorted(products.values()):
        backorders.recompute_projections(product_id)
    return inbound, True


def get_inbound(inbound_id: int) -> Inbound:
    inbound = db.session.get(Inbound, inbound_id)
    if inbound is None:
        raise NotFound("There is no such inbound.")
    return inbound


def lock_inbound(inbound_id: int) -> Inbound | None:
    """An inbound, its row locked and its state read after the lock: starting, closing
    and changing one inbound happen one after the other."""
    stmt = for_update(select(Inbound).where(Inbound.id == inbound_id))
    return db.session.scalar(stmt.execution_options(populate_existing=True))


def change_expected_at(inbound_id: int, expected_at: datetime) -> Inbound:
    """A late (or early) inbound moves the projected dates of the lines waiting for it."""
    inbound = lock_inbound(inbound_id)
    if inbound is None:
        raise NotFound("There is no such inbound.")
    if inbound.status not in OPEN_STATUSES:
        raise Conflict(f"Inbound {inbound.reference} is {inbound.status}.")
    if inbound.expected_at == expected_at:
        return inbound  # the same change again: nothing moves, nobody is told twice
    inbound.expected_at = expected_at
    db.session.flush()
    for product_id in sorted({ln.product_id for ln in inbound.lines}):
        backorders.recompute_projections(product_id)
    return inbound
