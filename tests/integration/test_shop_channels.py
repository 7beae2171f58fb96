"""Shop channels keep their credentials sealed, with a key from the environment."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.shops import example, post_shopify
from wms.channels.models import Channel
from wms.channels.shops import (
    NoChannelKey,
    add_shop_channel,
    credentials_of,
    update_shop_channel,
)
from wms.extensions import db


def test_credentials_are_stored_sealed_and_read_back(app: Flask, make: Factories) -> None:
    channel = make.shop_channel(
        "shopify", access_token="shpat-very-secret", client_secret="signing-very-secret"
    )
    with app.app_context():
        stored = db.session.get(Channel, channel.id)
        assert stored.platform == "shopify" and stored.location_id == "905684977"
        for column in (stored.credentials_sealed, stored.signing_secret_sealed):
            assert column and "very-secret" not in column
        credentials = credentials_of(stored)
        assert credentials.access_token == "shpat-very-secret"
        assert credentials.client_secret == "signing-very-secret"


def test_without_a_key_no_shop_can_be_added_but_the_app_runs(
    make: Factories, make_app: Callable[..., Flask]
) -> None:
    existing = make.shop_channel("shopify")
    keyless = make_app(CHANNEL_KEY=None, WTF_CSRF_ENABLED=False)
    with keyless.app_context():
        with pytest.raises(NoChannelKey, match="WMS_CHANNEL_KEY is not set"):
            add_shop_channel(
                "no-key-shop",
                "No key",
                "woocommerce",
                {
                    "site_url": "https://shop.example",
                    "consumer_key": "ck",
                    "consumer_secret": "cs",
                    "webhook_secret": "s",
                },
                None,
            )
        db.session.rollback()
    client = keyless.test_client()
    assert client.get("/healthz").status_code == 200
    # A shop's delivery waits for the key: 503, which the platform retries.
    response = post_shopify(client, existing, example("shopify-orders-create.json"))
    assert response.status_code == 503
    assert response.json["code"] == "channel_key_missing"


def test_a_new_signing_secret_is_used_at_once_for_the_shops_webhooks(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    channel = make.shop_channel("shopify")
    item = make.product()
    make.stock(item, make.location(), 5)
    make.map_item(channel, item, "632910392", "49148385")  # the example's line to ship
    raw = example("shopify-orders-create.json")
    assert post_shopify(client, channel, raw).status_code == 200  # the shop is remembered

    with app.app_context():
        update_shop_channel(channel.id, "", {"client_secret": "a-new-secret"}, None)
        db.session.commit()

    assert post_shopify(client, channel, raw).status_code == 401  # the old secret
    assert post_shopify(client, channel, raw, secret="a-new-secret").status_code == 200
