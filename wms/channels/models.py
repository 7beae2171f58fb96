"""The channels the warehouse sells through, and the events waiting for them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from wms.base.clock import utcnow
from wms.base.i18n import from_record
from wms.base.types import BigId
from wms.extensions import db


class Channel(db.Model):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    webhook_secret: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The shop platform behind the channel; "generic" is the warehouse's own JSON API.
    platform: Mapped[str] = mapped_column(String(16), default="generic", server_default="generic")
    shop_url: Mapped[str | None] = mapped_column(String(500))
    # Fernet tokens (key WMS_CHANNEL_KEY, see wms.channels.shops): the API credentials
    # as JSON, and the secret the platform signs its webhooks with.
    credentials_sealed: Mapped[str | None] = mapped_column(Text)
    signing_secret_sealed: Mapped[str | None] = mapped_column(Text)
    location_id: Mapped[str | None] = mapped_column(String(32))  # Shopify: where stock is set
    poll_cursor: Mapped[str | None] = mapped_column(Text)  # PrestaShop: orders seen up to here
    polled_at: Mapped[datetime | None] = mapped_column()
    # Deliveries refused for their signature: counted, never stored.
    bad_signatures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    bad_signature_at: Mapped[datetime | None] = mapped_column()

    @property
    def is_shop(self) -> bool:
        return self.platform != "generic"


class ChannelProduct(db.Model):
    """Which of the warehouse's products a shop's item is (the shop's ids and SKU)."""

    __tablename__ = "channel_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    # Platform ids are text: Shopify's are 64-bit and must never pass through a float.
    # "" when the platform has none (a WooCommerce product without variations).
    platform_product_id: Mapped[str] = mapped_column(String(32), default="")
    platform_variant_id: Mapped[str] = mapped_column(String(32), default="")
    platform_sku: Mapped[str] = mapped_column(String(100), default="")
    # The platform's handle for this item's stock figure (``PlatformProduct.key``):
    # Shopify's inventory item id, WooCommerce's "product" or "product/variation",
    # PrestaShop's "product/combination". "" until known (see wms.channels.pushes).
    stock_key: Mapped[str] = mapped_column(String(64), default="", server_default="")
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint(
            "channel_id",
            "platform_product_id",
            "platform_variant_id",
            name="uq_channel_products_item",
        ),
        Index("ix_channel_products_sku", "channel_id", "platform_sku"),
        Index("ix_channel_products_product", "channel_id", "product_id"),
    )


class ShopOrderState(StrEnum):
    ACCEPTED = "accepted"  # became a warehouse order
    NEEDS_ATTENTION = "needs_attention"  # a line maps to no product: the desk maps it
    UNREADABLE = "unreadable"  # the platform's order could not be read
    REFUSED = "refused"  # the intake refused it (short, and no backorders)
    CANCELLED = "cancelled"  # cancelled on the platform
    # Cancelled on the platform once its units had started moving: stopped at packing
    # until a supervisor cancels it in the warehouse (``cancelled``) or ships it anyway.
    CANCELLED_AFTER_PICK = "cancelled_after_pick"
    SHIPS_ANYWAY = "ships_anyway"  # the supervisor let it ship despite the shop's cancel


# States a supervisor can release from the desk.
WAITING_STATES = (
    ShopOrderState.NEEDS_ATTENTION,
    ShopOrderState.UNREADABLE,
    ShopOrderState.REFUSED,
)
# States the desk lists: those to release, and those to decide.
ATTENTION_STATES = (*WAITING_STATES, ShopOrderState.CANCELLED_AFTER_PICK)
WAITING = "state IN ('needs_attention', 'unreadable', 'refused', 'cancelled_after_pick')"


class ShopOrder(db.Model):
    """An order a shop platform sent (or the poll found), once per platform order id."""

    __tablename__ = "shop_orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    platform_order_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64), default="")  # "#1001", "KHWLILZLL"
    # Checked at commit: a new row is written with the id its warehouse order will have.
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", deferrable=True, initially="DEFERRED"), unique=True
    )
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")  # in English, as written
    # The reason as its facts, worded for each reader (wms.base.i18n.from_record).
    reason_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # As the platform sent it, and as it was read (None when it could not be):
    # a release runs the intake again from ``order_data``.
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    order_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    platform_updated_at: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("channel_id", "platform_order_id", name="uq_shop_orders_order"),
        Index(
            "ix_shop_orders_waiting",
            "created_at",
            postgresql_where=text(WAITING),
            sqlite_where=text(WAITING),
        ),
    )

    @property
    def can_release(self) -> bool:
        return self.state in WAITING_STATES and self.order_data is not None


class WebhookReceipt(db.Model):
    """A webhook delivery taken, by the platform's delivery id: a repeat changes nothing.

    A delivery that verified but could not be read is kept as ``unreadable``
    (answered so the platform sends it again); a later copy that reads is taken.
    """

    __tablename__ = "webhook_receipts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    webhook_id: Mapped[str] = mapped_column(String(128))
    topic: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(12))  # taken | unreadable
    reason: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)  # an unreadable body, for the desk
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("channel_id", "webhook_id", name="uq_webhook_receipts_delivery"),
        Index(
            "ix_webhook_receipts_unreadable",
            "received_at",
            postgresql_where=text("state = 'unreadable'"),
            sqlite_where=text("state = 'unreadable'"),
        ),
    )


class ShippingMethod(db.Model):
    """A shop's shipping method (Shopify's code, WooCommerce's method id, PrestaShop's
    carrier id) and the warehouse's service level it ships at."""

    __tablename__ = "channel_shipping_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    platform_method: Mapped[str] = mapped_column(String(100))
    service_level: Mapped[str] = mapped_column(String(16))

    __table_args__ = (
        UniqueConstraint("channel_id", "platform_method", name="uq_channel_shipping_methods"),
    )


class OutboxStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last retry; an admin can retry it
    SUPERSEDED = "superseded"  # a newer event for the same thing was delivered instead
    SKIPPED = "skipped"  # nothing to send: e.g. a figure for a product the shop does not sell


PENDING = "status = 'pending'"
PENDING_FIGURE = "status = 'pending' AND event_type = 'availability.changed'"
WAITING_AVAILABILITY = (
    "status = 'pending' AND attempts = 0 AND claimed_until IS NULL"
    " AND event_type = 'availability.changed'"
)


class OutboxEvent(db.Model):
    """An event for one channel, written in the transaction that caused it."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    event_type: Mapped[str] = mapped_column(String(48))
    # Events that share an aggregate ("order:12", "product:7") reach the
    # channel in the order they were written.
    aggregate: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The same sentence as its facts, worded for each reader (``last_error_text``).
    last_error_facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        # The worker's claim walks this in due order and stops after a batch.
        Index(
            "ix_outbox_pending",
            "next_attempt_at",
            "id",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
        # The worker's first claim of a round: the figures alone, in due order, so a
        # shop's stock figure never waits behind a backlog of other events.
        Index(
            "ix_outbox_pending_figures",
            "next_attempt_at",
            "id",
            postgresql_where=text(PENDING_FIGURE),
            sqlite_where=text(PENDING_FIGURE),
        ),
        # "Is an earlier event of this aggregate still pending?", asked per
        # claimed row: only pending rows, so history never lengthens the probe.
        Index(
            "ix_outbox_pending_aggregate",
            "channel_id",
            "aggregate",
            "id",
            postgresql_where=text(PENDING),
            sqlite_where=text(PENDING),
        ),
        # One waiting availability figure per product and channel: a new change
        # updates it in place (see wms.channels.outbox). Once the worker has taken
        # it (claimed, or tried), the next change waits in a new row behind it.
        Index(
            "uq_outbox_waiting_availability",
            "channel_id",
            "aggregate",
            unique=True,
            postgresql_where=text(WAITING_AVAILABILITY),
            sqlite_where=text(WAITING_AVAILABILITY),
        ),
        Index("ix_outbox_status_created", "status", "created_at"),
    )

    @property
    def last_error_text(self) -> Any:
        """Why the last attempt failed, in the reader's language (as written before)."""
        return from_record(self.last_error_facts, self.last_error)


class ChannelReport(db.Model):
    """What a product import or a reconciliation of a shop found, kept for its page.

    ``lines`` are the report's rows: for an import, each shop item with what became
    of it (``matched``, ``kept``, ``unmatched``, ``duplicate``); for a
    reconciliation, each figure corrected (the shop's figure and the warehouse's).
    """

    __tablename__ = "channel_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    kind: Mapped[str] = mapped_column(String(16))  # import | reconcile
    summary: Mapped[str] = mapped_column(Text, default="")  # in English, as written
    # The summary as its facts, worded for each reader (wms.base.i18n.from_record).
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    failed: Mapped[bool] = mapped_column(default=False)  # the shop could not be read
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_channel_reports_latest", "channel_id", "kind", "created_at"),)
