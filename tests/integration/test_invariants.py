"""``flask verify``: every stored counter proven from the rows it counts.

One floor per database holds something of every kind (reserved, backordered
and preordered lines, units cross-docked into a lane and still on the dock,
a damaged unit held for quarantine, a wave partly picked, a parcel being
packed, an order shipped and partly returned). It agrees with itself; then
each test changes one stored counter with a raw UPDATE, inside a transaction
rolled back afterwards, and the check must name the difference.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text, update

from tests.conftest import _make_app
from tests.factories import Factories
from tests.invariants import assert_invariants
from wms.base.clock import utcnow
from wms.base.numbers import order_number, wave_code
from wms.core.models import Inbound
from wms.extensions import db
from wms.invariants import check_invariants
from wms.inventory.models import Location, LocationKind, ProductStock, Stock
from wms.orders.services import cancel_order
from wms.picking.models import PickTask
from wms.picking.services import picks

HX = {"HX-Request": "true"}


@dataclass
class Floor:
    app: Flask
    sku: dict[str, str] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=dict)


def _own_app(database: str, request: pytest.FixtureRequest, tmp: Path) -> Flask:
    """An app on a database of this module's own, copied from the migrated template."""
    if database.startswith("sqlite"):
        path = tmp / "floor.sqlite3"
        shutil.copy(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        cluster = request.getfixturevalue("pg_cluster")
        name = f"wms_floor_{uuid.uuid4().hex[:8]}"
        cluster.create_database(name, template=request.getfixturevalue("_pg_template"))
        url = cluster.url(name)
    return _make_app(url, tmp / "instance", WTF_CSRF_ENABLED=False)


def _signed_in(app: Flask, make: Factories) -> FlaskClient:
    user = make.user(role="operator")
    client = app.test_client()
    answer = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert answer.status_code == 302
    return client


def _scan(client: FlaskClient, url: str, code: str) -> Any:
    answer = client.post(url, data={"code": code, "scan_id": uuid.uuid4().hex}, headers=HX)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


@pytest.fixture(scope="module")
def floor(
    database: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Floor]:
    app = _own_app(database, request, tmp_path_factory.mktemp("floor"))
    make = Factories(app)
    f = Floor(app)
    dock = make.location(LocationKind.RECEIVING, code="RCV-1", walk_seq=1)
    make.location(LocationKind.STAGING_LANE, code="L1", walk_seq=100, capacity=4)
    packing_lane = make.location(LocationKind.STAGING_LANE, code="L9", walk_seq=190)
    make.location(LocationKind.QUARANTINE, code="QUAR-1", walk_seq=300)
    shelf = make.location(LocationKind.BIN, code="A-01-1", walk_seq=10)
    tote = make.location(LocationKind.TOTE, code="T-1")
    for kind, code in (
        (LocationKind.RETURNS, "RET-1"),
        (LocationKind.REWORK, "RWK-1"),
        (LocationKind.EXCEPTIONS, "EXC-1"),
    ):
        make.location(kind, code=code, walk_seq=500)
    station = make.pack_station()
    channel, _ = make.channel()
    client = _signed_in(app, make)

    shelved = make.product(sku="SHELVED")
    backordered = make.product(sku="BACKORDERED")
    preordered = make.product(sku="PREORDERED", release_on=date.today() + timedelta(days=30))
    returned = make.product(sku="RETURNED")
    packed = make.product(sku="PACKED")
    make.stock(shelved, shelf, 10)
    f.sku.update(s=shelved.sku, b=backordered.sku, p=preordered.sku, r=returned.sku)
    f.code.update(shelf=shelf.code, dock=dock.code, tote=tote.code)

    f.ids["reserved"] = make.order(channel, [(shelved, 2)])
    f.ids["waiting"] = make.order(channel, [(backordered, 3)])
    f.ids["preorder"] = make.order(channel, [(preordered, 2)])
    f.ids["cancelled"] = make.order(channel, [(shelved, 1)])
    with app.app_context():
        cancel_order(f.ids["cancelled"])
        db.session.commit()

    # Receiving: a unit cross-docked into L1, one still on the dock, a damaged one held.
    inbound_id = make.inbound([(backordered, 5)], utcnow())
    with app.app_context():
        f.code["inbound"] = db.session.get(Inbound, inbound_id).reference
    assert (
        client.post("/receive/start", data={"code": f.code["inbound"]}, headers=HX).status_code
        == 204
    )
    _scan(client, "/receive/scan", backordered.barcodes[0].code)
    _scan(client, "/receive/scan", "L1")
    _scan(client, "/receive/scan", backordered.barcodes[0].code)
    _scan(client, "/receive/scan", "CMD-DAMAGED")
    _scan(client, "/receive/scan", backordered.barcodes[0].code)

    # Picking: a wave of the two shelf orders, two of three units of one picked into a tote.
    f.ids["picked"] = make.order(channel, [(shelved, 3)])
    f.ids["wave"] = make.wave(channel)
    with app.app_context():
        task = db.session.scalar(select(PickTask).where(PickTask.order_id == f.ids["picked"]))
        assert picks.confirm_pick(task.id, 2, db.session.get(Location, tote.id), None, 0)
        db.session.commit()

    # Packing: one of two units verified into the parcel.
    make.stock(packed, make.location(walk_seq=20), 2)
    f.ids["packed"] = make.order(channel, [(packed, 2)])
    make.stage(f.ids["packed"], packing_lane)
    _scan(client, f"/pack/{station.code}/scan", order_number(f.ids["packed"]))
    _scan(client, f"/pack/{station.code}/scan", packed.barcodes[0].code)

    # Shipped, then one of two units returned and graded resellable.
    f.ids["shipped"] = make.shipped_order(channel, [(returned, 2)])
    f.code["rma"] = make.rma(f.ids["shipped"], [(returned, 2)])
    _scan(client, "/returns/receive/scan", f.code["rma"])
    _scan(client, "/returns/receive/scan", returned.barcodes[0].code)
    _scan(client, "/returns/receive/scan", "CMD-RESELL")

    yield f
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def differences_after(floor: Floor, *statements: Any) -> list[str]:
    """What the check says once ``statements`` have run; then they are rolled back."""
    with floor.app.app_context():
        try:
            for statement in statements:
                db.session.execute(text(statement) if isinstance(statement, str) else statement)
            return check_invariants()
        finally:
            db.session.rollback()
            db.session.remove()


def scalar(floor: Floor, sql: str, **params: Any) -> Any:
    with floor.app.app_context():
        try:
            return db.session.scalar(text(sql), params)
        finally:
            db.session.remove()


def product_id(floor: Floor, key: str) -> int:
    return scalar(floor, "SELECT id FROM products WHERE sku = :sku", sku=floor.sku[key])


def test_a_floor_with_something_of_every_kind_agrees_with_itself(floor: Floor) -> None:
    # The floor holds what each check counts, so the checks below compare real rows.
    for table, where in (
        ("order_lines", "qty_reserved > 0"),
        ("order_lines", "qty_waiting > 0 AND kind = 'backorder'"),
        ("order_lines", "kind = 'preorder'"),
        ("order_lines", "qty_shipped > 0"),
        ("lane_assignments", "released_at IS NULL"),
        ("dock_units", "status = 'on_dock' AND held_qty > 0"),
        ("dock_units", "status = 'on_dock' AND order_line_id IS NOT NULL"),
        ("staged_units", "qty > 0"),
        ("pick_tasks", "qty_picked > 0"),
        ("parcel_lines", "qty_verified > 0"),
        ("return_items", "grade = 'resellable'"),
    ):
        assert scalar(floor, f"SELECT COUNT(*) FROM {table} WHERE {where}"), (table, where)
    assert_invariants(floor.app)


def test_on_hand_that_differs_from_the_ledger_is_named_with_its_place(floor: Floor) -> None:
    found = differences_after(
        floor,
        update(Stock)
        .where(Stock.product_id == product_id(floor, "s"))
        .where(
            Stock.location_id
            == select(Location.id).where(Location.code == "A-01-1").scalar_subquery()
        )
        .values(qty_on_hand=Stock.qty_on_hand + 1),
    )
    held = scalar(
        floor,
        "SELECT qty_on_hand FROM stock JOIN locations l ON l.id = location_id "
        "WHERE product_id = :p AND l.code = 'A-01-1'",
        p=product_id(floor, "s"),
    )
    assert f"SHELVED at A-01-1: on hand {held + 1}, ledger says {held}" in found


def _counter(floor: Floor, key: str, column: str, change: int) -> tuple[int, list[str]]:
    ps = ProductStock.__table__
    stored = scalar(
        floor, f"SELECT {column} FROM product_stock WHERE product_id = :p", p=product_id(floor, key)
    )
    found = differences_after(
        floor,
        update(ps)
        .where(ps.c.product_id == product_id(floor, key))
        .values({column: ps.c[column] + change}),
    )
    return stored, found


def test_a_sellable_counter_that_drifted_is_named(floor: Floor) -> None:
    stored, found = _counter(floor, "s", "qty_sellable", 1)
    assert f"SHELVED: {stored + 1} units counted sellable, sellable places hold {stored}" in found


def test_a_reserved_counter_released_twice_is_named(floor: Floor) -> None:
    # The oversell of racing cancels: the counter drops below what the lines reserve.
    stored, found = _counter(floor, "s", "qty_reserved", -1)
    assert (
        f"SHELVED: {stored - 1} units counted reserved, "
        f"order lines and units held on the dock reserve {stored}"
    ) in found


def test_units_held_on_the_dock_count_as_reserved(floor: Floor) -> None:
    stored = scalar(
        floor,
        "SELECT qty_reserved FROM product_stock WHERE product_id = :p",
        p=product_id(floor, "b"),
    )
    found = differences_after(floor, "UPDATE dock_units SET held_qty = 0 WHERE held_qty > 0")
    assert (
        f"BACKORDERED: {stored} units counted reserved, "
        f"order lines and units held on the dock reserve {stored - 1}"
    ) in found


def test_a_waiting_counter_that_drifted_is_named(floor: Floor) -> None:
    stored, found = _counter(floor, "b", "qty_waiting", 1)
    assert (
        f"BACKORDERED: {stored + 1} units counted waiting, order lines wait for {stored}" in found
    )


def test_a_preordered_counter_that_drifted_is_named(floor: Floor) -> None:
    stored, found = _counter(floor, "p", "qty_preordered", -1)
    assert (
        f"PREORDERED: {stored - 1} unit counted preordered, preorder lines not cancelled hold "
        f"{stored}"
    ) in found


def test_an_order_whose_line_counts_drifted_is_named(floor: Floor) -> None:
    number = order_number(floor.ids["waiting"])
    found = differences_after(
        floor,
        "UPDATE orders SET line_count = 2, backordered_lines = 0 "
        f"WHERE id = {floor.ids['waiting']}",
    )
    assert f"{number}: says 2 line(s), has 1" in found
    assert f"{number}: says 0 backordered line(s), has 1" in found


def test_a_cancelled_order_that_still_reserves_is_named(floor: Floor) -> None:
    found = differences_after(
        floor, f"UPDATE orders SET status = 'cancelled' WHERE id = {floor.ids['reserved']}"
    )
    assert (
        f"{order_number(floor.ids['reserved'])} is cancelled but line 1 (SHELVED) "
        "still reserves 2 and waits for 0"
    ) in found


def test_a_lane_counter_that_drifted_is_named(floor: Floor) -> None:
    found = differences_after(
        floor,
        "UPDATE lane_occupancy SET orders_assigned = orders_assigned + 1 "
        "WHERE location_id = (SELECT id FROM locations WHERE code = 'L1')",
    )
    assert "Lane L1: counts 2 order(s), 1 are assigned to it" in found


def test_a_cancelled_order_still_holding_its_lane_is_named(floor: Floor) -> None:
    found = differences_after(
        floor,
        f"UPDATE lane_assignments SET order_id = {floor.ids['cancelled']} "
        f"WHERE order_id = {floor.ids['waiting']}",
    )
    assert f"{order_number(floor.ids['cancelled'])} is cancelled but still holds lane L1" in found


def test_units_staged_beyond_what_the_place_holds_or_the_line_reserves_are_named(
    floor: Floor,
) -> None:
    found = differences_after(
        floor,
        "UPDATE staged_units SET qty = qty + 5 WHERE location_id = "
        "(SELECT id FROM locations WHERE code = 'T-1')",
    )
    assert "SHELVED at T-1: 7 units staged for orders, 2 on hand" in found
    assert (
        f"{order_number(floor.ids['picked'])} line 1 (SHELVED): 7 units staged, only 3 reserved"
        in found
    )


def test_units_on_the_dock_that_are_not_there_are_named(floor: Floor) -> None:
    dock_units = scalar(
        floor,
        "SELECT SUM(qty) FROM dock_units WHERE status = 'on_dock' AND product_id = :p",
        p=product_id(floor, "b"),
    )
    found = differences_after(
        floor,
        "UPDATE stock SET qty_on_hand = 0 WHERE location_id = "
        "(SELECT id FROM locations WHERE code = 'RCV-1')",
    )
    assert (
        f"BACKORDERED at RCV-1: {dock_units} units wait on the dock to be taken away, 0 on hand"
        in found
    )


def test_an_inbound_line_received_count_is_proven_by_the_scans_and_the_ledger(
    floor: Floor,
) -> None:
    received = scalar(floor, "SELECT SUM(qty_received) FROM inbound_lines")
    found = differences_after(floor, "UPDATE inbound_lines SET qty_received = qty_received + 1")
    ref = floor.code["inbound"]
    assert (
        f"{ref} (BACKORDERED): {received + 1} received, dock scans not undone say {received}"
        in found
    )
    assert (
        f"{ref} (BACKORDERED): {received + 1} received, the ledger brought in {received}" in found
    )


def test_units_picked_are_proven_by_the_ledger(floor: Floor) -> None:
    found = differences_after(
        floor, "UPDATE pick_tasks SET qty_picked = qty_picked - 1 WHERE qty_picked > 0"
    )
    assert (
        f"{wave_code(floor.ids['wave'])} (SHELVED): tasks say 1 picked, the ledger picked 2"
        in found
    )


def test_units_verified_into_a_parcel_are_at_the_pack_station(floor: Floor) -> None:
    found = differences_after(floor, "UPDATE parcel_lines SET qty_verified = qty_verified + 1")
    assert (
        f"{order_number(floor.ids['packed'])} line 1 (PACKED): 2 units verified into its parcel, "
        "1 staged at a pack station"
    ) in found


def test_units_shipped_are_proven_by_the_ledger(floor: Floor) -> None:
    found = differences_after(
        floor,
        "UPDATE order_lines SET qty_shipped = qty_shipped - 1, qty_cancelled = qty_cancelled + 1 "
        f"WHERE order_id = {floor.ids['shipped']}",
    )
    assert (
        f"{order_number(floor.ids['shipped'])} (RETURNED): lines say 1 shipped, "
        "the ledger shipped 2"
    ) in found


def test_units_received_on_a_return_are_proven_by_their_grades_and_the_ledger(
    floor: Floor,
) -> None:
    rma = floor.code["rma"]
    found = differences_after(floor, "UPDATE return_lines SET qty_received = qty_received + 1")
    assert f"{rma} line 1 (RETURNED): 2 received, graded items say 1" in found
    found = differences_after(floor, "UPDATE return_items SET qty = qty + 1")
    assert f"{rma} (RETURNED): 2 units graded, the ledger took in 1" in found


def test_verify_exits_0_when_every_counter_agrees_and_1_naming_the_product_when_one_does_not(
    fresh_app: Flask,
) -> None:
    make = Factories(fresh_app)
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel()
    make.order(channel, [(product, 2)])
    runner = fresh_app.test_cli_runner()

    agreed = runner.invoke(args=["verify"])
    assert agreed.exit_code == 0, agreed.output
    assert "Every counter agrees with the rows it counts." in agreed.output

    with fresh_app.app_context():
        db.session.execute(
            update(ProductStock)
            .where(ProductStock.product_id == product.id)
            .values(qty_reserved=ProductStock.qty_reserved - 1)
        )
        db.session.commit()
    for name in ("verify", "verify-ledger"):
        found = runner.invoke(args=[name])
        assert found.exit_code == 1, found.output
        assert (
            f"{product.sku}: 1 unit counted reserved, "
            "order lines and units held on the dock reserve 2"
        ) in found.output
        assert "1 difference(s)." in found.output


def test_a_preorder_of_a_product_without_a_cap_is_counted_and_can_be_cancelled(
    fresh_app: Flask,
) -> None:
    make = Factories(fresh_app)
    product = make.product(release_on=date.today() + timedelta(days=30))
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 2)])
    assert_invariants(fresh_app)
    with fresh_app.app_context():
        assert db.session.get(ProductStock, product.id).qty_preordered == 2
        cancel_order(order_id)
        db.session.commit()
        assert db.session.get(ProductStock, product.id).qty_preordered == 0
    assert_invariants(fresh_app)
