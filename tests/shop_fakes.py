"""Three fake shops on 127.0.0.1 and the warehouse's channels to them, for the tests of
what the warehouse tells the shops (figures, shipments, delays, payment)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shopify_server import FakeShopify, Variant
from tests.fakes.woocommerce_server import FakeWooCommerce
from wms.channels.models import Channel, ChannelProduct, OutboxEvent
from wms.extensions import db
from wms.inventory.models import Product


@dataclass
class Shops:
    shopify: FakeShopify
    woo: FakeWooCommerce
    presta: FakePrestaShop
    shopify_channel: Channel
    woo_channel: Channel
    presta_channel: Channel

    @property
    def channels(self) -> list[Channel]:
        return [self.shopify_channel, self.woo_channel, self.presta_channel]


def connect_all(
    make: Factories, shopify: FakeShopify, woo: FakeWooCommerce, presta: FakePrestaShop
) -> Shops:
    return Shops(
        shopify,
        woo,
        presta,
        make.shop_channel(
            "shopify",
            shop_url=shopify.url,
            access_token=shopify.access_token,
            client_secret=shopify.client_secret,
            location_id=str(shopify.location_id),
        ),
        make.shop_channel(
            "woocommerce",
            site_url=woo.url,
            consumer_key=woo.consumer_key,
            consumer_secret=woo.consumer_secret,
            webhook_secret=woo.webhook_secret,
        ),
        make.shop_channel("prestashop", shop_url=presta.url, webservice_key=presta.key),
    )


@dataclass
class Listed:
    """One product as each shop lists it."""

    variant: Variant  # Shopify
    woo_key: str
    presta_id: int

    def figures(self, shops: Shops) -> tuple[int, int | None, int]:
        return (
            shops.shopify.stock_of(self.variant.inventory_item_id),
            shops.woo.stock_of(self.woo_key),
            shops.presta.stock_of(self.presta_id),
        )


def list_everywhere(make: Factories, shops: Shops, product: Product, start: int = 99) -> Listed:
    """The product on sale in all three shops (each showing ``start``), mapped by the
    shops' own ids, as an import or an order's mapping leaves them."""
    variant = shops.shopify.add_variant(product.sku, start, product=product.name)
    woo = shops.woo.add_product(product.sku, start, name=product.name)
    presta = shops.presta.add_product(product.sku, start, name=product.name)[product.sku]
    make.map_item(
        shops.shopify_channel, product, str(variant.product_id), str(variant.id), product.sku
    )
    make.map_item(shops.woo_channel, product, str(woo["id"]), "", product.sku)
    make.map_item(shops.presta_channel, product, str(presta), "", product.sku)
    return Listed(variant, str(woo["id"]), presta)


def run_worker_once(app: Flask) -> str:
    """The real worker, one round: its chores, then every event due."""
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output


def events_of(app: Flask, channel: Channel, event_type: str | None = None) -> list[OutboxEvent]:
    with app.app_context():
        stmt = select(OutboxEvent).where(OutboxEvent.channel_id == channel.id)
        if event_type:
            stmt = stmt.where(OutboxEvent.event_type == event_type)
        rows = list(db.session.scalars(stmt.order_by(OutboxEvent.id)))
        db.session.expunge_all()
        return rows


def stock_keys(app: Flask, channel: Channel) -> dict[int, str]:
    with app.app_context():
        return dict(
            db.session.execute(
                select(ChannelProduct.product_id, ChannelProduct.stock_key).where(
                    ChannelProduct.channel_id == channel.id
                )
            ).all()
        )


def set_calls(shops: Shops) -> dict[str, list[Any]]:
    """The stock writes each shop received."""
    return {
        "shopify": [
            r
            for r in shops.shopify.requests_to("POST graphql")
            if b"inventorySetQuantities" in r.body
        ],
        "woo": [r for r in shops.woo.requests if r.method == "POST" and r.path.endswith("/batch")],
        "presta": shops.presta.requests_to("PUT stock_availables"),
    }
