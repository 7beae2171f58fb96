"""Random days on the floor keep every counter true.

Hypothesis plays random sequences of what the floor and the channels do —
orders placed and cancelled through the API, units received (some damaged,
some left on the dock, some taken back with UNDO), waves picked (some lines
found short), orders packed and shipped at the pack station, returns
authorised through the API and graded on the bench — against a real
database, and after every step ``check_invariants()`` must find nothing.
Every answer must also be an answer (no 5xx).

Bounded and derandomized so it runs the same way, in seconds, on every run.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from tests.factories import Factories
from wms.base.clock import utcnow
from wms.base.numbers import order_number
from wms.core.models import Inbound, Order, OrderLine, OrderStatus
from wms.extensions import db
from wms.invariants import check_invariants
from wms.inventory.models import Location, LocationKind, Movement, Product, ProductStock
from wms.picking.models import PickTask, TaskStatus, Wave, WaveOrder
from wms.picking.queries import work
from wms.picking.services import picks
from wms.picking.services.waves import WaveCriteria, build_wave, claim_wave, finish_wave
from wms.receiving.models import DockUnit, DockUnitStatus

HX = {"HX-Request": "true"}
SHIP_TO = {"name": "Ana Buyer", "street1": "1 Main St", "city": "Springfield", "zip": "90001"}
GRADES = ("CMD-RESELL", "CMD-REWORK", "3")  # resellable, rework, damaged

SETTINGS = settings(
    # More examples hunt longer: WMS_PROPERTY_EXAMPLES=200 make test PYTEST_ARGS=...
    max_examples=int(os.environ.get("WMS_PROPERTY_EXAMPLES", "10")),
    stateful_step_count=int(os.environ.get("WMS_PROPERTY_STEPS", "15")),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def signed_in(app: Flask, make: Factories) -> tuple[FlaskClient, int]:
    user = make.user(role="operator")
    client = app.test_client()
    answer = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert answer.status_code == 302
    return client, user.id


@dataclass
class World:
    """The site every example works in: places, a channel, people signed in."""

    app: Flask
    make: Factories
    receiver: FlaskClient
    receiver_id: int
    picker_id: int
    packer: FlaskClient
    clerk: FlaskClient
    station: str
    box: str

    @classmethod
    def build(cls, app: Flask) -> World:
        make = Factories(app)
        make.location(LocationKind.RECEIVING, code="RCV-1", walk_seq=1)
        for kind, code in (
            (LocationKind.QUARANTINE, "QUAR-1"),
            (LocationKind.RETURNS, "RET-1"),
            (LocationKind.REWORK, "RWK-1"),
            (LocationKind.EXCEPTIONS, "EXC-1"),
        ):
            make.location(kind, code=code, walk_seq=300)
        for i in range(1, 4):
            make.location(LocationKind.BIN, code=f"A-0{i}-1", walk_seq=10 * i, capacity=50)
        receiver, receiver_id = signed_in(app, make)
        picker_id = make.user(role="operator").id
        packer, _ = signed_in(app, make)
        clerk, _ = signed_in(app, make)
        station = make.pack_station().code
        return cls(
            app,
            make,
            receiver,
            receiver_id,
            picker_id,
            packer,
            clerk,
            station,
            make.box().code,
        )

    def api(self, token: str, path: str, body: dict[str, Any]) -> Any:
        answer = self.receiver.post(
            f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code < 500, answer.get_data(as_text=True)
        return answer

    @staticmethod
    def scan(client: FlaskClient, url: str, code: str) -> str:
        answer = client.post(url, data={"code": code, "scan_id": uuid.uuid4().hex}, headers=HX)
        page = answer.get_data(as_text=True)
        assert answer.status_code < 500, page
        return page

    def read(self, stmt: Any) -> list[Any]:
        with self.app.app_context():
            try:
                return list(db.session.execute(stmt).all())
            finally:
                db.session.remove()


class FloorMachine(RuleBasedStateMachine):
    world: World  # set on a subclass made for each database

    @initialize()
    def new_products_and_an_inbound(self) -> None:
        # Examples share the database: one that failed leaves its differences behind, and
        # the next (Hypothesis replaying it while shrinking) must be judged on its own.
        self.known = set(self.differences())
        make = self.world.make
        later = date.today() + timedelta(days=30)
        self.products: list[Product] = [
            make.product(),  # on the shelf
            make.product(),  # backordered until received
            make.product(release_on=later),  # a preorder without a cap
            make.product(release_on=later, preorder_cap=4),
        ]
        make.stock(self.products[0], self.location("A-01-1"), 6)
        # Lanes and totes of its own: orders of earlier examples still fill theirs.
        for kind, capacity in ((LocationKind.STAGING_LANE, 2),) * 2 + (
            (LocationKind.HOLD_LANE, 4),
        ):
            make.location(kind, walk_seq=100, capacity=capacity)
        for _ in range(3):  # a cart's totes: an order per tote
            make.location(LocationKind.TOTE)
        # A channel of its own: waves take this example's orders only.
        channel, self.token = make.channel()
        self.channel_id = channel.id
        self.orders: list[int] = []
        self.rmas: list[tuple[str, Product]] = []
        inbound_id = make.inbound([(p, 50) for p in self.products], utcnow())
        [(reference,)] = self.world.read(select(Inbound.reference).where(Inbound.id == inbound_id))
        answer = self.world.receiver.post("/receive/start", data={"code": reference}, headers=HX)
        assert answer.status_code == 204
        # Something to work on from the first step: an order on the shelf, one backordered
        # and made whole by a unit cross-docked into its lane, one backordered by two.
        self.place_an_order(0, 2, False)
        self.place_an_order(1, 1, False)
        self.place_an_order(1, 2, False)
        self.receive_units(0, 1, False, "take away")

    def location(self, code: str) -> Location:
        [(location,)] = self.world.read(select(Location).where(Location.code == code))
        return location

    def statuses(self) -> dict[int, str]:
        if not self.orders:
            return {}
        return dict(
            self.world.read(select(Order.id, Order.status).where(Order.id.in_(self.orders)))
        )

    # ------------------------------------------------------------ channels

    @rule(which=st.integers(0, 3), qty=st.integers(1, 3), refuse=st.booleans())
    def place_an_order(self, which: int, qty: int, refuse: bool) -> None:
        body = {
            "external_id": f"EXT-{uuid.uuid4().hex[:12]}",
            "ship_to": SHIP_TO,
            "lines": [{"sku": self.products[which].sku, "qty": qty}],
            "backorder": "refuse" if refuse else "allow",
        }
        answer = self.world.api(self.token, "/orders", body)
        if answer.status_code == 201:
            self.orders.append(answer.json["id"])

    @rule(pick=st.integers(0, 100))
    def cancel_an_order(self, pick: int) -> None:
        order_id = self.orders[pick % len(self.orders)]
        self.world.api(self.token, f"/orders/{order_number(order_id)}/cancel", {})

    # ------------------------------------------------------------ receiving

    @rule(
        which=st.integers(0, 3),
        qty=st.integers(1, 3),
        damaged=st.booleans(),
        then=st.sampled_from(("take away", "take away", "leave", "undo")),
    )
    def receive_units(self, which: int, qty: int, damaged: bool, then: str) -> None:
        """Scan units (a typed count first, DAMAGED before), then usually take everything
        on the dock where the screen said; sometimes leave it there, or take it back.
        Products that orders wait for come first, as on a real dock."""
        waiting = dict(
            self.world.read(
                select(ProductStock.product_id, ProductStock.qty_waiting).where(
                    ProductStock.product_id.in_([p.id for p in self.products])
                )
            )
        )
        product = sorted(self.products, key=lambda p: -waiting.get(p.id, 0))[which]
        url = "/receive/scan"
        if damaged:
            self.world.scan(self.world.receiver, url, "CMD-DAMAGED")
        if qty > 1:
            self.world.scan(self.world.receiver, url, str(qty))
        self.world.scan(self.world.receiver, url, product.barcodes[0].code)
        if then == "undo":
            self.world.scan(self.world.receiver, url, "CMD-UNDO")
        elif then == "take away":
            self.take_what_is_on_the_dock_where_it_goes()

    def take_what_is_on_the_dock_where_it_goes(self) -> None:
        pending = self.world.read(
            select(Location.code)
            .join(DockUnit, DockUnit.to_location_id == Location.id)
            .where(
                DockUnit.received_by == self.world.receiver_id,
                DockUnit.status == DockUnitStatus.ON_DOCK,
            )
            .distinct()
        )
        for (code,) in pending:
            self.world.scan(self.world.receiver, "/receive/scan", code)

    # ------------------------------------------------------------ picking

    @rule(
        shorts=st.lists(st.integers(-1, 3), min_size=6, max_size=6),
        pack=st.sampled_from((True, False)),
    )
    def pick_a_wave(self, shorts: list[int], pack: bool) -> None:
        """Build a wave, pick each line, close it, and (``pack``) pack and ship what is ready.
        The n-th line is found short when ``shorts[n]`` is not -1: the bin holds that many
        (at most what the task lacks by one, at most what the ledger says it holds)."""
        world = self.world
        with world.app.app_context():
            try:
                built = build_wave(WaveCriteria(channel_id=self.channel_id))
                db.session.commit()
                if built.wave_id is None:
                    return
                claim_wave(world.picker_id, built.wave_id)
                db.session.commit()
                tasks = db.session.execute(
                    select(PickTask.id, PickTask.product_id, PickTask.location_id, WaveOrder)
                    .join(WaveOrder, WaveOrder.id == PickTask.wave_order_id)
                    .where(PickTask.wave_id == built.wave_id, PickTask.status == TaskStatus.OPEN)
                    .order_by(PickTask.id)
                ).all()
                for n, (task_id, product_id, bin_id, member) in enumerate(tasks):
                    short = shorts[n % len(shorts)]
                    self._pick_task(short, task_id, product_id, bin_id, member.tote_location_id)
                finish_wave(db.session.get(Wave, built.wave_id))
                db.session.commit()
            finally:
                db.session.rollback()
                db.session.remove()
        if pack:
            for order_id in self.ready_to_pack():
                self.pack_and_ship(order_id)

    def _pick_task(
        self, short: int, task_id: int, product_id: int, bin_id: int, tote_id: int | None
    ) -> None:
        task = db.session.get(PickTask, task_id, populate_existing=True)
        if task.status != TaskStatus.OPEN or tote_id is None:
            return  # an order without a tote waits for the next wave
        left = task.qty_left
        if short >= 0:
            found = min(short, left - 1, work.on_hand(product_id, bin_id))
            picks.short_pick(task_id, found, self.world.picker_id, expected_left=left)
            db.session.commit()
            left = found
        if left:
            tote = db.session.get(Location, tote_id)
            assert picks.confirm_pick(task_id, left, tote, self.world.picker_id, task.qty_picked)
            db.session.commit()

    # ------------------------------------------------------------ packing

    def ready_to_pack(self) -> list[int]:
        statuses = self.statuses().items()
        return sorted(oid for oid, status in statuses if status == OrderStatus.READY_TO_PACK)

    @rule(pick=st.integers(0, 100))
    def pack_and_ship_an_order(self, pick: int) -> None:
        """Pack and ship an order that is ready; with none ready, pick a wave first."""
        ready = self.ready_to_pack()
        if not ready:
            self.pick_a_wave([-1], pack=False)
            ready = self.ready_to_pack()
        if ready:
            self.pack_and_ship(ready[pick % len(ready)])

    def pack_and_ship(self, order_id: int) -> None:
        """At the pack station: the order, each unit, the box, the weight, DONE (the label),
        then its tracking number (shipped)."""
        world, url = self.world, f"/pack/{self.world.station}/scan"
        page = world.scan(world.packer, url, order_number(order_id))
        if 'data-step="verify"' not in page:
            return
        lines = world.read(
            select(Product.id, OrderLine.qty_reserved)
            .join(Product, Product.id == OrderLine.product_id)
            .where(OrderLine.order_id == order_id)
        )
        codes = {p.id: p.barcodes[0].code for p in self.products}
        for product_id, reserved in lines:
            for _ in range(reserved):
                world.scan(world.packer, url, codes[product_id])
        world.scan(world.packer, url, world.box)
        world.scan(world.packer, url, "1.2")
        labelled = world.scan(world.packer, url, "CMD-DONE")
        tracking = re.search(r"WMS Local \w+ · (\S+)<", labelled)
        assert tracking is not None, labelled
        assert "Shipped" in world.scan(world.packer, url, tracking.group(1))

    # ------------------------------------------------------------ returns

    @rule(pick=st.integers(0, 100), grade=st.sampled_from((*GRADES, None)))
    def return_an_item(self, pick: int, grade: str | None) -> None:
        """A channel authorises a return of one shipped unit; the clerk grades it (or it has
        not come back yet). With nothing shipped, an order is shipped first."""
        if OrderStatus.SHIPPED not in self.statuses().values():
            self.pack_and_ship_an_order(pick)
        shipped = sorted(
            oid for oid, status in self.statuses().items() if status == OrderStatus.SHIPPED
        )
        if not shipped:
            return
        order_id = shipped[pick % len(shipped)]
        [(product_id,)] = self.world.read(
            select(OrderLine.product_id).where(OrderLine.order_id == order_id)
        )
        product = next(p for p in self.products if p.id == product_id)
        answer = self.world.api(
            self.token,
            "/returns",
            {
                "external_id": f"RET-{uuid.uuid4().hex[:12]}",
                "order_number": order_number(order_id),
                "lines": [{"sku": product.sku, "qty": 1, "reason": "changed_mind"}],
            },
        )
        if answer.status_code == 201:
            self.rmas.append((answer.json["number"], product))
            if grade is not None:
                self.grade_a_returned_item(pick, grade)

    # No rule has a precondition (one that needs something first does it first): what a
    # step draws never depends on the database, so Hypothesis replays a failing run step
    # for step while it shrinks it.
    @rule(pick=st.integers(0, 100), grade=st.sampled_from(GRADES))
    def grade_a_returned_item(self, pick: int, grade: str) -> None:
        if not self.rmas:
            self.return_an_item(pick, None)
        if not self.rmas:
            return
        number, product = self.rmas[pick % len(self.rmas)]
        url = "/returns/receive/scan"
        self.world.scan(self.world.clerk, url, number)
        self.world.scan(self.world.clerk, url, product.barcodes[0].code)
        self.world.scan(self.world.clerk, url, grade)

    # ------------------------------------------------------------ the check

    def differences(self) -> list[str]:
        with self.world.app.app_context():
            try:
                return check_invariants()
            finally:
                db.session.remove()

    @invariant()
    def every_counter_agrees_with_its_rows(self) -> None:
        new = [d for d in self.differences() if d not in getattr(self, "known", ())]
        assert new == [], "\n".join(new)


def test_random_floor_work_keeps_every_counter_true(fresh_app: Flask) -> None:
    machine = type("Floor", (FloorMachine,), {"world": World.build(fresh_app)})
    run_state_machine_as_test(machine, settings=SETTINGS)
    # The runs reached every kind of work, so the check above saw each counter change.
    moved = dict(
        machine.world.read(select(Movement.reason, func.count()).group_by(Movement.reason))
    )
    for reason in ("receive", "cross_dock", "putaway", "pick", "pack", "ship", "return"):
        assert moved.get(reason), (reason, moved)
