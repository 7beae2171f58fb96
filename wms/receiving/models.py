"""Units scanned at the receiving dock and where each must go."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.base.clock import utcnow
from wms.base.i18n import N_, Text, _
from wms.core.models import Inbound
from wms.extensions import db
from wms.inventory.models import Location, Product


class Destination(StrEnum):
    CROSS_DOCK = "cross_dock"  # straight to a waiting order's staging lane
    HOLD = "hold"  # to a preorder's hold lane until release
    PUTAWAY = "putaway"  # to a shelf
    QUARANTINE = "quarantine"  # damaged, unknown, or more than the inbound expected

    @property
    def word(self) -> str:
        """The title of the receiver's card: what happens to the units."""
        return _WORDS[self]

    @property
    def css(self) -> str:
        """The card's colour, one per destination."""
        return f"dest-{self.value.replace('_', '')}"

    def label(self, code: str) -> Text:
        """The place as the receiver reads it and goes to find it: "LANE L1", "BIN A-01-1"."""
        return _(_SIGNS[self], code=code)


# The card's title (shown with ``_()``) and the place's sign, by destination.
_WORDS = {
    Destination.CROSS_DOCK: N_("Cross-dock"),
    Destination.HOLD: N_("Preorder hold"),
    Destination.PUTAWAY: N_("Put away"),
    Destination.QUARANTINE: N_("Quarantine"),
}
_SIGNS = {
    Destination.CROSS_DOCK: N_("LANE %(code)s"),
    Destination.HOLD: N_("HOLD %(code)s"),
    Destination.PUTAWAY: N_("BIN %(code)s"),
    Destination.QUARANTINE: N_("QUARANTINE %(code)s"),
}


class DockUnitStatus(StrEnum):
    ON_DOCK = "on_dock"
    CONFIRMED = "confirmed"
    UNDONE = "undone"


class DockUnit(db.Model):
    """Units received from one scan, bound for one destination.

    A scan of several units may be split over several destinations (two
    waiting orders, then a shelf): one row each, sharing ``scan_group``.
    """

    __tablename__ = "dock_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    scan_group: Mapped[str] = mapped_column(String(64), index=True)
    inbound_id: Mapped[int] = mapped_column(ForeignKey("inbounds.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    scanned_code: Mapped[str] = mapped_column(String(80))
    qty: Mapped[int] = mapped_column(Integer)
    destination: Mapped[str] = mapped_column(String(12))
    dock_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    # Units bound for quarantine are reserved while on the dock, so they are
    # never promised to an order.
    held_qty: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default=DockUnitStatus.ON_DOCK)
    received_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column()
    override_reason: Mapped[str] = mapped_column(String(100), default="")

    inbound: Mapped[Inbound] = relationship()
    product: Mapped[Product | None] = relationship()
    to_location: Mapped[Location] = relationship(foreign_keys=[to_location_id])

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        Index(
            "ix_dock_units_on_dock",
            "received_by",
            "id",
            postgresql_where=text("status = 'on_dock'"),
            sqlite_where=text("status = 'on_dock'"),
        ),
        Index("ix_dock_units_inbound", "inbound_id", "status"),
        Index("ix_dock_units_received_at", "received_at"),
    )


class ReceivingSession(db.Model):
    """Where a receiver is: the inbound being received and flags for the next scan."""

    __tablename__ = "receiving_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbounds.id"))
    dock_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    damaged_next: Mapped[bool] = mapped_column(default=False)
    qty_next: Mapped[int | None] = mapped_column(Integer)
    # What the next scan confirms when it repeats the last one ("close", "new",
    # "inbound:12", "bin:40"): anything else scanned cancels it.
    confirming: Mapped[str | None] = mapped_column(String(40))
    # Put-away in progress: units from the dock (a dock unit) or from a tote.
    putaway_unit_id: Mapped[int | None] = mapped_column(ForeignKey("dock_units.id"))
    putaway_product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    putaway_from_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    putaway_to_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    putaway_qty: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    inbound: Mapped[Inbound | None] = relationship()
    dock: Mapped[Location | None] = relationship(foreign_keys=[dock_location_id])
