"""What the desk shows of the shops' orders: those waiting for a person, the
deliveries that could not be read, and the signatures refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from wms.base.errors import NotFound
from wms.channels.connectors import PlatformLine
from wms.channels.models import WAITING_STATES, Channel, ShopOrder, WebhookReceipt
from wms.extensions import db
from wms.shops import rules
from wms.shops.services import UNREADABLE

LIST_LIMIT = 200


@dataclass(frozen=True)
class WaitingOrder:
    id: int
    channel: str
    platform: str
    platform_order_id: str
    name: str
    state: str
    reason: str
    received_at: datetime
    can_release: bool


@dataclass(frozen=True)
class UnreadableDelivery:
    channel: str
    platform: str
    topic: str
    reason: str
    attempts: int
    received_at: datetime


@dataclass(frozen=True)
class RefusedSignatures:
    channel: str
    platform: str
    count: int
    last_at: datetime | None


@dataclass(frozen=True)
class ShownLine:
    line_no: int
    line: PlatformLine
    described: str


def waiting_orders() -> list[WaitingOrder]:
    rows = db.session.execute(
        select(ShopOrder, Channel.code, Channel.platform)
        .join(Channel, Channel.id == ShopOrder.channel_id)
        .where(ShopOrder.state.in_(WAITING_STATES))
        .order_by(ShopOrder.created_at, ShopOrder.id)
        .limit(LIST_LIMIT)
    ).all()
    return [
        WaitingOrder(
            id=row.id,
            channel=code,
            platform=platform,
            platform_order_id=row.platform_order_id,
            name=row.name or row.platform_order_id,
            state=row.state,
            reason=row.reason,
            received_at=row.created_at,
            can_release=row.can_release,
        )
        for row, code, platform in rows
    ]


def unreadable_deliveries() -> list[UnreadableDelivery]:
    rows = db.session.execute(
        select(WebhookReceipt, Channel.code, Channel.platform)
        .join(Channel, Channel.id == WebhookReceipt.channel_id)
        .where(WebhookReceipt.state == UNREADABLE)
        .order_by(WebhookReceipt.received_at.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [
        UnreadableDelivery(code, platform, r.topic, r.reason, r.attempts, r.received_at)
        for r, code, platform in rows
    ]


def refused_signatures() -> list[RefusedSignatures]:
    rows = db.session.execute(
        select(Channel.code, Channel.platform, Channel.bad_signatures, Channel.bad_signature_at)
        .where(Channel.bad_signatures > 0)
        .order_by(Channel.code)
    ).all()
    return [RefusedSignatures(*row) for row in rows]


def shop_order(shop_order_id: int) -> tuple[ShopOrder, Channel, list[ShownLine]]:
    """One shop order with its lines as the shop sent them."""
    row = db.session.get(ShopOrder, shop_order_id)
    if row is None:
        raise NotFound("There is no such shop order.")
    channel = db.session.get(Channel, row.channel_id)
    assert channel is not None
    lines: list[ShownLine] = []
    if row.order_data is not None:
        order = rules.from_data(row.order_data)
        lines = [
            ShownLine(n, line, rules.describe(line)) for n, line in enumerate(order.lines, start=1)
        ]
    return row, channel, lines
