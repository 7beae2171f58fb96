"""What the desk shows of the shops' orders: those waiting for a person, the
deliveries that could not be read, and the signatures refused."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from wms.base.errors import NotFound
from wms.base.i18n import Text, _
from wms.channels import sync
from wms.channels.connectors import (
    ConnectorError,
    PlatformLine,
    PlatformProduct,
    payload_problem,
)
from wms.channels.models import (
    ATTENTION_STATES,
    Channel,
    ChannelProduct,
    ChannelReport,
    OutboxEvent,
    OutboxStatus,
    ShippingMethod,
    ShopOrder,
    ShopOrderState,
    WebhookReceipt,
)
from wms.channels.shops import NoChannelKey, connector_of, credentials_of
from wms.extensions import db
from wms.shops import rules
from wms.shops.services import UNREADABLE, reason_words

LIST_LIMIT = 200
REPORTS_SHOWN = 5  # reconciliations listed on a shop's page


@dataclass(frozen=True)
class WaitingOrder:
    id: int
    channel: str
    platform: str
    platform_order_id: str
    name: str
    state: str
    reason: Text | str
    received_at: datetime
    can_release: bool
    stopped: bool = False  # cancelled on the shop after picking began: cancel or ship


def why(platform: str, name: str, state: str, reason: Text | str) -> Text | str:
    """Why an order waits on the desk, as the supervisor reads it."""
    if state == ShopOrderState.CANCELLED_AFTER_PICK:
        return _(
            "%(platform)s cancelled order %(order)s after picking began: "
            "stop it at packing or ship it.",
            platform=rules.PLATFORM_NAMES.get(platform, platform),
            order=name,
        )
    return reason


@dataclass(frozen=True)
class UnreadableDelivery:
    channel: str
    platform: str
    topic: str
    reason: Text | str
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
    described: Text | str


def waiting_orders() -> list[WaitingOrder]:
    rows = db.session.execute(
        select(ShopOrder, Channel.code, Channel.platform)
        .join(Channel, Channel.id == ShopOrder.channel_id)
        .where(ShopOrder.state.in_(ATTENTION_STATES))
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
            reason=why(platform, row.name or row.platform_order_id, row.state, reason_words(row)),
            received_at=row.created_at,
            can_release=row.can_release,
            stopped=row.state == ShopOrderState.CANCELLED_AFTER_PICK,
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
        UnreadableDelivery(
            code,
            platform,
            r.topic,
            # Worded again from the body it kept, in the reader's language.
            payload_problem(platform, r.raw) or r.reason,
            r.attempts,
            r.received_at,
        )
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
        raise NotFound(_("There is no such shop order."))
    channel = db.session.get(Channel, row.channel_id)
    assert channel is not None
    lines: list[ShownLine] = []
    if row.order_data is not None:
        order = rules.from_data(row.order_data)
        lines = [
            ShownLine(n, line, rules.describe(line)) for n, line in enumerate(order.lines, start=1)
        ]
    return row, channel, lines


# ------------------------------------------------------------ the shops' pages


@dataclass(frozen=True)
class ShopRow:
    id: int
    code: str
    name: str
    platform: str
    shop_url: str
    active: bool
    mapped: int


@dataclass(frozen=True)
class ShopPage:
    channel: Channel
    platform_name: str
    fields: tuple[rules.CredentialField, ...]
    secrets_set: dict[str, bool]  # a secret field: whether one is stored (never its value)
    values: dict[str, str]  # the fields that are not secret, as stored
    mapped: int
    shipping: list[tuple[str, str]]
    topics: tuple[str, ...]
    last_import: ChannelReport | None
    reconciliations: list[ChannelReport]
    figures_waiting: int


def shop_channels() -> list[ShopRow]:
    mapped = (
        select(ChannelProduct.channel_id, func.count().label("n"))
        .group_by(ChannelProduct.channel_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Channel, func.coalesce(mapped.c.n, 0))
        .outerjoin(mapped, mapped.c.channel_id == Channel.id)
        .where(Channel.platform != "generic")
        .order_by(Channel.active.desc(), Channel.code)
    ).all()
    return [
        ShopRow(c.id, c.code, c.name, c.platform, c.shop_url or "", c.active, n) for c, n in rows
    ]


def shop_channel(channel_id: int) -> Channel:
    channel = db.session.get(Channel, channel_id)
    if channel is None or not channel.is_shop:
        raise NotFound(_("There is no such shop."))
    return channel


def shop_page(channel_id: int) -> ShopPage:
    channel = shop_channel(channel_id)
    fields = rules.CREDENTIAL_FIELDS[channel.platform]
    stored = stored_credentials(channel)
    reports = list(
        db.session.scalars(
            select(ChannelReport)
            .where(ChannelReport.channel_id == channel.id, ChannelReport.kind == sync.RECONCILE)
            .order_by(ChannelReport.created_at.desc(), ChannelReport.id.desc())
            .limit(REPORTS_SHOWN)
        )
    )
    last_import = db.session.scalars(
        select(ChannelReport)
        .where(ChannelReport.channel_id == channel.id, ChannelReport.kind == sync.IMPORT)
        .order_by(ChannelReport.created_at.desc(), ChannelReport.id.desc())
        .limit(1)
    ).first()
    return ShopPage(
        channel=channel,
        platform_name=rules.PLATFORM_NAMES[channel.platform],
        fields=fields,
        secrets_set={f.name: bool(stored.get(f.name)) for f in fields if f.secret},
        values={f.name: str(stored.get(f.name) or "") for f in fields if not f.secret},
        mapped=db.session.scalar(
            select(func.count()).where(ChannelProduct.channel_id == channel.id)
        )
        or 0,
        shipping=[
            tuple(row)  # type: ignore[misc]
            for row in db.session.execute(
                select(ShippingMethod.platform_method, ShippingMethod.service_level)
                .where(ShippingMethod.channel_id == channel.id)
                .order_by(ShippingMethod.platform_method)
            ).all()
        ],
        topics=rules.WEBHOOK_TOPICS[channel.platform],
        last_import=last_import,
        reconciliations=reports,
        figures_waiting=db.session.scalar(
            select(func.count()).where(
                OutboxEvent.channel_id == channel.id,
                OutboxEvent.event_type == "availability.changed",
                OutboxEvent.status == OutboxStatus.PENDING.value,
            )
        )
        or 0,
    )


def stored_credentials(channel: Channel) -> dict[str, Any]:
    """The channel's credentials as stored; {} when they cannot be unsealed (no key)."""
    try:
        return asdict(credentials_of(channel))
    except NoChannelKey:
        return {}


def test_connection(channel_id: int, timeout: float) -> tuple[bool, Text | str]:
    """One read call to the shop; whether it answered, and what it said, in a sentence
    (worded in the reader's language)."""
    channel = shop_channel(channel_id)
    try:
        return True, connector_of(channel, timeout=timeout).test_connection()
    except (ConnectorError, NoChannelKey) as exc:
        return False, _("Not connected: %(error)s", error=exc.sentence)


def shop_items(channel_id: int, timeout: float) -> list[PlatformProduct]:
    """Every item the shop sells, read from it. Raises ``ConnectorError`` (or
    ``NoChannelKey``) when it cannot be read."""
    return connector_of(shop_channel(channel_id), timeout=timeout).list_products()
