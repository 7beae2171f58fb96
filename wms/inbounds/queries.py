"""What the inbound screens and the API read: one inbound, a page of them, a channel's
own, and an uploaded file checked against the catalogue. Reads only."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from wms.base.errors import NotFound
from wms.base.i18n import _
from wms.core.models import Inbound
from wms.database import existing
from wms.extensions import db
from wms.inbounds.rules import Parsed, check_rows, csv_rows
from wms.inventory.models import Product

PAGE = 50
# A reference as the API takes it (no spaces or NUL, 64 characters at most).
_REFERENCE = re.compile(r"[^\x00\s]{1,64}")
ID_MAX = 2**31 - 1


def get_inbound(inbound_id: int) -> Inbound:
    return existing(Inbound, inbound_id, _("There is no such inbound."))


@dataclass(frozen=True)
class InboundPage:
    inbounds: Sequence[Inbound]
    page: int
    pages: int


def inbound_page(status: str, page: int) -> InboundPage:
    """The inbounds of a status (all when empty), latest expected first, a page at a time."""
    stmt = select(Inbound)
    if status:
        stmt = stmt.where(Inbound.status == status)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    inbounds = db.session.scalars(
        stmt.order_by(Inbound.expected_at.desc()).offset((page - 1) * PAGE).limit(PAGE)
    ).all()
    return InboundPage(inbounds, page, max(1, -(-int(total or 0) // PAGE)))


def owned(reference: str, channel_id: int | None) -> Inbound | None:
    """The inbound of this reference made by this channel (or by the warehouse: None)."""
    owner = Inbound.channel_id.is_(None) if channel_id is None else Inbound.channel_id == channel_id
    return db.session.scalar(select(Inbound).where(Inbound.reference == reference, owner))


def find_channel_inbound(channel_id: int, ref: str) -> Inbound:
    """A channel's own inbound by its reference, or by id; 404 for anyone else's."""
    inbound = None
    if _REFERENCE.fullmatch(ref):  # what no reference can be is not looked up
        inbound = owned(ref, channel_id)
    if inbound is None and ref.isascii() and ref.isdigit() and int(ref) <= ID_MAX:
        inbound = db.session.scalar(
            select(Inbound).where(Inbound.id == int(ref), Inbound.channel_id == channel_id)
        )
    if inbound is None:
        raise NotFound(_("There is no inbound %(ref)s.", ref=ref))
    return inbound


def channel_inbounds(channel_id: int, after: int, limit: int) -> Sequence[Inbound]:
    """A channel's own inbounds in the order they were made, after the id ``after``."""
    return db.session.scalars(
        select(Inbound)
        .where(Inbound.channel_id == channel_id, Inbound.id > after)
        .order_by(Inbound.id)
        .limit(limit)
    ).all()


def check_csv(raw: bytes) -> Parsed:
    """An uploaded ASN file: the inbounds it makes, and what is wrong with each bad row."""
    rows, errors = csv_rows(raw)
    if errors:
        return Parsed([], errors)
    skus = {r.get("sku", "").strip() for r in rows}
    known = set(db.session.scalars(select(Product.sku).where(Product.sku.in_(skus))))
    references = {r.get("reference", "").strip() for r in rows}
    made = set(
        db.session.scalars(select(Inbound.reference).where(Inbound.reference.in_(references)))
    )
    return check_rows(rows, known, made)
