"""Two app servers and two workers on one PostgreSQL: how a warehouse grows past one machine.

Both servers are gunicorn as ``make run`` starts it, both workers ``flask
worker``; nothing is shared between them but the database. A flash sale on a
hot SKU is split over both servers, some orders are then cancelled through
the other one, and both workers deliver the events to one webhook endpoint.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from tests.conftest import _make_app
from tests.factories import Factories
from tests.fakes.webhooks import WebhookReceiver
from tests.servers import WorkerProcess, app_servers, http_session, verify, wait_for
from wms.channels.models import OutboxEvent, OutboxStatus
from wms.devtools.pgcluster import Cluster
from wms.extensions import db
from wms.inventory.models import ProductStock

pytestmark = pytest.mark.postgres_only

UNITS = 30
BUYERS = 12
ORDERS_EACH = 6  # 72 orders for 30 units
CANCELLED = 8
SHIP_TO = {"name": "Ana Buyer", "street1": "1 Main St", "city": "Springfield", "zip": "90001"}


@pytest.fixture
def shared_db(pg_cluster: Cluster, _pg_template: str, tmp_path: Path) -> Iterator[str]:
    name = f"wms_two_{uuid.uuid4().hex[:8]}"
    pg_cluster.create_database(name, template=_pg_template)
    yield pg_cluster.url(name)


@pytest.fixture
def app(shared_db: str, tmp_path: Path) -> Iterator[Flask]:
    """The test's own app on the shared database; its connections close even if the test fails."""
    app = _make_app(shared_db, tmp_path / "factories")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()

    def slow(_request: dict[str, Any]) -> int:
        time.sleep(0.05)  # a channel far away: the backlog outlasts a worker's idle wait
        return 200

    r.answer = slow
    yield r
    r.stop()


def test_two_servers_and_two_workers_sell_a_hot_sku_once_and_deliver_every_event_once_in_order(
    shared_db: str, app: Flask, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    make = Factories(app)
    hot = make.product(allow_backorder=False)
    make.stock(hot, make.location(), UNITS)
    channel, token = make.channel(webhook_url=receiver.url)
    headers = {"Authorization": f"Bearer {token}"}

    # Small batches sent one at a time: the backlog lasts seconds, so whichever
    # worker wakes second still finds events to claim beside the first.
    workers = [
        WorkerProcess(
            shared_db, tmp_path / f"worker{i}", "--idle", "0.2", "--batch", "3", "--threads", "1"
        )
        for i in (1, 2)
    ]
    try:
        with app_servers(shared_db, tmp_path / "servers", 2, workers=1) as servers:
            answers: list[tuple[str, int, dict[str, Any]]] = []
            lock = threading.Lock()
            barrier = threading.Barrier(BUYERS)

            def buy(i: int) -> None:
                http = http_session()
                barrier.wait()
                for n in range(ORDERS_EACH):
                    base = servers[(i + n) % 2]
                    body = {
                        "external_id": f"flash-{i}-{n}",
                        "ship_to": SHIP_TO,
                        "backorder": "refuse",
                        "lines": [{"sku": hot.sku, "qty": 1}],
                    }
                    r = http.post(f"{base}/api/v1/orders", json=body, headers=headers, timeout=60)
                    with lock:
                        answers.append((base, r.status_code, r.json()))

            threads = [threading.Thread(target=buy, args=(i,)) for i in range(BUYERS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)

            statuses = sorted({s for _, s, _ in answers})
            assert statuses == [201, 409], statuses
            accepted = [body for _, s, body in answers if s == 201]
            assert len(accepted) == UNITS  # every unit sold, none twice
            assert {base for base, s, _ in answers if s == 201} == set(servers)

            # Cancelled through the server that did not take the order.
            cancelled = accepted[:CANCELLED]
            for n, order in enumerate(cancelled):
                base = servers[n % 2]
                r = requests.post(
                    f"{base}/api/v1/orders/{order['number']}/cancel", headers=headers, timeout=60
                )
                assert r.status_code == 200, r.text

            expected = {o["id"]: ["order.accepted"] for o in accepted}
            for o in cancelled:
                expected[o["id"]].append("order.cancelled")

            def delivered() -> dict[int, list[str]]:
                seen: dict[int, list[str]] = defaultdict(list)
                for r in receiver.accepted():
                    data = r["body"]["data"]
                    if "order_id" in data:
                        seen[data["order_id"]].append(r["body"]["type"])
                return seen

            wait_for(lambda: delivered() == expected, "every order event delivered", seconds=120)
            wait_for(
                lambda: _published(receiver, hot.sku) == CANCELLED,
                "the channel hears the last availability figure",
            )
    finally:
        codes = [w.stop() for w in workers]

    assert codes == [0, 0], [w.output for w in workers]
    received = receiver.accepted()
    ids = [r["body"]["id"] for r in received]
    assert len(ids) == len(set(ids))  # every event once: each was tried once, and answered 200
    by_order: dict[int, list[int]] = defaultdict(list)
    for r in received:
        if "order_id" in r["body"]["data"]:
            by_order[r["body"]["data"]["order_id"]].append(r["body"]["id"])
    assert all(seq == sorted(seq) for seq in by_order.values())  # in order per order
    for worker in workers:  # both took part
        assert "delivered" in worker.output, worker.output
    with app.app_context():
        events = db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.channel_id == channel.id)
        ).all()
        assert {e.status for e in events} <= {OutboxStatus.DELIVERED, OutboxStatus.SUPERSEDED}
        # Delivered once per attempt: as many requests as attempts, for every event.
        assert {e.id: e.attempts for e in events if e.status == OutboxStatus.DELIVERED} == {
            i: ids.count(i) for i in set(ids)
        }
        stock = db.session.scalar(select(ProductStock).where(ProductStock.product_id == hot.id))
        assert stock.qty_reserved == UNITS - CANCELLED
        db.session.remove()
        db.engine.dispose()
    assert verify(shared_db, tmp_path / "verify") == ""


def _published(receiver: WebhookReceiver, sku: str) -> int | None:
    figures = [
        r["body"]["data"]["available_to_promise"]
        for r in receiver.accepted()
        if r["body"]["type"] == "availability.changed" and r["body"]["data"]["sku"] == sku
    ]
    return figures[-1] if figures else None
