"""Staging lanes: which order waits in which lane, each lane's order counter kept in capacity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, or_, select, update

from wms.base.clock import utcnow
from wms.core import stock
from wms.core.models import LaneAssignment, LaneOccupancy
from wms.database import for_update, is_postgres, prebuilt
from wms.extensions import db
from wms.inventory.models import Location, LocationKind

occ_t = LaneOccupancy.__table__
assign_t = LaneAssignment.__table__


@dataclass(frozen=True)
class Lane:
    id: int
    code: str
    kind: str


def assign_lane(order_id: int, kind: str = LocationKind.STAGING_LANE) -> Lane | None:
    """Give an order that has no lane yet a lane with room, or None when every lane is full.

    Lanes fill in walking order, so the far lanes stay free for the next
    big order.
    """
    lane = _take_a_place(kind)
    if lane is None:
        return None
    lane_id, code, lane_kind, position = lane
    assigned = db.session.execute(
        _assign(),
        {"order_id": order_id, "lane_id": lane_id, "position": position, "assigned_at": utcnow()},
    ).first()
    if assigned is not None:
        return Lane(lane_id, code, lane_kind)
    # Another receiver gave the order a lane at the same moment (for another of its
    # lines): give back the place just taken and use that lane.
    db.session.execute(_count_one_less(), {"lane_id": lane_id})
    current = db.session.execute(_open_lane(), {"order_id": order_id}).first()
    return Lane(*current) if current is not None else None


@prebuilt
def _assign() -> Any:
    # The order's one open assignment is guarded by a unique index.
    return (
        stock.upsert(assign_t)
        .on_conflict_do_nothing(
            index_elements=[assign_t.c.order_id], index_where=assign_t.c.released_at.is_(None)
        )
        .returning(assign_t.c.id)
    )


@prebuilt
def _open_lane() -> Any:
    return (
        select(Location.id, Location.code, Location.kind)
        .join(LaneAssignment, LaneAssignment.lane_id == Location.id)
        .where(
            LaneAssignment.order_id == bindparam("order_id"), LaneAssignment.released_at.is_(None)
        )
    )


@prebuilt
def _count_one_less() -> Any:
    return (
        update(occ_t)
        .where(occ_t.c.location_id == bindparam("lane_id"), occ_t.c.orders_assigned > 0)
        .values(orders_assigned=occ_t.c.orders_assigned - 1)
    )


@prebuilt
def _uncounted_lanes() -> Any:
    return (
        select(Location.id)
        .outerjoin(occ_t, occ_t.c.location_id == Location.id)
        .where(Location.kind == bindparam("kind"), occ_t.c.location_id.is_(None))
    )


def _count_new_lanes(kind: str) -> bool:
    """Lanes made since the last assignment get their order counter; True if there were any."""
    missing = list(db.session.scalars(_uncounted_lanes(), {"kind": kind}))
    if missing:
        db.session.execute(
            stock.upsert(occ_t)
            .values([{"location_id": lane_id, "orders_assigned": 0} for lane_id in missing])
            .on_conflict_do_nothing(index_elements=["location_id"])
        )
    return bool(missing)


def _take_a_place(kind: str) -> tuple[int, str, str, int] | None:
    """The first lane in walking order with room, its counter locked and raised.

    Receivers working at the same moment skip a lane another one is counting
    into, so they never queue behind each other; if every lane with room is
    busy, the last try waits for one. The same query says whether a lane
    has no counter yet (it was made since the last assignment): that lane is
    counted and the choice made again, as it may come first in walking order.
    """
    row = db.session.execute(_lane_with_room_skipping(), {"kind": kind}).first()
    if (row is None or row.uncounted) and _count_new_lanes(kind):
        row = db.session.execute(_lane_with_room_skipping(), {"kind": kind}).first()
    if row is None and is_postgres():
        # SQLite has one writer at a time: the first try saw every lane.
        row = db.session.execute(_lane_with_room_waiting(), {"kind": kind}).first()
    if row is None:
        return None
    db.session.execute(_count_one_more(), {"lane_id": row.id})
    return row.id, row.code, row.kind, int(row.orders_assigned) + 1


def _lane_with_room(skip_locked: bool) -> Any:
    new_lane = Location.__table__.alias("new_lane")
    new_count = occ_t.alias("new_count")
    uncounted = (
        select(new_lane.c.id)
        .outerjoin(new_count, new_count.c.location_id == new_lane.c.id)
        .where(new_lane.c.kind == bindparam("kind"), new_count.c.location_id.is_(None))
        .exists()
    )
    stmt = (
        select(
            Location.id,
            Location.code,
            Location.kind,
            occ_t.c.orders_assigned,
            uncounted.label("uncounted"),
        )
        .join(occ_t, occ_t.c.location_id == Location.id)
        .where(
            Location.kind == bindparam("kind"),
            Location.active.is_(True),
            or_(Location.capacity.is_(None), occ_t.c.orders_assigned < Location.capacity),
        )
        .order_by(Location.walk_seq, Location.code)
        .limit(1)
    )
    return for_update(stmt, of=occ_t, skip_locked=skip_locked)


_lane_with_room_skipping = prebuilt(lambda: _lane_with_room(True))
_lane_with_room_waiting = prebuilt(lambda: _lane_with_room(False))


@prebuilt
def _count_one_more() -> Any:
    return (
        update(occ_t)
        .where(occ_t.c.location_id == bindparam("lane_id"))
        .values(orders_assigned=occ_t.c.orders_assigned + 1)
    )


@prebuilt
def _first_unit() -> Any:
    return (
        update(assign_t)
        .where(
            assign_t.c.order_id == bindparam("b_order_id"),
            assign_t.c.released_at.is_(None),
            assign_t.c.first_unit_at.is_(None),
        )
        .values(first_unit_at=bindparam("now"))
    )


def mark_first_unit(order_id: int) -> None:
    db.session.execute(_first_unit(), {"b_order_id": order_id, "now": utcnow()})


def release_lane(order_id: int) -> None:
    """The order left its lane (packed, cancelled, or its units taken back)."""
    lane_id = db.session.scalar(
        update(assign_t)
        .where(assign_t.c.order_id == order_id, assign_t.c.released_at.is_(None))
        .values(released_at=utcnow())
        .returning(assign_t.c.lane_id)
    )
    if lane_id is not None:
        db.session.execute(_count_one_less(), {"lane_id": lane_id})
