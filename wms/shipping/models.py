"""Box types, pack stations, and parcels with their label purchase record."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.base.clock import utcnow
from wms.extensions import db
from wms.inventory.models import Location, Product


class BoxType(db.Model):
    """A carton the packers choose by scanning its code; admins keep the list."""

    __tablename__ = "box_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    length_mm: Mapped[int] = mapped_column(Integer)
    width_mm: Mapped[int] = mapped_column(Integer)
    height_mm: Mapped[int] = mapped_column(Integer)
    tare_g: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        CheckConstraint(
            "length_mm > 0 AND width_mm > 0 AND height_mm > 0", name="dimensions_positive"
        ),
        CheckConstraint("tare_g >= 0", name="tare_not_negative"),
    )

    @property
    def dimensions(self) -> str:
        return f"{self.length_mm} x {self.width_mm} x {self.height_mm} mm"


class PackStation(db.Model):
    """A packing location's equipment: the thermal label printer's raw TCP address."""

    __tablename__ = "pack_stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), unique=True)
    printer_host: Mapped[str] = mapped_column(String(200), default="")
    printer_port: Mapped[int] = mapped_column(Integer, default=9100)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    location: Mapped[Location] = relationship()

    __table_args__ = (
        CheckConstraint("printer_port > 0 AND printer_port < 65536", name="port_in_range"),
    )

    @property
    def has_printer(self) -> bool:
        return bool(self.printer_host)


class ParcelStatus(StrEnum):
    OPEN = "open"  # items being verified, box and weight to come
    PACKED = "packed"  # verified, boxed, weighed: ready for a label
    LABELLED = "labelled"  # label bought
    SHIPPED = "shipped"


class LabelState(StrEnum):
    """Where the label purchase stands; written (and committed) before each carrier call."""

    NONE = ""
    BUYING = "buying"  # a request is talking to the carrier now (until claimed_until)
    UNCERTAIN = "uncertain"  # the carrier did not say: look for the label, buy nothing
    FAILED = "failed"  # the carrier refused; nothing was bought
    RELEASED = "released"  # a supervisor let an unconfirmed purchase be made again
    BOUGHT = "bought"


class Parcel(db.Model):
    """One box of an order, from the first verifying scan to the truck.

    ``label_key`` identifies the parcel to the carrier (Shippo keeps it as the
    transaction's metadata): asking again with the same key finds the label
    already bought instead of buying a second one.
    """

    __tablename__ = "parcels"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    packer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(12), default=ParcelStatus.OPEN)
    label_key: Mapped[str] = mapped_column(String(100), unique=True)
    box_type_id: Mapped[int | None] = mapped_column(ForeignKey("box_types.id"))
    weight_g: Mapped[int | None] = mapped_column(Integer)
    # Rates quoted for the parcel as it is now, and the one the packer takes.
    carrier_code: Mapped[str] = mapped_column(String(16), default="")
    rates: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rate_id: Mapped[str] = mapped_column(String(100), default="")
    # The purchase record.
    label_state: Mapped[str] = mapped_column(String(12), default=LabelState.NONE)
    label_attempts: Mapped[int] = mapped_column(Integer, default=0)
    label_attempted_at: Mapped[datetime | None] = mapped_column()
    label_claimed_until: Mapped[datetime | None] = mapped_column()
    label_error: Mapped[str] = mapped_column(String(300), default="")
    # The label bought.
    carrier: Mapped[str] = mapped_column(String(64), default="")
    service: Mapped[str] = mapped_column(String(100), default="")
    tracking_number: Mapped[str] = mapped_column(String(64), default="")
    tracking_url: Mapped[str] = mapped_column(String(500), default="")
    transaction_id: Mapped[str] = mapped_column(String(100), default="")
    label_format: Mapped[str] = mapped_column(String(12), default="")
    label_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    # What the label cost, in minor units of its currency (410 EUR cents, 4000 JPY).
    label_amount_minor: Mapped[int | None] = mapped_column(Integer)
    label_currency: Mapped[str] = mapped_column(String(3), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    touched_at: Mapped[datetime] = mapped_column(default=utcnow)
    packed_at: Mapped[datetime | None] = mapped_column()
    labelled_at: Mapped[datetime | None] = mapped_column()
    shipped_at: Mapped[datetime | None] = mapped_column()

    box_type: Mapped[BoxType | None] = relationship()
    location: Mapped[Location] = relationship()
    lines: Mapped[list[ParcelLine]] = relationship(
        back_populates="parcel", order_by="ParcelLine.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # One parcel at a time per order: a second packer resumes it.
        Index(
            "uq_parcels_unshipped_order",
            "order_id",
            unique=True,
            postgresql_where=text("status <> 'shipped'"),
            sqlite_where=text("status <> 'shipped'"),
        ),
        Index("ix_parcels_packer", "packer_id", "location_id", "touched_at"),
        Index("ix_parcels_tracking_number", "tracking_number"),
        Index("ix_parcels_shipped_at", "shipped_at"),
        CheckConstraint("weight_g IS NULL OR weight_g > 0", name="weight_positive"),
        CheckConstraint("label_attempts >= 0", name="attempts_not_negative"),
    )


class ParcelLine(db.Model):
    """Units of one order line going into the parcel, and how many were scanned in."""

    __tablename__ = "parcel_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    qty: Mapped[int] = mapped_column(Integer)
    qty_verified: Mapped[int] = mapped_column(Integer, default=0)

    parcel: Mapped[Parcel] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        UniqueConstraint("parcel_id", "order_line_id", name="uq_parcel_lines_parcel_line"),
        CheckConstraint("qty >= 0", name="qty_not_negative"),
        CheckConstraint("qty_verified >= 0 AND qty_verified <= qty", name="verified_within_qty"),
    )
