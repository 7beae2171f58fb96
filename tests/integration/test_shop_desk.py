"""Connecting a shop from the desk (/desk/shops): adding one with its credentials
sealed, testing the connection, importing its products into the SKU mapping, its
shipping methods, the webhooks to register, pushing every figure and reconciling —
each against the fake platform on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shopify_server import FakeShopify
from tests.fakes.woocommerce_server import FakeWooCommerce
from wms.auth.models import AuditEvent
from wms.channels.models import (
    Channel,
    ChannelProduct,
    ChannelReport,
    OutboxEvent,
    ShippingMethod,
)
from wms.extensions import db


@pytest.fixture
def shopify() -> Iterator[FakeShopify]:
    with FakeShopify() as server:
        yield server


@pytest.fixture
def woo() -> Iterator[FakeWooCommerce]:
    with FakeWooCommerce() as server:
        yield server


@pytest.fixture
def presta() -> Iterator[FakePrestaShop]:
    with FakePrestaShop() as server:
        yield server


@pytest.fixture
def admin(login: Callable[..., Any]) -> Any:
    return login("admin")


def text_of(response: Any) -> str:
    """The page's text as a reader sees it (tags out, spaces folded)."""
    html = response.get_data(as_text=True)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def add_shopify(client: FlaskClient, shop: FakeShopify, code: str, **over: str) -> Any:
    data = {
        "platform": "shopify",
        "code": code,
        "name": "Knit shop",
        "shop_url": shop.url,
        "access_token": shop.access_token,
        "client_secret": shop.client_secret,
        "location_id": str(shop.location_id),
        **over,
    }
    return client.post("/desk/shops/new", data=data)


def channel_by_code(app: Flask, code: str) -> Channel | None:
    with app.app_context():
        channel = db.session.scalars(select(Channel).where(Channel.code == code)).one_or_none()
        if channel is not None:
            db.session.expunge(channel)
        return channel


def page(client: FlaskClient, channel: Channel) -> str:
    response = client.get(f"/desk/shops/{channel.id}")
    assert response.status_code == 200
    return text_of(response)


def connect(make: Factories, shop: FakeShopify) -> Channel:
    return make.shop_channel(
        "shopify",
        shop_url=shop.url,
        access_token=shop.access_token,
        client_secret=shop.client_secret,
        location_id=str(shop.location_id),
    )


def mappings(app: Flask, channel: Channel) -> dict[tuple[str, str], int]:
    with app.app_context():
        rows = db.session.execute(
            select(
                ChannelProduct.platform_product_id,
                ChannelProduct.platform_variant_id,
                ChannelProduct.product_id,
            ).where(ChannelProduct.channel_id == channel.id)
        ).all()
        return {(pid, vid): product for pid, vid, product in rows}


def figures_queued(app: Flask, channel: Channel) -> list[str]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(OutboxEvent.aggregate).where(
                    OutboxEvent.channel_id == channel.id,
                    OutboxEvent.event_type == "availability.changed",
                    OutboxEvent.status == "pending",
                )
            )
        )


# ---------------------------------------------------------------- add + test


def test_an_admin_adds_a_shopify_shop_whose_secrets_are_sealed_and_never_shown(
    app: Flask, client: FlaskClient, admin: Any, shopify: FakeShopify
) -> None:
    code = f"knit{admin.id}"
    response = add_shopify(client, shopify, code)
    assert response.status_code == 302

    channel = channel_by_code(app, code)
    assert channel is not None and channel.platform == "shopify"
    assert channel.shop_url == shopify.url and channel.location_id == str(shopify.location_id)
    sealed = (channel.credentials_sealed or "") + (channel.signing_secret_sealed or "")
    assert shopify.access_token not in sealed and shopify.client_secret not in sealed

    html = client.get(f"/desk/shops/{channel.id}").get_data(as_text=True)
    assert shopify.access_token not in html and shopify.client_secret not in html
    assert 'data-secret="set"' in html
    with app.app_context():
        assert db.session.scalar(
            select(AuditEvent.action).where(
                AuditEvent.entity == "channel", AuditEvent.entity_id == str(channel.id)
            )
        ) == ("channel.shop_added")


def test_test_connection_answers_in_one_sentence_what_the_shop_said(
    app: Flask, client: FlaskClient, admin: Any, shopify: FakeShopify
) -> None:
    code = f"knit{admin.id}"
    add_shopify(client, shopify, code)
    channel = channel_by_code(app, code)
    assert channel is not None
    shopify.add_variant("E-1", product="Elephant")
    shopify.add_variant("G-1", product="Giraffe")

    response = client.post(f"/desk/shops/{channel.id}/test", follow_redirects=True)
    assert (
        "Connected to the Shopify shop “Knit Shop” (knit-shop.myshopify.com), 2 products; "
        "stock figures go to the location “Warehouse”." in text_of(response)
    )
    assert len(shopify.requests_to("POST graphql")) == 1  # one read call

    # A token typed wrong: the edit keeps the other secrets, the test says what failed.
    form = {"name": "Knit", "shop_url": shopify.url, "location_id": str(shopify.location_id)}
    saved = client.post(f"/desk/shops/{channel.id}", data={**form, "access_token": "shpat_wrong"})
    assert saved.status_code == 302
    said = text_of(client.post(f"/desk/shops/{channel.id}/test", follow_redirects=True))
    assert "Not connected: " in said and "Invalid API key or access token" in said

    # The right one again, every other secret untouched: connected.
    client.post(f"/desk/shops/{channel.id}", data={**form, "access_token": shopify.access_token})
    said = text_of(client.post(f"/desk/shops/{channel.id}/test", follow_redirects=True))
    assert "Connected to the Shopify shop" in said and "Not connected" not in said


def test_a_shop_form_with_missing_or_unsafe_fields_is_refused_and_adds_nothing(
    app: Flask, client: FlaskClient, admin: Any, shopify: FakeShopify
) -> None:
    code = f"bad{admin.id}"
    response = add_shopify(client, shopify, code, access_token="", location_id="")
    assert response.status_code == 422
    said = text_of(response)
    assert "Admin API access token is required." in said and "Location id is required." in said

    response = add_shopify(client, shopify, code, shop_url="http://shop.example.com")
    assert response.status_code == 422
    assert "must start with https://" in text_of(response)
    assert channel_by_code(app, code) is None


def test_woocommerce_and_prestashop_shops_are_added_and_tested_the_same_way(
    app: Flask,
    client: FlaskClient,
    admin: Any,
    woo: FakeWooCommerce,
    presta: FakePrestaShop,
) -> None:
    woo.add_product("ELE-1", 3)
    woo.add_product("ELE-2", 4)
    client.post(
        "/desk/shops/new",
        data={
            "platform": "woocommerce",
            "code": f"woo{admin.id}",
            "name": "Woo",
            "site_url": woo.url,
            "consumer_key": woo.consumer_key,
            "consumer_secret": woo.consumer_secret,
            "webhook_secret": woo.webhook_secret,
        },
    )
    client.post(
        "/desk/shops/new",
        data={
            "platform": "prestashop",
            "code": f"ps{admin.id}",
            "name": "Presta",
            "shop_url": presta.url,
            "webservice_key": presta.key,
        },
    )
    wc = channel_by_code(app, f"woo{admin.id}")
    ps = channel_by_code(app, f"ps{admin.id}")
    assert wc is not None and ps is not None
    said = text_of(client.post(f"/desk/shops/{wc.id}/test", follow_redirects=True))
    assert f"Connected to WooCommerce at {woo.url}: 2 products." in said
    said = text_of(client.post(f"/desk/shops/{ps.id}/test", follow_redirects=True))
    assert "Connected to the PrestaShop shop “Boutique”" in said

    presta.deny("stock_availables", "put")
    said = text_of(client.post(f"/desk/shops/{ps.id}/test", follow_redirects=True))
    assert "Not connected:" in said and "PUT stock_availables" in said


def test_a_supervisor_reads_a_shop_but_only_an_admin_changes_it(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    login: Callable[..., Any],
    shopify: FakeShopify,
) -> None:
    channel = connect(make, shopify)
    login("supervisor")
    assert client.get("/desk/shops/").status_code == 200
    assert client.get(f"/desk/shops/{channel.id}").status_code == 200
    assert client.post(f"/desk/shops/{channel.id}/push").status_code == 403
    assert client.get("/desk/shops/new").status_code == 403
    assert shopify.requests == []


# ------------------------------------------------------------------- import


def test_import_maps_by_sku_and_reports_unmatched_and_duplicates_without_mapping_them(
    app: Flask, client: FlaskClient, admin: Any, make: Factories, shopify: FakeShopify
) -> None:
    elephant = make.product()
    giraffe = make.product()
    chosen = make.product()
    channel = connect(make, shopify)
    matched = shopify.add_variant(elephant.sku, 3, product="Elephant")
    twin_a = shopify.add_variant(giraffe.sku, 1, product="Giraffe", title="Blue")
    twin_b = shopify.add_variant(giraffe.sku, 1, product="Giraffe", title="Red")
    stranger = shopify.add_variant("NOT-IN-WAREHOUSE", 5, product="Owl")
    blank = shopify.add_variant("", 2, product="Gift card")
    premapped = shopify.add_variant("SHOP-OWN-SKU", 2, product="Bear")
    make.map_item(channel, chosen, str(premapped.product_id), str(premapped.id))

    response = client.post(f"/desk/shops/{channel.id}/import", follow_redirects=True)
    said = text_of(response)

    assert (
        "6 items on the shop. Matched now: 1; mapped before: 1; unmatched: 2; "
        "duplicate SKUs left unmapped: 2." in said
    )
    assert mappings(app, channel) == {
        (str(matched.product_id), str(matched.id)): elephant.id,
        (str(premapped.product_id), str(premapped.id)): chosen.id,
    }
    with app.app_context():  # the figure's handle on the shop, for the pushes
        assert db.session.scalar(
            select(ChannelProduct.stock_key).where(
                ChannelProduct.channel_id == channel.id,
                ChannelProduct.platform_variant_id == str(matched.id),
            )
        ) == str(matched.inventory_item_id)
    html = response.get_data(as_text=True)
    assert html.count('data-outcome="duplicate"') == 2
    assert html.count('data-outcome="unmatched"') == 2
    assert f"No product has the SKU {stranger.sku}." in said
    assert "It has no SKU on the shop." in said
    assert f"2 of the shop's items have the SKU {giraffe.sku}." in said
    assert str(twin_a.id) in said and str(twin_b.id) in said and blank.product_title in said

    # Imported again: nothing new, nothing twice.
    said = text_of(client.post(f"/desk/shops/{channel.id}/import", follow_redirects=True))
    assert "Matched now: 0; mapped before: 2;" in said
    assert len(mappings(app, channel)) == 2


def test_a_shop_that_cannot_be_read_maps_nothing_and_says_why(
    app: Flask, client: FlaskClient, admin: Any, make: Factories, shopify: FakeShopify
) -> None:
    item = make.product()
    channel = connect(make, shopify)
    shopify.add_variant(item.sku, 1)
    shopify.fail_next("POST graphql", count=5, status=503)

    said = text_of(client.post(f"/desk/shops/{channel.id}/import", follow_redirects=True))

    assert "The shop's products could not be read:" in said
    assert mappings(app, channel) == {}
    with app.app_context():
        (report,) = db.session.scalars(
            select(ChannelReport).where(ChannelReport.channel_id == channel.id)
        ).all()
        assert report.failed and report.kind == "import"


# ------------------------------------------------------- shipping + webhooks


def test_the_shipping_table_is_edited_and_a_bad_level_changes_nothing(
    app: Flask, client: FlaskClient, admin: Any, make: Factories, shopify: FakeShopify
) -> None:
    channel = connect(make, shopify)
    url = f"/desk/shops/{channel.id}/shipping"
    response = client.post(
        url,
        data={"method": ["Express", "Standard", ""], "level": ["express", "economy", "standard"]},
    )
    assert response.status_code == 302

    def table() -> dict[str, str]:
        with app.app_context():
            return dict(
                db.session.execute(
                    select(ShippingMethod.platform_method, ShippingMethod.service_level).where(
                        ShippingMethod.channel_id == channel.id
                    )
                ).all()
            )

    assert table() == {"Express": "express", "Standard": "economy"}
    response = client.post(url, data={"method": ["Express", "Drone"], "level": ["express", "warp"]})
    assert response.status_code == 422
    assert "Drone: warp is not a service level" in text_of(response)
    assert table() == {"Express": "express", "Standard": "economy"}

    # Dropping a row: its method left blank.
    client.post(url, data={"method": ["Express", ""], "level": ["priority", "economy"]})
    assert table() == {"Express": "priority"}


def test_the_page_lists_the_webhook_urls_with_their_exact_topics(
    app: Flask, client: FlaskClient, admin: Any, make: Factories, shopify: FakeShopify
) -> None:
    shop = connect(make, shopify)
    woo = make.shop_channel("woocommerce")
    presta = make.shop_channel("prestashop")

    said = page(client, shop)
    for topic in ("orders/create", "orders/updated", "orders/cancelled", "orders/paid"):
        assert f"{topic} http://localhost/api/v1/channels/{shop.code}/shopify" in said
    said = page(client, woo)
    for topic in ("order.created", "order.updated"):
        assert f"{topic} http://localhost/api/v1/channels/{woo.code}/woocommerce" in said
    assert "sends no webhooks" in page(client, presta)


# ------------------------------------------------------------ push + reconcile


def test_push_every_figure_queues_one_coalesced_figure_per_mapped_product(
    app: Flask, client: FlaskClient, admin: Any, make: Factories, shopify: FakeShopify
) -> None:
    channel = connect(make, shopify)
    other = connect(make, shopify)
    a, b, unmapped = make.product(), make.product(), make.product()
    make.map_item(channel, a, "1", "11")
    make.map_item(channel, a, "1", "12")  # two of the shop's items are one product
    make.map_item(channel, b, "2", "21")

    said = text_of(client.post(f"/desk/shops/{channel.id}/push", follow_redirects=True))
    assert "2 figures queued for the shop" in said
    client.post(f"/desk/shops/{channel.id}/push")  # pressed twice: still one each

    assert figures_queued(app, channel) == sorted([f"product:{a.id}", f"product:{b.id}"])
    assert figures_queued(app, other) == []
    assert f"product:{unmapped.id}" not in figures_queued(app, channel)

    said = text_of(client.post(f"/desk/shops/{other.id}/push", follow_redirects=True))
    assert "No product is mapped on this shop yet" in said


def test_reconcile_corrects_drift_and_lists_what_it_corrected(
    app: Flask, client: FlaskClient, admin: Any, make: Factories, shopify: FakeShopify
) -> None:
    bin_ = make.location()
    right, drifted, waiting = make.product(), make.product(), make.product()
    for product, qty in ((right, 4), (drifted, 7), (waiting, 2)):
        make.stock(product, bin_, qty)
    channel = connect(make, shopify)
    shown = {right: 4, drifted: 9, waiting: 0}
    for product, qty in shown.items():
        v = shopify.add_variant(product.sku, qty, product=product.name)
        make.map_item(channel, product, str(v.product_id), str(v.id))
    shopify.add_variant("SOMETHING-ELSE", 3)  # on the shop, not mapped: left alone
    with app.app_context():
        from wms.channels import outbox

        outbox.emit_availability_to(channel.id, [waiting.id])  # already on its way
        db.session.commit()

    response = client.post(f"/desk/shops/{channel.id}/reconcile", follow_redirects=True)
    said = text_of(response)

    assert (
        "1 figure corrected of 2 compared. 1 figure already on its way. "
        "1 unmapped item left alone." in said
    )
    assert f"{drifted.sku} {drifted.name} - Default 9 7" in said
    assert figures_queued(app, channel) == sorted(
        [f"product:{drifted.id}", f"product:{waiting.id}"]
    )


def test_the_worker_reconciles_each_shop_on_its_interval(
    fresh_app: Flask, make_fresh: Factories, shopify: FakeShopify
) -> None:
    product = make_fresh.product()
    make_fresh.stock(product, make_fresh.location(), 5)
    channel = connect(make_fresh, shopify)
    v = shopify.add_variant(product.sku, 2)
    make_fresh.map_item(channel, product, str(v.product_id), str(v.id))

    said = run_worker_once(fresh_app)
    assert "reconciled" not in said  # just connected: pushed from the desk, read back later
    assert not [r for r in shopify.requests if b"Variants" in r.body]
    with fresh_app.app_context():  # an interval later
        row = db.session.get(Channel, channel.id)
        assert row is not None
        row.created_at -= timedelta(minutes=61)
        db.session.commit()

    said = run_worker_once(fresh_app)
    assert f"shop {channel.code} reconciled: 1 figure corrected of 1 compared." in said
    with fresh_app.app_context():
        assert db.session.scalars(
            select(OutboxEvent.aggregate).where(
                OutboxEvent.channel_id == channel.id,
                OutboxEvent.event_type == "availability.changed",
            )
        ).all() == [f"product:{product.id}"]

    assert shopify.stock_of(v.inventory_item_id) == 5  # the same round sent the figure

    asked = len(shopify.requests_to("POST graphql"))
    run_worker_once(fresh_app)  # reconciled a moment ago: not due, the shop is not asked
    assert len(shopify.requests_to("POST graphql")) == asked
    with fresh_app.app_context():
        reports = db.session.scalars(
            select(ChannelReport).where(ChannelReport.channel_id == channel.id)
        ).all()
        assert [(r.kind, r.lines[0]["shop"], r.lines[0]["warehouse"]) for r in reports] == [
            ("reconcile", 2, 5)
        ]


def test_a_shop_connected_imported_and_pushed_from_the_desk_shows_the_warehouse_figures(
    fresh_app: Flask,
    make_fresh: Factories,
    woo: FakeWooCommerce,
    presta: FakePrestaShop,
) -> None:
    """Woo and PrestaShop, through the desk and the real worker: every mapped item
    ends showing the warehouse's figure, the unmapped ones are left as they were."""
    bin_ = make_fresh.location()
    kept = make_fresh.product()
    make_fresh.stock(kept, bin_, 6)
    client = fresh_app.test_client()
    user = make_fresh.user(role="admin")
    client.post("/login", data={"username": user.username, "password": "secret-pass"})
    simple = woo.add_product(kept.sku, 0, name="Elephant")
    stray = woo.add_product("ONLY-ON-THE-SHOP", 8)
    ps_ids = presta.add_product(kept.sku, 1, name="Elephant")
    for data in (
        {
            "platform": "woocommerce",
            "code": "woo",
            "name": "Woo",
            "site_url": woo.url,
            "consumer_key": woo.consumer_key,
            "consumer_secret": woo.consumer_secret,
            "webhook_secret": woo.webhook_secret,
        },
        {
            "platform": "prestashop",
            "code": "ps",
            "name": "Presta",
            "shop_url": presta.url,
            "webservice_key": presta.key,
        },
    ):
        assert client.post("/desk/shops/new", data=data).status_code == 302
    for code in ("woo", "ps"):
        channel = channel_by_code(fresh_app, code)
        assert channel is not None
        said = text_of(client.post(f"/desk/shops/{channel.id}/import", follow_redirects=True))
        assert "Matched now: 1;" in said
        said = text_of(client.post(f"/desk/shops/{channel.id}/push", follow_redirects=True))
        assert "1 figure queued for the shop: the worker sends it." in said

    run_worker_once(fresh_app)

    assert woo.stock_of(str(simple["id"])) == 6
    assert woo.stock_of(str(stray["id"])) == 8
    assert presta.stock_of(ps_ids[kept.sku]) == 6


@pytest.fixture
def make_fresh(fresh_app: Flask) -> Factories:
    return Factories(fresh_app)


def run_worker_once(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    return result.output
