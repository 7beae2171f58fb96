"""Products, barcodes, locations, stock per location and the movement ledger."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.base.clock import utcnow
from wms.base.i18n import N_
from wms.base.types import BigId
from wms.extensions import db


class LocationKind(StrEnum):
    RECEIVING = "receiving"
    BIN = "bin"
    STAGING_LANE = "staging_lane"
    HOLD_LANE = "hold_lane"
    TOTE = "tote"
    PACKING = "packing"
    SHIPPING_DOCK = "shipping_dock"
    RETURNS = "returns"
    QUARANTINE = "quarantine"
    REWORK = "rework"
    EXCEPTIONS = "exceptions"


# A place's kind as people name it: marked here, shown with ``_()``.
LOCATION_KIND_LABELS = {
    LocationKind.RECEIVING: N_("receiving dock"),
    LocationKind.BIN: N_("bin"),
    LocationKind.STAGING_LANE: N_("lane"),
    LocationKind.HOLD_LANE: N_("hold lane"),
    LocationKind.TOTE: N_("tote"),
    LocationKind.PACKING: N_("pack station"),
    LocationKind.SHIPPING_DOCK: N_("shipping dock"),
    LocationKind.RETURNS: N_("returns bench"),
    LocationKind.QUARANTINE: N_("quarantine"),
    LocationKind.REWORK: N_("rework area"),
    LocationKind.EXCEPTIONS: N_("exceptions area"),
}

# Stock in these locations can be promised to orders; the rest (awaiting a
# grade, damaged, being reworked, unexplained) cannot.
SELLABLE_KINDS = frozenset(
    {
        LocationKind.RECEIVING,
        LocationKind.BIN,
        LocationKind.STAGING_LANE,
        LocationKind.HOLD_LANE,
        LocationKind.TOTE,
        LocationKind.PACKING,
        LocationKind.SHIPPING_DOCK,
    }
)


class BarcodeKind(StrEnum):
    EAN13 = "ean13"
    UPC = "upc"
    VENDOR = "vendor"
    INTERNAL = "internal"


# A barcode's kind as people name it (shown with ``_()``).
BARCODE_KIND_LABELS = {
    BarcodeKind.EAN13: N_("EAN-13"),
    BarcodeKind.UPC: N_("UPC"),
    BarcodeKind.VENDOR: N_("vendor's code"),
    BarcodeKind.INTERNAL: N_("internal code"),
}


class Product(db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    weight_g: Mapped[int] = mapped_column(Integer, default=0)
    length_mm: Mapped[int] = mapped_column(Integer, default=0)
    width_mm: Mapped[int] = mapped_column(Integer, default=0)
    height_mm: Mapped[int] = mapped_column(Integer, default=0)
    unit_cost_cents: Mapped[int] = mapped_column(Integer, default=0)
    allow_backorder: Mapped[bool] = mapped_column(default=True)
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)
    release_on: Mapped[date | None] = mapped_column(Date)
    preorder_cap: Mapped[int | None] = mapped_column(Integer)
    estimated_ship_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    barcodes: Mapped[list[Barcode]] = relationship(
        back_populates="product", order_by="Barcode.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("safety_stock >= 0", name="safety_stock_not_negative"),
        CheckConstraint(
            "preorder_cap IS NULL OR preorder_cap >= 0", name="preorder_cap_not_negative"
        ),
    )

    def is_preorder_on(self, day: date) -> bool:
        return self.release_on is not None and day < self.release_on

    def __repr__(self) -> str:
        return f"<Product {self.sku}>"


class Barcode(db.Model):
    __tablename__ = "barcodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=BarcodeKind.INTERNAL)
    # A case barcode stands for several units.
    units: Mapped[int] = mapped_column(Integer, default=1)

    product: Mapped[Product] = relationship(back_populates="barcodes")

    __table_args__ = (CheckConstraint("units >= 1", name="units_positive"),)


class Location(db.Model):
    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(20), index=True)
    zone: Mapped[str] = mapped_column(String(20), default="")
    walk_seq: Mapped[int] = mapped_column(Integer, default=0)
    capacity: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when a bin may hold less than the ledger says (a short pick); a finished
    # cycle count of the bin clears it.
    count_requested_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (Index("ix_locations_kind_walk", "kind", "walk_seq"),)

    @property
    def kind_label(self) -> str:
        """What the place is, marked for the catalog: show it with ``_()``."""
        return LOCATION_KIND_LABELS.get(LocationKind(self.kind), self.kind)

    @property
    def sellable(self) -> bool:
        return self.kind in SELLABLE_KINDS

    def __repr__(self) -> str:
        return f"<Location {self.code}>"


class Stock(db.Model):
    """Units of one product in one location, kept in step with the ledger."""

    __tablename__ = "stock"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    qty_on_hand: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship()
    location: Mapped[Location] = relationship()

    __table_args__ = (
        UniqueConstraint("product_id", "location_id", name="uq_stock_product_location"),
        CheckConstraint("qty_on_hand >= 0", name="qty_on_hand_not_negative"),
    )


class ProductStock(db.Model):
    """Per-product counters that reservations change atomically.

    ``qty_sellable`` is the sum of on-hand in sellable locations, kept in step
    by the ledger service; ``qty_reserved`` is what orders (and units routed
    to quarantine but not yet moved) hold. The database itself refuses a
    reservation beyond what is on hand.
    """

    __tablename__ = "product_stock"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    qty_sellable: Mapped[int] = mapped_column(Integer, default=0)
    qty_reserved: Mapped[int] = mapped_column(Integer, default=0)
    qty_preordered: Mapped[int] = mapped_column(Integer, default=0)
    # Units on order lines waiting for stock (backorders and preorders).
    qty_waiting: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        CheckConstraint("qty_sellable >= 0", name="sellable_not_negative"),
        CheckConstraint("qty_reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("qty_reserved <= qty_sellable", name="reserved_within_sellable"),
        CheckConstraint("qty_preordered >= 0", name="preordered_not_negative"),
        CheckConstraint("qty_waiting >= 0", name="waiting_not_negative"),
    )


class Movement(db.Model):
    """One row of the append-only ledger. ``None`` as a location is outside the building."""

    __tablename__ = "movements"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    qty: Mapped[int] = mapped_column(Integer)
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    reason: Mapped[str] = mapped_column(String(24))
    reference: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
    from_location: Mapped[Location | None] = relationship(foreign_keys=[from_location_id])
    to_location: Mapped[Location | None] = relationship(foreign_keys=[to_location_id])

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint(
            "from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_a_location"
        ),
        Index("ix_movements_product_id", "product_id", "id"),
        Index("ix_movements_created_at", "created_at"),
        Index("ix_movements_reference", "reference"),
    )
