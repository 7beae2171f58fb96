"""Many orders racing for the last units: none oversold, none lost, no server errors."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.conftest import unique
from tests.factories import Factories
from tests.integration.test_orders_api import SHIP_TO
from tests.invariants import assert_invariants
from wms.core.models import Order, OrderLine
from wms.extensions import db
from wms.inventory.models import ProductStock


def post_order(app: Flask, token: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    client = app.test_client()
    response = client.post(
        "/api/v1/orders", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json


def test_32_clients_race_for_100_units(app: Flask, make: Factories, is_postgres: bool) -> None:
    product = make.product()
    make.stock(product, make.location(), 100)
    channel, token = make.channel()
    # SQLite has one writer at a time: fewer clients, as many orders
    clients = 32 if is_postgres else 8
    per_client = 6 if is_postgres else 20
    bodies = [
        {
            "external_id": unique("FLASH-"),
            "ship_to": SHIP_TO,
            "backorder": "allow" if i % 2 == 0 else "refuse",
            "lines": [{"sku": product.sku, "qty": 1}],
        }
        for i in range(clients * per_client)
    ]
    start = threading.Barrier(clients)

    def client_run(chunk: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any], str]]:
        start.wait()
        return [(*post_order(app, token, b), b["backorder"]) for b in chunk]

    chunks = [bodies[i::clients] for i in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        results = [r for chunk in pool.map(client_run, chunks) for r in chunk]

    statuses = Counter(status for status, _, _ in results)
    assert set(statuses) <= {201, 409}, statuses
    reserved = sum(body["lines"][0]["qty_reserved"] for status, body, _ in results if status == 201)
    assert reserved == 100
    backordered = [b for s, b, _ in results if s == 201 and b["lines"][0]["qty_backordered"]]
    refused = [b for s, b, _ in results if s == 409]
    assert all(kind == "refuse" for s, _, kind in results if s == 409)
    assert all(
        kind == "allow" for s, b, kind in results if s == 201 and b["lines"][0]["qty_backordered"]
    )
    assert len(backordered) + len(refused) + 100 == len(bodies)
    with app.app_context():
        stored = db.session.scalar(
            select(func.count()).select_from(Order).where(Order.channel_id == channel.id)
        )
        counters = db.session.get(ProductStock, product.id)
        held = db.session.scalar(
            select(func.sum(OrderLine.qty_reserved)).where(OrderLine.product_id == product.id)
        )
        waiting = db.session.scalar(
            select(func.sum(OrderLine.qty_waiting)).where(OrderLine.product_id == product.id)
        )
        assert stored == statuses[201]  # every accepted order is stored, none lost
        assert counters.qty_reserved == held == 100
        assert counters.qty_waiting == waiting == len(backordered)
    assert_invariants(app)


def test_the_same_order_sent_ten_times_at_once_is_one_order(app: Flask, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, token = make.channel()
    body = {
        "external_id": unique("DUP-"),
        "ship_to": SHIP_TO,
        "lines": [{"sku": product.sku, "qty": 2}],
    }
    start = threading.Barrier(10)

    def send(_: int) -> tuple[int, dict[str, Any]]:
        start.wait()
        return post_order(app, token, body)

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(send, range(10)))
    assert sorted(s for s, _ in results) == [200] * 9 + [201]
    assert len({b["id"] for _, b in results}) == 1
    with app.app_context():
        assert db.session.get(ProductStock, product.id).qty_reserved == 2
        assert (
            db.session.scalar(
                select(func.count()).select_from(Order).where(Order.channel_id == channel.id)
            )
            == 1
        )
    assert_invariants(app)
