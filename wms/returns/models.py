"""Return authorisations (RMAs), their lines, the units that came back, and the clerk's place."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms.base.clock import utcnow
from wms.base.i18n import N_, Np_
from wms.base.i18n import Text as Words
from wms.base.numbers import rma_number
from wms.core.models import Order
from wms.extensions import db
from wms.inventory.models import Location, Product


class ReturnStatus(StrEnum):
    AUTHORISED = "authorised"  # nothing has come back yet
    RECEIVING = "receiving"  # some units are back
    RECEIVED = "received"  # every unit is back, or the clerk said the parcel is done
    CLOSED = "closed"  # every line has a decision
    CANCELLED = "cancelled"


# Statuses in which units may still be received against the RMA.
OPEN_FOR_RECEIVING = (ReturnStatus.AUTHORISED, ReturnStatus.RECEIVING, ReturnStatus.RECEIVED)


class ReturnReason(StrEnum):
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    DEFECTIVE = "defective"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    OTHER = "other"


class Wish(StrEnum):
    """What the customer asked for."""

    REFUND = "refund"
    EXCHANGE = "exchange"


class Grade(StrEnum):
    RESELLABLE = "resellable"
    REWORK = "rework"
    DAMAGED = "damaged"
    NOT_OURS = "not_ours"  # not on the RMA, or not what we sold


class Decision(StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"
    STORE_CREDIT = "store_credit"
    REJECTED = "rejected"


class LabelStatus(StrEnum):
    NONE = "none"
    BUYING = "buying"  # the attempt is recorded; the carrier may be answering now
    BOUGHT = "bought"
    FAILED = "failed"  # the carrier refused: nothing was bought, a new attempt may buy
    UNCERTAIN = "uncertain"  # the carrier did not say: look for the label, buy nothing
    RELEASED = "released"  # a supervisor let an unconfirmed purchase be made again


# Stored words as people read them (shown with ``_()``).
RETURN_STATUS_LABELS = {
    ReturnStatus.AUTHORISED: Np_("return status", "authorised"),
    ReturnStatus.RECEIVING: Np_("return status", "receiving"),
    ReturnStatus.RECEIVED: Np_("return status", "received"),
    ReturnStatus.CLOSED: Np_("return status", "closed"),
    ReturnStatus.CANCELLED: Np_("return status", "cancelled"),
}
LABEL_STATUS_LABELS = {
    LabelStatus.NONE: N_("no label"),
    LabelStatus.BUYING: N_("label being bought"),
    LabelStatus.BOUGHT: N_("label bought"),
    LabelStatus.FAILED: N_("label failed"),
    LabelStatus.UNCERTAIN: N_("label not confirmed"),
    LabelStatus.RELEASED: N_("label released"),
}
WISH_LABELS = {Wish.REFUND: N_("refund"), Wish.EXCHANGE: N_("exchange")}
GRADE_LABELS = {
    Grade.RESELLABLE: N_("resellable"),
    Grade.REWORK: N_("rework"),
    Grade.DAMAGED: N_("damaged"),
    Grade.NOT_OURS: N_("not ours"),
}
OUTCOME_LABELS = {
    "released": N_("released"),
    "scrapped": N_("scrapped"),
    "resolved": N_("dealt with"),
}


def label_of(labels: dict[Any, Any], value: str | None) -> str | Words:
    """The words for a stored value, to show with ``_()`` (the value itself if unknown)."""
    return labels.get(value, value or "")


DECISION_LABELS = {
    Decision.REFUND: N_("refund"),
    Decision.EXCHANGE: N_("exchange"),
    Decision.STORE_CREDIT: N_("store credit"),
    Decision.REJECTED: N_("rejected"),
}


class ReturnAuthorisation(db.Model):
    """An RMA: which shipped units of an order may come back, and its return label."""

    __tablename__ = "return_authorisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    # The channel's own id for the return; none for RMAs made on the desk.
    external_id: Mapped[str | None] = mapped_column(String(64))
    body_hash: Mapped[str] = mapped_column(String(64), default="")
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=ReturnStatus.AUTHORISED)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    received_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()

    label_status: Mapped[str] = mapped_column(String(10), default=LabelStatus.NONE)
    label_key: Mapped[str] = mapped_column(String(64), default="")
    label_attempt_at: Mapped[datetime | None] = mapped_column()
    label_error: Mapped[str] = mapped_column(String(300), default="")
    label_format: Mapped[str] = mapped_column(String(10), default="")
    label_bytes: Mapped[bytes | None] = mapped_column(LargeBinary)
    carrier: Mapped[str] = mapped_column(String(40), default="")
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    tracking_url: Mapped[str] = mapped_column(String(300), default="")
    # What the label cost, in minor units of its currency (410 EUR cents, 4000 JPY).
    label_amount_minor: Mapped[int | None] = mapped_column(Integer)
    label_currency: Mapped[str] = mapped_column(String(3), default="")

    order: Mapped[Order] = relationship()
    lines: Mapped[list[ReturnLine]] = relationship(
        back_populates="rma", order_by="ReturnLine.line_no", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("channel_id", "external_id", name="uq_return_authorisations_external"),
        Index("ix_return_authorisations_status", "status", "id"),
        Index("ix_return_authorisations_tracking", "tracking_number"),
        Index("ix_return_authorisations_created_at", "created_at"),
    )

    @property
    def status_label(self) -> str | Words:
        """The status in words to show with ``_()``."""
        return label_of(RETURN_STATUS_LABELS, self.status)

    @property
    def number(self) -> str:
        return rma_number(self.id)

    @property
    def open_for_receiving(self) -> bool:
        return self.status in OPEN_FOR_RECEIVING

    @property
    def is_closed(self) -> bool:
        """Cancelled or closed: nothing more comes back and it needs no label."""
        return self.status in (ReturnStatus.CANCELLED, ReturnStatus.CLOSED)

    @property
    def can_cancel(self) -> bool:
        """Authorised and nothing came back yet."""
        return self.status == ReturnStatus.AUTHORISED

    @property
    def takes_decisions(self) -> bool:
        return self.status != ReturnStatus.CANCELLED

    @property
    def has_label(self) -> bool:
        return self.label_status == LabelStatus.BOUGHT

    @property
    def needs_label(self) -> bool:
        """Still open and without a bought label: the desk offers to buy one."""
        return not self.has_label and not self.is_closed

    @property
    def label_unconfirmed(self) -> bool:
        """The carrier did not answer the purchase: look again, or release it."""
        return self.label_status == LabelStatus.UNCERTAIN

    @property
    def label_failed(self) -> bool:
        """The carrier refused the label: buying it can be tried again."""
        return self.label_status == LabelStatus.FAILED

    @property
    def label_being_bought(self) -> bool:
        return self.label_status == LabelStatus.BUYING

    @property
    def label_went_wrong(self) -> bool:
        return self.label_status in (LabelStatus.FAILED, LabelStatus.UNCERTAIN)


class ReturnLine(db.Model):
    """Units of one product of the order that may come back, and what was decided for them."""

    __tablename__ = "return_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    rma_id: Mapped[int] = mapped_column(ForeignKey("return_authorisations.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    qty_authorised: Mapped[int] = mapped_column(Integer)
    qty_received: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(String(24))
    wish: Mapped[str] = mapped_column(String(12))
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_qty: Mapped[int] = mapped_column(Integer, default=0)
    decision_note: Mapped[str] = mapped_column(String(200), default="")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    exchange_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))

    rma: Mapped[ReturnAuthorisation] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()

    __table_args__ = (
        CheckConstraint("qty_authorised > 0", name="qty_authorised_positive"),
        # The database itself refuses a unit received twice.
        CheckConstraint(
            "qty_received >= 0 AND qty_received <= qty_authorised",
            name="received_within_authorised",
        ),
    )

    @property
    def qty_open(self) -> int:
        return self.qty_authorised - self.qty_received


class ReturnItem(db.Model):
    """Units from one scan on the returns bench: their grade and where they went.

    Units graded for rework or quarantine stay ``open`` until a supervisor
    releases or scraps them (``settled_at``). An unknown barcode is recorded
    with no product: nothing entered stock.
    """

    __tablename__ = "return_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    rma_id: Mapped[int] = mapped_column(ForeignKey("return_authorisations.id"), index=True)
    return_line_id: Mapped[int | None] = mapped_column(ForeignKey("return_lines.id"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    scanned_code: Mapped[str] = mapped_column(String(80))
    qty: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(12))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    order_line_id: Mapped[int | None] = mapped_column(ForeignKey("order_lines.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    received_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column()
    settled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(String(12), default="")
    outcome_note: Mapped[str] = mapped_column(String(200), default="")

    rma: Mapped[ReturnAuthorisation] = relationship()
    product: Mapped[Product | None] = relationship()
    location: Mapped[Location] = relationship()

    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        Index(
            "ix_return_items_open",
            "location_id",
            "product_id",
            "id",
            postgresql_where=text("settled_at IS NULL"),
            sqlite_where=text("settled_at IS NULL"),
        ),
        Index("ix_return_items_received_at", "received_at"),
    )


class ReturnSession(db.Model):
    """Where a returns clerk is: the RMA on the bench and the item scanned, not yet graded."""

    __tablename__ = "return_sessions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    rma_id: Mapped[int | None] = mapped_column(ForeignKey("return_authorisations.id"))
    pending_line_id: Mapped[int | None] = mapped_column(ForeignKey("return_lines.id"))
    pending_product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    pending_qty: Mapped[int | None] = mapped_column(Integer)
    pending_code: Mapped[str] = mapped_column(String(80), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    rma: Mapped[ReturnAuthorisation | None] = relationship()
    pending_product: Mapped[Product | None] = relationship()
