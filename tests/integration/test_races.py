"""Every change of state happens once: the same request sent eight times at once.

Each test fires eight identical requests through the real endpoint (the API,
or the desk or floor route as people use it) behind a barrier, on
PostgreSQL, and checks that the change happened once: one effect, one event
for the channel, every other counter untouched; the other seven get the
answer a retry gets (or a plain 409). Each ends by proving every stored
counter from its source rows.

The list, by what changes:

- orders: cancel, payment captured, intake of one external id
- returns: authorise (one external id)
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import unique
from tests.factories import Factories
from tests.integration.test_orders_api import SHIP_TO
from tests.invariants import assert_invariants
from wms.core.clock import today
from wms.core.models import OutboxEvent
from wms.extensions import db
from wms.inventory.models import ProductStock
from wms.orders.models import order_number

pytestmark = pytest.mark.postgres_only

RACERS = 8
HOOK = "http://127.0.0.1:9/hook"


# ----------------------------------------------------------------- helpers


def all_at_once(work: Callable[[int], Any], count: int = RACERS) -> list[Any]:
    """``work(i)`` for i in 0..count-1, all released by one barrier."""
    start = threading.Barrier(count)

    def run(i: int) -> Any:
        start.wait()
        return work(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


class Api:
    """A channel calling the API, a client per thread."""

    def __init__(self, app: Flask, token: str) -> None:
        self.app = app
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        client = self.app.test_client()
        response = client.post(f"/api/v1{path}", json=body, headers=self.headers)
        return response.status_code, response.json

    def race(self, path: str, body: Any = None) -> list[tuple[int, Any]]:
        return all_at_once(lambda _: self.post(path, body))


def events(app: Flask, event_type: str, aggregate: str | None = None) -> int:
    """How many events of a kind the outbox holds (for one aggregate)."""
    with app.app_context():
        stmt = select(func.count()).where(OutboxEvent.event_type == event_type)
        if aggregate is not None:
            stmt = stmt.where(OutboxEvent.aggregate == aggregate)
        return int(db.session.scalar(stmt) or 0)


def counters(app: Flask, product_id: int) -> tuple[int, int, int, int]:
    """(sellable, reserved, waiting, preordered) of a product."""
    with app.app_context():
        ps = db.session.get(ProductStock, product_id)
        return (ps.qty_sellable, ps.qty_reserved, ps.qty_waiting, ps.qty_preordered)


@pytest.fixture
def make(fresh_app: Flask) -> Factories:
    """Factories on a database of the test's own, so the invariants are its alone."""
    return Factories(fresh_app)


@pytest.fixture
def app(fresh_app: Flask) -> Flask:
    return fresh_app


def order_body(sku: str, qty: int = 1, **kw: Any) -> dict[str, Any]:
    return {
        "external_id": kw.pop("external_id", unique("RACE-")),
        "ship_to": SHIP_TO,
        "lines": [{"sku": sku, "qty": qty}],
        **kw,
    }


# ------------------------------------------------------------------ orders


def test_eight_cancels_of_one_order_free_its_stock_once(app: Flask, make: Factories) -> None:
    product = make.product(allow_backorder=False)
    make.stock(product, make.location(), 10)
    channel, token = make.channel(webhook_url=HOOK)
    orders = [make.order(channel, [(product, 1)]) for _ in range(10)]
    assert counters(app, product.id)[1] == 10
    api = Api(app, token)

    answers = api.race(f"/orders/{order_number(orders[0])}/cancel")

    assert [s for s, _ in answers] == [200] * RACERS
    assert {b["status"] for _, b in answers} == {"cancelled"}
    assert counters(app, product.id)[1] == 9  # one unit freed, once
    assert events(app, "order.cancelled", f"order:{orders[0]}") == 1
    # the freed unit is sold once, and nothing more
    taken = [api.post("/orders", order_body(product.sku))[0] for _ in range(3)]
    assert taken == [201, 409, 409]
    assert counters(app, product.id)[1] == 10
    assert_invariants(app)


def test_eight_cancels_of_a_preorder_give_its_place_under_the_cap_back_once(
    app: Flask, make: Factories
) -> None:
    release = today() + timedelta(days=30)
    product = make.product(release_on=release, preorder_cap=5, estimated_ship_on=release)
    channel, token = make.channel(webhook_url=HOOK)
    orders = [make.order(channel, [(product, 1)]) for _ in range(5)]
    assert counters(app, product.id)[3] == 5
    api = Api(app, token)

    answers = api.race(f"/orders/{order_number(orders[0])}/cancel")

    assert [s for s, _ in answers] == [200] * RACERS
    assert counters(app, product.id)[2:] == (4, 4)  # waiting, preordered
    assert events(app, "order.cancelled", f"order:{orders[0]}") == 1
    taken = [api.post("/orders", order_body(product.sku))[0] for _ in range(3)]
    assert taken == [201, 409, 409]  # the cap holds
    assert counters(app, product.id)[3] == 5
    assert_invariants(app)


def test_eight_payment_captures_are_one_event(app: Flask, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 3)
    channel, token = make.channel(webhook_url=HOOK)
    order_id = make.order(channel, [(product, 1)], capture_before_ship=True)

    answers = Api(app, token).race(f"/orders/{order_number(order_id)}/payment-captured")

    assert [s for s, _ in answers] == [200] * RACERS
    assert len({b["payment_captured_at"] for _, b in answers}) == 1  # one moment, told once
    assert events(app, "order.payment_captured", f"order:{order_id}") == 1
    assert_invariants(app)


def test_one_order_sent_eight_times_at_once_is_one_order(app: Flask, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    _, token = make.channel(webhook_url=HOOK)
    body = order_body(product.sku, 2)

    answers = Api(app, token).race("/orders", body)

    assert sorted(s for s, _ in answers) == [200] * (RACERS - 1) + [201]
    assert len({b["id"] for _, b in answers}) == 1
    assert counters(app, product.id)[1] == 2
    assert events(app, "order.accepted") == 1
    assert_invariants(app)


# ----------------------------------------------------------------- returns


def test_one_return_sent_eight_times_at_once_is_one_return(app: Flask, make: Factories) -> None:
    product = make.product()
    channel, token = make.channel(webhook_url=HOOK)
    order_id = make.shipped_order(channel, [(product, 2)])
    body = {
        "external_id": unique("RET-"),
        "order_number": order_number(order_id),
        "lines": [{"sku": product.sku, "qty": 2, "reason": "changed_mind"}],
    }

    answers = Api(app, token).race("/returns", body)

    assert Counter(s for s, _ in answers) == {201: 1, 200: RACERS - 1}, answers
    assert len({b["number"] for _, b in answers}) == 1
    assert events(app, "return.authorised") == 1
    assert_invariants(app)
