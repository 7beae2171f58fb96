"""PostgreSQL restarts under the running app and worker: nothing exits, nothing is lost.

A cluster of its own (the suite's shared one cannot be stopped), the app under
gunicorn as ``make run`` starts it, ``flask worker`` as ``make worker`` does,
and a channel's webhook endpoint on 127.0.0.1.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask import Flask

from tests.conftest import _make_app, _migrate
from tests.factories import Factories
from tests.fakes.webhooks import WebhookReceiver
from tests.servers import FloorUser, WorkerProcess, app_server, wait_for
from wms.devtools.pgcluster import Cluster
from wms.extensions import db

pytestmark = pytest.mark.postgres_only

SHIP_TO = {"name": "Ana Buyer", "street1": "1 Main St", "city": "Springfield", "zip": "90001"}


@pytest.fixture(scope="module")
def own_cluster() -> Iterator[Cluster]:
    cluster = Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def site(own_cluster: Cluster, tmp_path: Path) -> Iterator[tuple[str, Flask, Factories]]:
    url = own_cluster.create_database(f"outage_{uuid.uuid4().hex[:8]}")
    _migrate(url, tmp_path / "migrate")
    app = _make_app(url, tmp_path / "factories")
    yield url, app, Factories(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


def post_order(base: str, token: str, sku: str) -> requests.Response:
    return requests.post(
        f"{base}/api/v1/orders",
        json={
            "external_id": uuid.uuid4().hex,
            "ship_to": SHIP_TO,
            "lines": [{"sku": sku, "qty": 1}],
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def accepted_orders(receiver: WebhookReceiver) -> set[int]:
    return {
        r["body"]["data"]["order_id"]
        for r in receiver.accepted()
        if r["body"]["type"] == "order.accepted"
    }


def test_the_worker_outlives_a_database_restart_and_delivers_on_its_own(
    own_cluster: Cluster,
    site: tuple[str, Flask, Factories],
    receiver: WebhookReceiver,
    tmp_path: Path,
) -> None:
    url, app, make = site
    product = make.product()
    make.stock(product, make.location(), 20)
    channel, _ = make.channel(webhook_url=receiver.url)
    worker = WorkerProcess(url, tmp_path / "worker", "--idle", "0.2")
    try:
        before = make.order(channel, [(product, 1)])
        wait_for(lambda: before in accepted_orders(receiver), "the first order announced")

        own_cluster.stop_server("fast")
        try:
            wait_for(
                lambda: "database unreachable" in worker.output or not worker.alive(),
                "the worker notices",
            )
            time.sleep(2)  # down for a while: the worker keeps trying
            assert worker.alive(), worker.output
        finally:
            own_cluster.start_server()
        with app.app_context():
            db.engine.dispose()  # the test's own connections died with the server

        after = [make.order(channel, [(product, 1)]) for _ in range(3)]
        wait_for(
            lambda: set(after) <= accepted_orders(receiver), "later orders announced", seconds=90
        )
        # The round that found the database again says so once it has ended.
        wait_for(lambda: "database reachable again" in worker.output, "the worker says so")
        assert worker.alive(), worker.output
        output = worker.output
        # Said once when the outage began and once when it ended, not per retry.
        assert output.count("database unreachable") == 1, output
        assert output.count("database reachable again") == 1, output
    finally:
        code = worker.stop()
    assert code == 0, worker.output
    assert "Worker stopped." in worker.output


def test_a_database_outage_is_answered_503_with_a_code_and_when_to_retry(
    own_cluster: Cluster,
    site: tuple[str, Flask, Factories],
    tmp_path: Path,
) -> None:
    url, app, make = site
    product = make.product()
    make.stock(product, make.location(), 20)
    _, token = make.channel()
    user = make.user(role="operator")
    with app_server(url, tmp_path / "server") as base:
        operator = FloorUser(base, user.username)
        assert post_order(base, token, product.sku).status_code == 201
        own_cluster.stop_server("fast")
        try:
            api = post_order(base, token, product.sku)
            screen = operator.get("/receive/")
            scan = operator.scan("/receive/start", "ASN-NONE")
        finally:
            own_cluster.start_server()
        assert api.status_code == 503
        assert api.json()["code"] == "database_unavailable"
        assert int(api.headers["Retry-After"]) > 0
        for answer in (screen, scan):
            assert answer.status_code == 503
            assert "The database cannot be reached just now" in answer.text
            assert int(answer.headers["Retry-After"]) > 0
        # Back without a restart of the app: the next requests are served.
        after = wait_for(
            lambda: (r := post_order(base, token, product.sku)).status_code != 503 and r,
            "the API answers again",
        )
        assert after.status_code == 201
        assert operator.get("/receive/").status_code == 200
    with app.app_context():
        db.engine.dispose()
