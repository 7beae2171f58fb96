"""Creating inbounds and changing their dates: both move projected fill dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from wms.base.errors import Conflict, InvalidInput
from wms.base.i18n import _
from wms.core import backorders, stock
from wms.core.models import Inbound, InboundLine
from wms.extensions import db
from wms.inbounds.queries import owned
from wms.inbounds.rules import NewInboundLine, Parsed
from wms.inventory.models import Product


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
    existing = owned(reference, channel_id)
    if existing is not None:
        return _same_or_conflict(existing, wanted, expected_at), False
    products = dict(
        db.session.execute(select(Product.sku, Product.id).where(Product.sku.in_(wanted))).all()
    )
    unknown = sorted(set(wanted) - set(products))
    if unknown:
        raise InvalidInput(
            _("Unknown SKU: %(skus)s.", skus=", ".join(unknown)), skus=unknown
        ).with_code("unknown_sku")
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
        existing = owned(reference, channel_id)
        if existing is None:
            raise
        return _same_or_conflict(existing, wanted, expected_at), False
    for product_id in sorted(products.values()):
        backorders.recompute_projections(product_id)
    return inbound, True


def _same_or_conflict(existing: Inbound, wanted: dict[str, int], expected_at: datetime) -> Inbound:
    have = {ln.product.sku: ln.qty_expected for ln in existing.lines}
    if have == wanted and existing.expected_at == expected_at:
        return existing
    raise Conflict(
        _(
            "Inbound %(ref)s already exists with different lines or date.",
            ref=existing.reference,
        )
    ).with_code("inbound_exists")


def change_expected_at(inbound_id: int, expected_at: datetime) -> Inbound:
    """A late (or early) inbound moves the projected dates of the lines waiting for it."""
    inbound = stock.lock_open_inbound(inbound_id)
    if inbound.expected_at == expected_at:
        return inbound  # the same change again: nothing moves, nobody is told twice
    inbound.expected_at = expected_at
    db.session.flush()
    for product_id in sorted({ln.product_id for ln in inbound.lines}):
        backorders.recompute_projections(product_id)
    return inbound


def import_inbounds(parsed: Parsed) -> int:
    """Create the inbounds of a checked file; returns how many."""
    for item in parsed.inbounds:
        create_inbound(
            reference=item.reference,
            expected_at=item.expected_at,
            lines=[NewInboundLine(sku, qty) for sku, qty in item.lines.items()],
            supplier=item.supplier,
        )
    return len(parsed.inbounds)
