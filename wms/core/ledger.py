"""The one way stock moves: a ledger row and the on-hand rows, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import case, func, insert, literal, select, union_all

from wms.base.clock import utcnow
from wms.base.errors import Conflict
from wms.base.i18n import N_, _
from wms.channels import outbox
from wms.core import stock
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import SELLABLE_KINDS, Location, Movement, Product, ProductStock, Stock


class Reason:
    """Why stock moved; stored on every ledger row."""

    RECEIVE = "receive"
    CROSS_DOCK = "cross_dock"
    PUTAWAY = "putaway"
    QUARANTINE = "quarantine"
    PICK = "pick"
    PACK = "pack"
    SHIP = "ship"
    RETURN = "return"
    REWORK = "rework"
    RELEASE = "release"
    SCRAP = "scrap"
    COUNT = "count"
    ADJUST = "adjust"
    TRANSFER = "transfer"
    OPENING = "opening"
    UNDO = "undo"
    # Counted in a bin by the ledger but not there at a pick: set aside, out of
    # sellable stock, until the bin is counted.
    MISSING = "missing"


# What each stored reason is called where people read it (show with ``_()``); the
# stored values above never change.
REASON_LABELS = {
    Reason.RECEIVE: N_("receipt"),
    Reason.CROSS_DOCK: N_("cross-dock"),
    Reason.PUTAWAY: N_("putaway"),
    Reason.QUARANTINE: N_("quarantine"),
    Reason.PICK: N_("pick"),
    Reason.PACK: N_("packing"),
    Reason.SHIP: N_("shipment"),
    Reason.RETURN: N_("return"),
    Reason.REWORK: N_("rework"),
    Reason.RELEASE: N_("release from quarantine"),
    Reason.SCRAP: N_("scrapping"),
    Reason.COUNT: N_("count"),
    Reason.ADJUST: N_("adjustment"),
    Reason.TRANSFER: N_("transfer"),
    Reason.OPENING: N_("opening stock"),
    Reason.UNDO: N_("undo"),
    Reason.MISSING: N_("missing at a pick"),
}


def reason_label(reason: str) -> str:
    """The marked word for a stored reason (the stored value itself when unknown)."""
    return REASON_LABELS.get(reason, reason)


class Place(Protocol):
    """What a stock move needs of a location: a ``Location`` row or a lighter copy."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> str: ...


@dataclass(frozen=True)
class LocationRef:
    """A location's three facts a move needs, read with other rows instead of loaded whole."""

    id: int
    code: str
    kind: str


class NotEnoughStock(Conflict):
    code = "not_enough_stock"


class StockPromised(Conflict):
    code = "stock_promised"


@dataclass(frozen=True)
class Move:
    product_id: int
    qty: int
    from_location: Location | None
    to_location: Location | None


def move_stock(
    product_id: int,
    qty: int,
    from_location: Place | None,
    to_location: Place | None,
    reason: str,
    reference: str = "",
    user_id: int | None = None,
    release_reserved: int = 0,
) -> None:
    """Move ``qty`` units; ``None`` as a location is outside the building.

    ``release_reserved`` units of the product's reservations are released in
    the same statement that takes the units out of sellable stock (shipping,
    scrapping a reserved unit), so the promise and the stock stay in step.
    """
    if qty <= 0:
        raise ValueError("a movement moves at least one unit")
    if from_location is None and to_location is None:
        raise ValueError("a movement needs a location")
    if from_location is not None and not stock.take_from_location(
        product_id, from_location.id, qty
    ):
        raise NotEnoughStock(
            _(
                "%(location)s does not hold %(qty)s of that product.",
                location=from_location.code,
                qty=qty,
            ),
            location=from_location.code,
        )
    if to_location is not None:
        stock.put_in_location(product_id, to_location.id, qty)

    was_sellable = from_location is not None and from_location.kind in SELLABLE_KINDS
    is_sellable = to_location is not None and to_location.kind in SELLABLE_KINDS
    delta = (qty if is_sellable else 0) - (qty if was_sellable else 0)
    if delta or release_reserved:
        if not stock.change_sellable(product_id, delta, release_reserved):
            raise StockPromised(
                _("Those units are promised to orders; release the orders first."),
                product_id=product_id,
            )
        outbox.emit_availability([product_id])
    db.session.execute(
        _insert_movement(),
        {
            "product_id": product_id,
            "qty": qty,
            "from_location_id": from_location.id if from_location else None,
            "to_location_id": to_location.id if to_location else None,
            "reason": reason,
            "reference": reference[:64],
            "user_id": user_id,
            "created_at": utcnow(),
        },
    )


@prebuilt
def _insert_movement() -> Any:
    return insert(Movement.__table__)


@dataclass(frozen=True)
class LedgerDifference:
    sku: str
    location: str
    on_hand: int
    from_ledger: int


def ledger_differences() -> list[LedgerDifference]:
    """On-hand per product and location, rebuilt from the ledger, compared with the stock rows."""
    m = Movement.__table__
    flows = union_all(
        select(m.c.product_id, m.c.to_location_id.label("location_id"), m.c.qty.label("qty")).where(
            m.c.to_location_id.is_not(None)
        ),
        select(
            m.c.product_id, m.c.from_location_id.label("location_id"), (-m.c.qty).label("qty")
        ).where(m.c.from_location_id.is_not(None)),
    ).subquery()
    rebuilt = (
        select(flows.c.product_id, flows.c.location_id, func.sum(flows.c.qty).label("qty"))
        .group_by(flows.c.product_id, flows.c.location_id)
        .subquery()
    )
    s = Stock.__table__
    # Full outer join, written portably: ledger side left-joined to stock, plus
    # stock rows the ledger never mentions.
    ledger_side = select(
        rebuilt.c.product_id,
        rebuilt.c.location_id,
        func.coalesce(s.c.qty_on_hand, 0).label("on_hand"),
        rebuilt.c.qty.label("from_ledger"),
    ).select_from(
        rebuilt.outerjoin(
            s,
            (s.c.product_id == rebuilt.c.product_id) & (s.c.location_id == rebuilt.c.location_id),
        )
    )
    stock_only = select(s.c.product_id, s.c.location_id, s.c.qty_on_hand, literal(0)).where(
        ~select(rebuilt.c.product_id)
        .where(
            (rebuilt.c.product_id == s.c.product_id) & (rebuilt.c.location_id == s.c.location_id)
        )
        .exists()
    )
    both = union_all(ledger_side, stock_only).subquery()
    rows = db.session.execute(
        select(Product.sku, Location.code, both.c.on_hand, both.c.from_ledger)
        .join(Product, Product.id == both.c.product_id)
        .join(Location, Location.id == both.c.location_id)
        .where(both.c.on_hand != both.c.from_ledger)
        .order_by(Product.sku, Location.code)
    )
    return [LedgerDifference(*row) for row in rows]


def sellable_differences() -> list[tuple[str, int, int]]:
    """Products whose sellable counter differs from the sum of their sellable stock rows."""
    s = Stock.__table__
    loc = Location.__table__
    summed = (
        select(
            s.c.product_id,
            func.sum(
                case((loc.c.kind.in_([k.value for k in SELLABLE_KINDS]), s.c.qty_on_hand), else_=0)
            ).label("qty"),
        )
        .join(loc, loc.c.id == s.c.location_id)
        .group_by(s.c.product_id)
        .subquery()
    )
    p = ProductStock.__table__
    rows = db.session.execute(
        select(Product.sku, p.c.qty_sellable, func.coalesce(summed.c.qty, 0))
        .join(Product, Product.id == p.c.product_id)
        .outerjoin(summed, summed.c.product_id == p.c.product_id)
        .where(p.c.qty_sellable != func.coalesce(summed.c.qty, 0))
        .order_by(Product.sku)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]
