"""Staging lanes at the shipping dock and the orders assigned to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.core.clock import utcnow
from wms.extensions import db
from wms.inventory.models import Location


class LaneOccupancy(db.Model):
    """How many orders a lane (or hold lane) holds; a guarded counter keeps it in capacity."""

    __tablename__ = "lane_occupancy"

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    orders_assigned: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("orders_assigned >= 0", name="not_negative"),)


class LaneAssignment(db.Model):
    """An order's place in a lane, from its first cross-docked unit until it leaves."""

    __tablename__ = "lane_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    lane_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    position: Mapped[int] = mapped_column(Integer)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_unit_at: Mapped[datetime | None] = mapped_column()
    released_at: Mapped[datetime | None] = mapped_column()

    lane: Mapped[Location] = relationship()

    __table_args__ = (
        Index(
            "ix_lane_assignments_open_order",
            "order_id",
            unique=True,
            postgresql_where=text("released_at IS NULL"),
            sqlite_where=text("released_at IS NULL"),
        ),
        Index("ix_lane_assignments_lane", "lane_id", "released_at"),
    )
