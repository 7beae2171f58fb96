"""What the dock board shows: every lane with the orders in it, and orders ready to pack."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from wms.base.i18n import N_
from wms.base.numbers import order_number
from wms.core.models import (
    ORDER_STATUS_LABELS,
    LaneAssignment,
    Order,
    OrderLine,
    OrderStatus,
    StagedUnits,
)
from wms.extensions import db
from wms.inventory.models import Location, LocationKind


@dataclass
class LaneOrder:
    order_id: int
    number: str
    status: str
    position: int
    staged: int
    total: int
    first_unit_at: datetime | None

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.staged >= self.total

    @property
    def status_words(self) -> str:
        """The order's status as the board reads it ("ready to pack"): shown with ``_()``."""
        return ORDER_STATUS_LABELS.get(OrderStatus(self.status), self.status)


@dataclass
class LaneView:
    id: int
    code: str
    kind: str
    capacity: int | None
    orders: list[LaneOrder] = field(default_factory=list)

    @property
    def is_hold(self) -> bool:
        """A preorder's hold lane, rather than a staging lane."""
        return self.kind == LocationKind.HOLD_LANE

    @property
    def sign(self) -> str:
        """The word on the lane's sign: shown with ``_()``."""
        return N_("HOLD") if self.is_hold else N_("LANE")


def board(now: datetime | None = None) -> list[LaneView]:
    """Every lane with the orders in it, their completeness and since when they wait."""
    lanes = {
        row.id: LaneView(row.id, row.code, row.kind, row.capacity)
        for row in db.session.execute(
            select(Location.id, Location.code, Location.kind, Location.capacity)
            .where(
                Location.kind.in_([LocationKind.STAGING_LANE, LocationKind.HOLD_LANE]),
                Location.active.is_(True),
            )
            .order_by(Location.kind, Location.walk_seq, Location.code)
        )
    }
    rows = db.session.execute(
        select(
            LaneAssignment.lane_id,
            LaneAssignment.order_id,
            LaneAssignment.position,
            LaneAssignment.first_unit_at,
            Order.status,
        )
        .join(Order, Order.id == LaneAssignment.order_id)
        .where(LaneAssignment.released_at.is_(None))
        .order_by(LaneAssignment.lane_id, LaneAssignment.position)
    ).all()
    order_ids = [r.order_id for r in rows]
    staged = _staged_in_lanes(order_ids)
    totals = _units_to_ship(order_ids)
    for r in rows:
        if r.lane_id in lanes:
            lanes[r.lane_id].orders.append(
                LaneOrder(
                    r.order_id,
                    order_number(r.order_id),
                    r.status,
                    r.position,
                    staged.get(r.order_id, 0),
                    totals.get(r.order_id, 0),
                    r.first_unit_at,
                )
            )
    return list(lanes.values())


def _staged_in_lanes(order_ids: list[int]) -> dict[int, int]:
    if not order_ids:
        return {}
    st = StagedUnits.__table__
    rows = db.session.execute(
        select(st.c.order_id, func.sum(st.c.qty))
        .join(Location, Location.id == st.c.location_id)
        .where(
            st.c.order_id.in_(order_ids),
            Location.kind.in_([LocationKind.STAGING_LANE, LocationKind.HOLD_LANE]),
        )
        .group_by(st.c.order_id)
    ).all()
    return {oid: int(q or 0) for oid, q in rows}


def _units_to_ship(order_ids: list[int]) -> dict[int, int]:
    if not order_ids:
        return {}
    lines = OrderLine.__table__
    rows = db.session.execute(
        select(lines.c.order_id, func.sum(lines.c.qty - lines.c.qty_cancelled))
        .where(lines.c.order_id.in_(order_ids))
        .group_by(lines.c.order_id)
    ).all()
    return {oid: int(q or 0) for oid, q in rows}


def ready_to_pack_orders(limit: int = 50) -> list[Any]:
    return db.session.execute(
        select(Order.id, Order.status, Order.priority, Order.placed_at)
        .where(Order.status == OrderStatus.READY_TO_PACK)
        .order_by(Order.priority, Order.placed_at)
        .limit(limit)
    ).all()
