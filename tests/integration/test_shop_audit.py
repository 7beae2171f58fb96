"""Who connected, changed, imported, pushed, reconciled, mapped and released: every
action on a shop leaves an audit row naming who did it (the worker as the system)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from tests.fakes.shopify_server import FakeShopify
from tests.shops import example, post_shopify, shop_orders
from wms.auth.models import AuditEvent
from wms.channels.models import Channel
from wms.extensions import db


@pytest.fixture
def shopify() -> Iterator[FakeShopify]:
    with FakeShopify() as server:
        yield server


def audited(app: Flask, entity: str, entity_id: Any) -> list[tuple[str, int | None]]:
    """(action, user id) of the record's audit rows, oldest first."""
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.user_id)
            .where(AuditEvent.entity == entity, AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        ).all()
        return [(action, user_id) for action, user_id in rows]


def test_every_action_on_a_shop_from_the_desk_is_audited_with_who_did_it(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    login: Callable[..., Any],
    shopify: FakeShopify,
) -> None:
    admin = login("admin")
    product = make.product()
    make.stock(product, make.location(), 4)
    shopify.add_variant(product.sku, 1)
    code = f"audit{admin.id}"
    form = {
        "name": "Knit shop",
        "shop_url": shopify.url,
        "access_token": shopify.access_token,
        "client_secret": shopify.client_secret,
        "location_id": str(shopify.location_id),
    }
    assert (
        client.post("/desk/shops/new", data={"platform": "shopify", "code": code, **form})
    ).status_code == 302
    with app.app_context():
        channel_id = db.session.scalar(select(Channel.id).where(Channel.code == code))
    url = f"/desk/shops/{channel_id}"
    for path, data in (
        ("", {**form, "name": "Knit"}),
        ("/shipping", {"method": ["Express"], "level": ["express"]}),
        ("/import", {}),
        ("/push", {}),
        ("/reconcile", {}),
    ):
        assert client.post(url + path, data=data).status_code == 302, path

    assert audited(app, "channel", channel_id) == [
        ("channel.shop_added", admin.id),
        ("channel.shop_updated", admin.id),
        ("channel.shipping_methods", admin.id),
        ("channel.products_imported", admin.id),
        ("channel.push_every_figure", admin.id),
        ("channel.reconciled", admin.id),
    ]


def test_mapping_and_releasing_a_waiting_shop_order_are_audited_with_who_did_it(
    app: Flask, client: FlaskClient, make: Factories, login: Callable[..., Any]
) -> None:
    channel = make.shop_channel("shopify")
    item = make.product()
    make.stock(item, make.location(), 3)
    assert post_shopify(client, channel, example("shopify-orders-create.json")).json["state"] == (
        "needs_attention"
    )
    with app.app_context():
        (waiting,) = shop_orders(channel)
    supervisor = login("supervisor")

    client.post(f"/desk/shop-orders/{waiting.id}/lines/1/map", data={"sku": item.sku})
    client.post(f"/desk/shop-orders/{waiting.id}/release")

    assert audited(app, "shop_order", waiting.id) == [("shop_order.release", supervisor.id)]
    with app.app_context():
        mapped = db.session.execute(
            select(AuditEvent.user_id).where(AuditEvent.action == "shop_order.map_line")
        ).scalars()
        assert supervisor.id in list(mapped)


def test_the_workers_reconciliation_is_audited_as_the_system(
    fresh_app: Flask, shopify: FakeShopify
) -> None:
    make = Factories(fresh_app)
    product = make.product()
    make.stock(product, make.location(), 5)
    channel = make.shop_channel(
        "shopify",
        shop_url=shopify.url,
        access_token=shopify.access_token,
        client_secret=shopify.client_secret,
        location_id=str(shopify.location_id),
    )
    variant = shopify.add_variant(product.sku, 2)
    make.map_item(channel, product, str(variant.product_id), str(variant.id))
    with fresh_app.app_context():  # connected an interval ago: due
        row = db.session.get(Channel, channel.id)
        assert row is not None
        row.created_at -= timedelta(minutes=61)
        db.session.commit()

    result = fresh_app.test_cli_runner().invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert "reconciled" in result.output
    assert ("channel.reconciled", None) in audited(fresh_app, "channel", channel.id)
