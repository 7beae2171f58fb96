"""Creating inbounds and changing their dates: both move projected fill dates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wms.base.errors import Conflict, InvalidInput, NotFound
from wms.core import backorders, stock
from wms.core.models import Inbound, InboundLine
from wms.extensions import db
from wms.inbounds.schemas import InboundLineOut, InboundOut
from wms.inventory.models import Product

# A reference as the API takes it (no spaces or NUL, 64 characters at most).
_REFERENCE = re.compile(r"[^\x00\s]{1,64}")
ID_MAX = 2**31 - 1


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
    """Create an inbound; the same reference with the same lines again returns it unchanged.

    References are the owner's own: a channel's (``channel_id``) or the
    warehouse's (none). Another owner's inbound of the same reference is
    never looked at, so its existence is never revealed.
    """
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.qty
    existing = _owned(reference, channel_id)
    if existing is not None:
        return _same_or_conflict(existing, wanted, expected_at), False
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
    try:
        with db.session.begin_nested():
            db.session.add(inbound)
    except IntegrityError:
        # The same announcement sent twice at once: the first one made it.
        existing = _owned(reference, channel_id)
        if existing is None:
            raise
        return _same_or_conflict(existing, wanted, expected_at), False
    for product_id in sorted(products.values()):
        backorders.recompute_projections(product_id)
    return inbound, True


def _owned(reference: str, channel_id: int | None) -> Inbound | None:
    owner = Inbound.channel_id.is_(None) if channel_id is None else Inbound.channel_id == channel_id
    return db.session.scalar(select(Inbound).where(Inbound.reference == reference, owner))


def _same_or_conflict(existing: Inbound, wanted: dict[str, int], expected_at: datetime) -> Inbound:
    have = {ln.product.sku: ln.qty_expected for ln in existing.lines}
    if have == wanted and existing.expected_at == expected_at:
        return existing
    raise Conflict(
        f"Inbound {existing.reference} already exists with different lines or date."
    ).with_code("inbound_exists")


def find_channel_inbound(channel_id: int, ref: str) -> Inbound:
    """A channel's own inbound by its reference, or by id; 404 for anyone else's."""
    inbound = None
    if _REFERENCE.fullmatch(ref):  # what no reference can be is not looked up
        inbound = _owned(ref, channel_id)
    if inbound is None and ref.isascii() and ref.isdigit() and int(ref) <= ID_MAX:
        inbound = db.session.scalar(
            select(Inbound).where(Inbound.id == int(ref), Inbound.channel_id == channel_id)
        )
    if inbound is None:
        raise NotFound(f"There is no inbound {ref}.")
    return inbound


def channel_inbounds(channel_id: int, after: int, limit: int) -> Sequence[Inbound]:
    """A channel's own inbounds in the order they were made, after the id ``after``."""
    return db.session.scalars(
        select(Inbound)
        .where(Inbound.channel_id == channel_id, Inbound.id > after)
        .order_by(Inbound.id)
        .limit(limit)
    ).all()


def inbound_view(inbound: Inbound) -> InboundOut:
    """An inbound as its channel sees it."""
    return InboundOut(
        id=inbound.id,
        reference=inbound.reference,
        kind=inbound.kind,
        supplier=inbound.supplier,
        expected_at=inbound.expected_at,
        status=inbound.status,
        lines=[
            InboundLineOut(
                sku=ln.product.sku, qty_expected=ln.qty_expected, qty_received=ln.qty_received
            )
            for ln in inbound.lines
        ],
    )


def get_inbound(inbound_id: int) -> Inbound:
    inbound = db.session.get(Inbound, inbound_id)
    if inbound is None:
        raise NotFound("There is no such inbound.")
    return inbound


def change_expected_at(inbound_id: int, expected_at: datetime) -> Inbound:
    """A late (or early) inbound moves the projected dates of the lines waiting for it."""
    inbound = stock.lock_inbound(inbound_id)
    if inbound is None:
        raise NotFound("There is no such inbound.")
    if not inbound.is_open:
        raise Conflict(f"Inbound {inbound.reference} is {inbound.status}.")
    if inbound.expected_at == expected_at:
        return inbound  # the same change again: nothing moves, nobody is told twice
    inbound.expected_at = expected_at
    db.session.flush()
    for product_id in sorted({ln.product_id for ln in inbound.lines}):
        backorders.recompute_projections(product_id)
    return inbound
