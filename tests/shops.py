"""Posting shop webhooks as the platforms do: the documented bodies, signed with each
platform's scheme, to the channel's endpoint."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from wms.channels.models import Channel, ShopOrder, WebhookReceipt
from wms.core.models import Order, OrderLine
from wms.extensions import db

EXAMPLES = Path("/work/shared/channels")  # as the connectors' own tests read them


def example(name: str) -> bytes:
    """A documented example, byte for byte."""
    return (EXAMPLES / name).read_bytes()


def changed(raw: bytes, **fields: Any) -> bytes:
    """The example with some top-level fields changed (for the cases it does not show)."""
    data = json.loads(raw)
    data.update(fields)
    return json.dumps(data).encode()


def signature(secret: str, raw: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()


def post_shopify(
    client: FlaskClient,
    channel: Channel,
    raw: bytes,
    topic: str = "orders/create",
    webhook_id: str | None = None,
    secret: str | None = None,
) -> Any:
    return client.post(
        f"/api/v1/channels/{channel.code}/shopify",
        data=raw,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": signature(secret or f"secret-{channel.code}", raw),
            "X-Shopify-Shop-Domain": "shop.example.myshopify.com",
            "X-Shopify-API-Version": "2026-07",
            "X-Shopify-Webhook-Id": webhook_id or str(uuid.uuid4()),
        },
    )


def post_woocommerce(
    client: FlaskClient,
    channel: Channel,
    raw: bytes,
    topic: str = "order.created",
    delivery_id: str | None = None,
    secret: str | None = None,
) -> Any:
    return client.post(
        f"/api/v1/channels/{channel.code}/woocommerce",
        data=raw,
        headers={
            "Content-Type": "application/json",
            "X-WC-Webhook-Source": "https://shop.example/",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Resource": "order",
            "X-WC-Webhook-Event": topic.split(".")[1],
            "X-WC-Webhook-Signature": signature(secret or f"secret-{channel.code}", raw),
            "X-WC-Webhook-ID": "12",
            "X-WC-Webhook-Delivery-ID": delivery_id or uuid.uuid4().hex,
        },
    )


def shop_orders(channel: Channel) -> list[ShopOrder]:
    return list(
        db.session.scalars(
            select(ShopOrder).where(ShopOrder.channel_id == channel.id).order_by(ShopOrder.id)
        )
    )


def receipts(channel: Channel) -> list[WebhookReceipt]:
    return list(
        db.session.scalars(select(WebhookReceipt).where(WebhookReceipt.channel_id == channel.id))
    )


def warehouse_orders(channel: Channel) -> list[Order]:
    return list(
        db.session.scalars(select(Order).where(Order.channel_id == channel.id).order_by(Order.id))
    )


def lines_of(order_id: int) -> list[OrderLine]:
    return list(
        db.session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
        )
    )
