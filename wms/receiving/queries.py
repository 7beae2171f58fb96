"""What the receiving screens and the desk read: the units on the dock, an inbound's
tally, an order's progress, the report's sentence. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, bindparam, func, select, true

from wms.base.clock import day_bounds, utcnow
from wms.base.i18n import Joined, Text, _, n_
from wms.core.ledger import LocationRef
from wms.core.models import OPEN_STATUSES, Inbound, InboundLine, Order, OrderLine, StagedUnits
from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Location, Product
from wms.receiving.models import Destination, DockUnit, DockUnitStatus

# ------------------------------------------------------------------ the dock


@dataclass(frozen=True)
class PendingUnit:
    """Units on the dock not yet taken where they go, with what confirming them needs."""

    id: int
    product_id: int | None
    sku: str | None
    scanned_code: str
    qty: int
    destination: str
    dock: LocationRef
    to_location_id: int
    to_code: str
    order_line_id: int | None
    order_id: int | None
    line_no: int | None
    channel_id: int | None
    held_qty: int
    received_at: datetime
    reference: str

    @property
    def label(self) -> Text:
        """Where the receiver takes the units: "LANE L1"."""
        return Destination(self.destination).label(self.to_code)


@prebuilt
def _pending_query() -> Any:
    du = DockUnit.__table__
    dock = Location.__table__.alias("dock")
    to = Location.__table__.alias("dest")
    products = Product.__table__
    lines = OrderLine.__table__
    orders = Order.__table__
    inbounds = Inbound.__table__
    return (
        select(
            du.c.id,
            du.c.product_id,
            products.c.sku,
            du.c.scanned_code,
            du.c.qty,
            du.c.destination,
            dock.c.id.label("dock_id"),
            dock.c.code.label("dock_code"),
            dock.c.kind.label("dock_kind"),
            du.c.to_location_id,
            to.c.code.label("to_code"),
            du.c.order_line_id,
            lines.c.order_id,
            lines.c.line_no,
            orders.c.channel_id,
            du.c.held_qty,
            du.c.received_at,
            inbounds.c.reference,
        )
        .select_from(du)
        .join(dock, dock.c.id == du.c.dock_location_id)
        .join(to, to.c.id == du.c.to_location_id)
        .join(inbounds, inbounds.c.id == du.c.inbound_id)
        .outerjoin(products, products.c.id == du.c.product_id)
        .outerjoin(lines, lines.c.id == du.c.order_line_id)
        .outerjoin(orders, orders.c.id == lines.c.order_id)
        .where(du.c.status == DockUnitStatus.ON_DOCK)
        .order_by(du.c.id)
    )


def _pending(row: Any) -> PendingUnit:
    return PendingUnit(
        id=row.id,
        product_id=row.product_id,
        sku=row.sku,
        scanned_code=row.scanned_code,
        qty=row.qty,
        destination=row.destination,
        dock=LocationRef(row.dock_id, row.dock_code, row.dock_kind),
        to_location_id=row.to_location_id,
        to_code=row.to_code,
        order_line_id=row.order_line_id,
        order_id=row.order_id,
        line_no=row.line_no,
        channel_id=row.channel_id,
        held_qty=row.held_qty,
        received_at=row.received_at,
        reference=row.reference,
    )


_pending_of_user = prebuilt(
    lambda: _pending_query().where(DockUnit.__table__.c.received_by == bindparam("user_id"))
)
_pending_by_id = prebuilt(
    lambda: _pending_query().where(DockUnit.__table__.c.id == bindparam("unit_id"))
)


def pending_units(user_id: int | None = None) -> list[PendingUnit]:
    """Units on the dock not yet taken where they go (of one receiver, or everyone's)."""
    if user_id is None:
        rows = db.session.execute(_pending_query())
    else:
        rows = db.session.execute(_pending_of_user(), {"user_id": user_id})
    return [_pending(row) for row in rows]


def pending_unit(unit_id: int) -> PendingUnit | None:
    """One dock unit still on the dock, or None once it was confirmed or undone."""
    row = db.session.execute(_pending_by_id(), {"unit_id": unit_id}).first()
    return _pending(row) if row is not None else None


def dwell_minutes(since: datetime, now: datetime | None = None) -> int:
    return max(0, int(((now or utcnow()) - since).total_seconds() // 60))


# ------------------------------------------------------------------ the screen


@dataclass(frozen=True)
class Panels:
    """What the receive screen shows beside the answer: the receiver's units on the dock,
    and the inbound's tally when it is drawn (None when a scan left it as it was)."""

    pending: list[PendingUnit]
    now: datetime
    tally: list[TallyLine] | None = None
    summary: TallySummary | None = None

    def minutes_on_dock(self, unit: PendingUnit) -> int:
        return dwell_minutes(unit.received_at, self.now)


def panels(
    inbound_id: int | None,
    user_id: int,
    with_tally: bool = True,
    pending: list[PendingUnit] | None = None,
) -> Panels:
    """The receive screen's panels; the tally only ``with_tally`` (``pending`` when known)."""
    if pending is None:
        pending = pending_units(user_id)
    if not with_tally or inbound_id is None:
        return Panels(pending, utcnow())
    lines, summary = recent_tally(inbound_id, user_id)
    return Panels(pending, utcnow(), lines, summary)


def order_progress(order_id: int) -> tuple[int, int]:
    """(units set aside for the order, units it ships) — '2 of 3 units'."""
    staged, total = db.session.execute(_progress(), {"order_id": order_id}).one()
    return int(staged or 0), int(total or 0)


@prebuilt
def _progress() -> Any:
    lines = OrderLine.__table__
    st = StagedUnits.__table__
    staged = (
        select(func.coalesce(func.sum(st.c.qty), 0))
        .where(st.c.order_id == bindparam("order_id"))
        .scalar_subquery()
    )
    return select(staged, func.sum(lines.c.qty - lines.c.qty_cancelled)).where(
        lines.c.order_id == bindparam("order_id")
    )


# ------------------------------------------------------------------ the tally


@dataclass(frozen=True)
class TallyLine:
    sku: str
    name: str
    expected: int
    received: int
    damaged: int

    @property
    def short(self) -> int:
        return max(0, self.expected - self.received)

    @property
    def over(self) -> int:
        return max(0, self.received - self.expected)


def _tally_lines() -> Any:
    """The columns of a ``TallyLine``, per inbound line."""
    return select(
        Product.sku,
        Product.name,
        InboundLine.qty_expected,
        InboundLine.qty_received,
        InboundLine.qty_damaged,
    ).join(Product, Product.id == InboundLine.product_id)


def tally(inbound_id: int, product_ids: list[int] | None = None) -> list[TallyLine]:
    """Received against expected, per line of the inbound (or for some products only)."""
    stmt = _tally_lines().where(InboundLine.inbound_id == inbound_id).order_by(InboundLine.id)
    if product_ids is not None:
        stmt = stmt.where(InboundLine.product_id.in_(product_ids))
    return [TallyLine(*row) for row in db.session.execute(stmt)]


@dataclass(frozen=True)
class TallySummary:
    lines: int
    lines_started: int
    expected: int
    received: int
    damaged: int


def recent_tally(
    inbound_id: int, user_id: int, limit: int = 8
) -> tuple[list[TallyLine], TallySummary]:
    """The lines this receiver scanned last, most recent first, and the whole inbound's
    summary: the tally at a glance, in one statement."""
    rows = db.session.execute(
        _recent(), {"inbound_id": inbound_id, "user_id": user_id, "limit": limit}
    ).all()
    summary = TallySummary(*(int(v) for v in rows[0][:5]))
    return [TallyLine(*row[5:]) for row in rows if row.sku is not None], summary


@prebuilt
def _recent() -> Any:
    il = InboundLine.__table__
    # The inbound's sums, one row; the receiver's last lines are joined to it (none on a
    # first scan), so the sums are worked out once, not once per line.
    summary = (
        select(
            func.count().label("lines"),
            func.count().filter(il.c.qty_received > 0).label("started"),
            func.coalesce(func.sum(il.c.qty_expected), 0).label("expected"),
            func.coalesce(func.sum(il.c.qty_received), 0).label("received"),
            func.coalesce(func.sum(il.c.qty_damaged), 0).label("damaged"),
        )
        .where(il.c.inbound_id == bindparam("inbound_id"))
        .subquery()
    )
    last = (
        select(DockUnit.product_id, func.max(DockUnit.id).label("last"))
        .where(
            DockUnit.inbound_id == bindparam("inbound_id"),
            DockUnit.received_by == bindparam("user_id"),
            DockUnit.product_id.is_not(None),
        )
        .group_by(DockUnit.product_id)
        .order_by(func.max(DockUnit.id).desc())
        .limit(bindparam("limit", type_=Integer))
        .subquery()
    )
    lines = (
        _tally_lines()
        .add_columns(last.c.last)
        .join(last, last.c.product_id == InboundLine.product_id)
        .where(InboundLine.inbound_id == bindparam("inbound_id"))
        .subquery()
    )
    return (
        select(
            summary.c.lines,
            summary.c.started,
            summary.c.expected,
            summary.c.received,
            summary.c.damaged,
            lines.c.sku,
            lines.c.name,
            lines.c.qty_expected,
            lines.c.qty_received,
            lines.c.qty_damaged,
        )
        .select_from(summary)
        .outerjoin(lines, true())
        .order_by(lines.c.last.desc())
    )


# ------------------------------------------------------------------ inbounds


def inbounds_due(day: date, limit: int = 30) -> list[Inbound]:
    """Open inbounds expected by the end of ``day``, earliest first: the receiver's list."""
    end = day_bounds(day)[1]  # the warehouse's midnight after it
    return list(
        db.session.scalars(
            select(Inbound)
            .where(Inbound.status.in_([s.value for s in OPEN_STATUSES]), Inbound.expected_at < end)
            .order_by(Inbound.expected_at)
            .limit(limit)
        )
    )


def unknown_units(inbound_id: int) -> list[DockUnit]:
    return list(
        db.session.scalars(
            select(DockUnit).where(
                DockUnit.inbound_id == inbound_id,
                DockUnit.product_id.is_(None),
                DockUnit.status != DockUnitStatus.UNDONE,
            )
        )
    )


def closing_sentence(inbound_id: int) -> Text:
    """What the discrepancy report says, in one sentence for the receiver."""
    inbound = db.session.get(Inbound, inbound_id)
    lines = tally(inbound_id)
    short, over, damaged = (
        sum(t.short for t in lines),
        sum(t.over for t in lines),
        sum(t.damaged for t in lines),
    )
    parts: list[Text | str] = []
    if short:
        parts.append(n_("%(num)s short", "%(num)s short", short))
    if over:
        parts.append(_("%(num)s over", num=over))
    if damaged:
        parts.append(n_("%(num)s damaged", "%(num)s damaged", damaged))
    said = Joined(parts, ", ") if parts else _("everything as expected")
    reference = inbound.reference if inbound is not None else "—"
    return _(
        "%(reference)s closed: %(said)s. The report is on the desk.", reference=reference, said=said
    )
