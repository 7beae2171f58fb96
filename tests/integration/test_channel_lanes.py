"""Each channel on its own cadence: the real worker loop (``Worker.run``) against fake
Shopify, WooCommerce and PrestaShop servers on 127.0.0.1, a shop that hangs holding back
only its own figures, and two workers claiming at once on PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import Factories
from tests.fakes.prestashop_server import FakePrestaShop
from tests.fakes.shop_base import Answer
from tests.fakes.shopify_server import FakeShopify
from tests.fakes.webhooks import WebhookReceiver
from tests.fakes.woocommerce_server import FakeWooCommerce
from tests.servers import wait_for
from tests.shop_fakes import connect_all, list_everywhere
from wms.channels import delivery, pushes
from wms.channels.models import OutboxEvent, OutboxStatus
from wms.extensions import db
from wms.worker import Worker


class HangingPrestaShop(FakePrestaShop):
    """A PrestaShop whose stock writes hang, once ``hang`` is set, until ``release`` is."""

    def __init__(self) -> None:
        super().__init__()
        self.hang = threading.Event()
        self.held = threading.Event()
        self.release = threading.Event()

    def dispatch(self, method: str, raw_path: str, headers: Any, body: bytes) -> Answer:
        if self.hang.is_set() and method == "PUT" and "/stock_availables" in raw_path:
            self.held.set()
            self.release.wait(120)
        return super().dispatch(method, raw_path, headers, body)


@contextmanager
def running(app: Flask, start: threading.Barrier | None = None) -> Iterator[Worker]:
    """The worker's own loop in a thread, as ``flask worker`` runs it (no chores)."""
    said: list[str] = []
    worker = Worker(idle=0.05, chores=lambda: [], report=said.append)

    def run() -> None:
        if start is not None:
            start.wait()
        with app.app_context():
            worker.run()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop.set()
        thread.join(60)
        assert not thread.is_alive()


def pending(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).where(OutboxEvent.status == OutboxStatus.PENDING)
        )
        db.session.remove()
    return int(count or 0)


def test_a_shop_that_hangs_holds_back_only_its_own_figures(
    fresh_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hanging call outlasts the test: only the release ends it.
    monkeypatch.setattr(pushes, "TIMEOUT", 180.0)
    make = Factories(fresh_app)
    with FakeShopify() as shopify, FakeWooCommerce() as woo, HangingPrestaShop() as presta:
        shops = connect_all(make, shopify, woo, presta)
        item = make.product()
        listed = list_everywhere(make, shops, item, start=99)
        presta.hang.set()
        make.stock(item, make.location(), 10)
        try:
            with running(fresh_app):
                wait_for(presta.held.is_set, "PrestaShop is written to, and hangs")
                wait_for(lambda: listed.figures(shops)[:2] == (10, 10), "the others show 10")

                channel, _ = make.channel()
                make.order(channel, [(item, 3)])

                # PrestaShop still hangs on the first figure; the others get the second.
                wait_for(lambda: listed.figures(shops)[:2] == (7, 7), "the others show 7", 30)
                assert presta.stock_of(listed.presta_id) == 99

                presta.release.set()
                wait_for(lambda: listed.figures(shops) == (7, 7, 7), "PrestaShop shows 7")
        finally:
            presta.release.set()


@pytest.mark.postgres_only
def test_two_workers_claiming_at_once_send_each_event_once_and_the_latest_figure_wins(
    fresh_app: Flask,
) -> None:
    make = Factories(fresh_app)
    receiver = WebhookReceiver().start()
    try:
        with FakeShopify() as shopify, FakeWooCommerce() as woo, FakePrestaShop() as presta:
            shops = connect_all(make, shopify, woo, presta)
            hook, _ = make.channel(webhook_url=receiver.url)
            items = [make.product() for _ in range(4)]
            listed = [list_everywhere(make, shops, item) for item in items]
            bin_ = make.location()
            for item in items:
                make.stock(item, bin_, 30)
            channel, _ = make.channel()

            start = threading.Barrier(3)
            with running(fresh_app, start), running(fresh_app, start):
                start.wait()
                for n in range(24):  # sold while both workers send
                    make.order(channel, [(items[n % 4], 1)])
                wait_for(
                    lambda: (
                        all(one.figures(shops) == (24, 24, 24) for one in listed)
                        and not pending(fresh_app)
                    ),
                    "every shop shows 24 of each, and nothing waits",
                )
    finally:
        receiver.stop()

    # The channel with a webhook got each event once, and the last figure it heard is 24.
    received = receiver.accepted()
    ids = [r["body"]["id"] for r in received]
    assert len(ids) == len(set(ids))
    last = {
        r["body"]["data"]["sku"]: r["body"]["data"]["available_to_promise"]
        for r in sorted(received, key=lambda r: r["body"]["id"])
        if r["body"]["type"] == "availability.changed"
    }
    assert last == {item.sku: 24 for item in items}
    with fresh_app.app_context():
        events = db.session.scalars(select(OutboxEvent)).all()
        assert {e.status for e in events} <= {OutboxStatus.DELIVERED, OutboxStatus.SUPERSEDED}
        # Sent once each: one attempt per event delivered, and as many requests as attempts.
        assert {e.attempts for e in events if e.status == OutboxStatus.DELIVERED} == {1}
        assert Counter(ids) == {
            e.id: e.attempts
            for e in events
            if e.channel_id == hook.id and e.status == OutboxStatus.DELIVERED
        }
        db.session.remove()


@pytest.mark.postgres_only
def test_claims_made_at_once_take_each_event_once(fresh_app: Flask) -> None:
    make = Factories(fresh_app)
    with FakeShopify() as shopify, FakeWooCommerce() as woo, FakePrestaShop() as presta:
        shops = connect_all(make, shopify, woo, presta)
        items = [make.product() for _ in range(30)]
        bin_ = make.location()
        for item in items:
            make.stock(item, bin_, 5)  # a figure waits for each product on each shop
        woo_id = shops.woo_channel.id

        # One claim per channel, one for every channel but WooCommerce, one for all:
        # side by side, as the lanes of two workers claim.
        asks: list[dict[str, Any]] = [{"only": c.id} for c in shops.channels] + [
            {"busy": {woo_id}},
            {},
        ]
        start = threading.Barrier(len(asks))
        taken: list[list[delivery.Claimed]] = [[] for _ in asks]

        def claim(n: int) -> None:
            with fresh_app.app_context():
                start.wait()
                taken[n] = delivery.claim(50, **asks[n])
                db.session.commit()
                db.session.remove()

        threads = [threading.Thread(target=claim, args=(n,)) for n in range(len(asks))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)

    ids = [ev.id for claimed in taken for ev in claimed]
    assert len(ids) == len(set(ids)) == 90  # every figure taken, none twice
    assert all(ev.channel_id == asks[n]["only"] for n in range(3) for ev in taken[n])
    assert all(ev.channel_id != woo_id for ev in taken[3])
