"""Every change of state happens once: the same request sent eight times at once.

Each test fires eight identical requests through the real endpoint (the API,
or the desk or floor route as people use it) behind a barrier, on
PostgreSQL, and checks that the change happened once: one effect, one event
for the channel, every other counter untouched; the other seven get the
answer a retry gets (or a plain 409). Each ends by proving every stored
counter from its source rows.

The list, by what changes:

- orders: cancel, payment captured, intake of one external id, ready to pack
- returns: authorise (API by external id, desk form), a clerk's first scan, grade on the
  bench, DONE, cancel, decide, release and scrap from the queues
- parcels: open, pack (weigh), ship; a partial parcel shipping while a unit arrives for
  the rest of its line
- stock: a loss on the shelf while a unit arrives for the same line
- inbounds: close (desk and handheld), change of date; receiving: start, start or scans racing a
  close, UNDO
- waves: claim (by several pickers, by one picker's handhelds), release, cancel, paper
  pick, finish; pick tasks: confirm, short
- count tasks: create, start, DONE, approve, recount, cancel
- alerts: raised by checks at the same moment
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import unique
from tests.factories import Factories
from tests.integration.test_orders_api import SHIP_TO
from tests.invariants import assert_invariants
from wms.auth.models import AuditEvent
from wms.base.clock import today, utcnow
from wms.base.numbers import order_number, rma_id_from_number, wave_code
from wms.channels.models import OutboxEvent
from wms.core.models import Inbound, InboundLine, Order, OrderLine
from wms.dashboard.models import Alert
from wms.extensions import db
from wms.inventory.models import LocationKind, Movement, Product, ProductStock, Stock
from wms.picking.models import PickShortage, Wave
from wms.receiving.models import DockUnit, DockUnitStatus
from wms.returns.models import ReturnAuthorisation
from wms.shipping.models import Parcel
from wms.stockcontrol.models import Adjustment, CountTask

pytestmark = pytest.mark.postgres_only

RACERS = 8
HOOK = "http://127.0.0.1:9/hook"
HX = {"HX-Request": "true"}


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


def hands(app: Flask, user: Any, count: int = RACERS) -> list[FlaskClient]:
    """``count`` browsers (or handhelds) of one signed-in person: one sign-in, its cookie
    copied, as when the same page is open on several screens."""
    first = app.test_client()
    response = first.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert response.status_code == 302
    cookie = first.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    clients = [first]
    for _ in range(count - 1):
        client = app.test_client()
        client.set_cookie(cookie.key, cookie.value)
        clients.append(client)
    return clients


def people(app: Flask, make: Factories, role: str, count: int = RACERS) -> list[FlaskClient]:
    """``count`` different people of ``role``, each signed in on a screen of their own."""
    return [hands(app, make.user(role=role), 1)[0] for _ in range(count)]


def scan(client: FlaskClient, path: str, code: str, scan_id: str | None = None) -> Any:
    """A floor scan as the handheld sends it."""
    return client.post(
        path, data={"code": code, "scan_id": scan_id or uuid.uuid4().hex}, headers=HX
    )


def statuses(responses: list[Any]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


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


def test_eight_receivers_completing_one_order_at_once_move_it_on_once(
    app: Flask, make: Factories
) -> None:
    # The order waits for one unit of each of nine products and already has its lane;
    # eight receivers bring the last eight at the same moment, then put them in the lane
    # at the same moment.
    make.location(LocationKind.RECEIVING, walk_seq=1)
    lane = make.location(LocationKind.STAGING_LANE, walk_seq=100, capacity=4)
    products = [make.product() for _ in range(RACERS + 1)]
    channel, _ = make.channel(webhook_url=HOOK)
    order_id = make.order(channel, [(p, 1) for p in products])
    reference = unique("ASN-")
    make.inbound([(p, 1) for p in products], utcnow(), reference=reference)
    receivers = people(app, make, "operator", RACERS + 1)
    for receiver in receivers:
        assert receiver.post("/receive/start", data={"code": reference}, headers=HX).status_code
    first = scan(receivers[-1], "/receive/scan", products[-1].barcodes[0].code)
    assert f"LANE {lane.code}" in first.get_data(as_text=True)

    brought = all_at_once(
        lambda i: scan(receivers[i], "/receive/scan", products[i].barcodes[0].code)
    )

    assert statuses(brought) == {200: RACERS}
    assert all(f"LANE {lane.code}" in a.get_data(as_text=True) for a in brought)
    with app.app_context():
        assert db.session.get(Order, order_id).status == "cross_docking"

    assert scan(receivers[-1], "/receive/scan", lane.code).status_code == 200
    placed = all_at_once(lambda i: scan(receivers[i], "/receive/scan", lane.code))

    assert statuses(placed) == {200: RACERS}
    with app.app_context():
        assert db.session.get(Order, order_id).status == "ready_to_pack"
    assert events(app, "order.ready_to_pack", f"order:{order_id}") == 1
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


@pytest.fixture
def places(make: Factories) -> dict[str, Any]:
    """The returns bench, its queues and a shelf."""
    return {
        "returns": make.location(LocationKind.RETURNS, code="RET-1", walk_seq=500),
        "rework": make.location(LocationKind.REWORK, code="RWK-1", walk_seq=510),
        "quarantine": make.location(LocationKind.QUARANTINE, code="QUAR-1", walk_seq=520),
        "exceptions": make.location(LocationKind.EXCEPTIONS, code="EXC-1", walk_seq=530),
        "bin": make.location(LocationKind.BIN, code="A-01-1", walk_seq=10, capacity=100),
    }


def rma_of(app: Flask, number: str) -> ReturnAuthorisation:
    with app.app_context():
        rma = db.session.get(ReturnAuthorisation, rma_id_from_number(number))
        rma.lines  # noqa: B018  (loaded before detaching)
        db.session.expunge_all()
        return rma


def audits(app: Flask, action: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0)


def on_bench(app: Flask, make: Factories, number: str, product: Any) -> list[FlaskClient]:
    """A clerk's handhelds with the return open and ``product`` waiting for its grade."""
    clerk = hands(app, make.user(), RACERS)
    assert scan(clerk[0], RECEIVE_RETURN, number).status_code == 200
    pending = scan(clerk[0], RECEIVE_RETURN, product.barcodes[0].code)
    assert 'data-state="grade"' in pending.get_data(as_text=True)
    return clerk


RECEIVE_RETURN = "/returns/receive/scan"


def test_the_desk_form_sent_eight_times_authorises_one_return(app: Flask, make: Factories) -> None:
    product = make.product()
    channel, _ = make.channel(webhook_url=HOOK)
    order_id = make.shipped_order(channel, [(product, 2)])
    desk = hands(app, make.user(role="supervisor"))
    form = {
        "order": order_number(order_id),
        "count": "1",
        "sku_0": product.sku,
        "returnable_0": "2",
        "qty_0": "1",
        "reason_0": "changed_mind",
        "wish_0": "refund",
    }

    answers = all_at_once(lambda i: desk[i].post("/returns/new", data=form))

    assert statuses(answers) == {302: 1, 409: RACERS - 1}
    refused = next(a for a in answers if a.status_code == 409).get_data(as_text=True)
    assert "was authorised meanwhile" in refused
    with app.app_context():
        made = db.session.scalars(
            select(ReturnAuthorisation).where(ReturnAuthorisation.order_id == order_id)
        ).all()
    assert len(made) == 1
    assert events(app, "return.authorised") == 1
    assert_invariants(app)


def test_a_new_clerks_first_scans_from_eight_handhelds_open_one_bench(
    app: Flask, make: Factories, places: dict[str, Any]
) -> None:
    product = make.product()
    channel, _ = make.channel(webhook_url=HOOK)
    number = make.rma(make.shipped_order(channel, [(product, 1)]), [(product, 1)])
    clerk = hands(app, make.user())

    answers = all_at_once(lambda i: scan(clerk[i], RECEIVE_RETURN, number))

    assert statuses(answers) == {200: RACERS}
    assert_invariants(app)


def test_eight_handhelds_grading_one_item_receive_it_once(
    app: Flask, make: Factories, places: dict[str, Any]
) -> None:
    product = make.product()
    channel, _ = make.channel(webhook_url=HOOK)
    number = make.rma(make.shipped_order(channel, [(product, 3)]), [(product, 3)])
    clerk = on_bench(app, make, number, product)

    answers = all_at_once(lambda i: scan(clerk[i], RECEIVE_RETURN, "1"))

    assert statuses(answers)[200] == 1, [a.get_data(as_text=True)[:300] for a in answers]
    assert all(a.status_code in (200, 422) for a in answers)
    assert [ln.qty_received for ln in rma_of(app, number).lines] == [1]
    assert events(app, "return.received") == 1
    assert counters(app, product.id)[0] == 1  # one unit back on the shelf
    assert_invariants(app)


def test_one_grade_scan_sent_eight_times_is_applied_once_and_answered_alike(
    app: Flask, make: Factories, places: dict[str, Any]
) -> None:
    product = make.product()
    channel, _ = make.channel(webhook_url=HOOK)
    number = make.rma(make.shipped_order(channel, [(product, 1)]), [(product, 1)])
    clerk = on_bench(app, make, number, product)

    answers = all_at_once(lambda i: scan(clerk[i], RECEIVE_RETURN, "1", scan_id="grade-once"))

    assert statuses(answers) == {200: RACERS}
    assert len({a.get_data(as_text=True) for a in answers}) == 1
    assert [ln.qty_received for ln in rma_of(app, number).lines] == [1]
    assert events(app, "return.received") == 1
    assert_invariants(app)


def test_eight_dones_of_one_clerk_finish_the_return_once(
    app: Flask, make: Factories, places: dict[str, Any]
) -> None:
    product = make.product()
    channel, _ = make.channel(webhook_url=HOOK)
    number = make.rma(make.shipped_order(channel, [(product, 2)]), [(product, 2)])
    clerk = on_bench(app, make, number, product)
    assert scan(clerk[0], RECEIVE_RETURN, "1").status_code == 200

    answers = all_at_once(lambda i: scan(clerk[i], RECEIVE_RETURN, "CMD-DONE"))

    # the others find the bench empty, as a second DONE does: DONE names no return
    assert statuses(answers) == {200: 1, 422: RACERS - 1}
    refused = {a.get_data(as_text=True) for a in answers if a.status_code == 422}
    assert all("That is the DONE command — scan the RMA" in body for body in refused)
    assert rma_of(app, number).status == "received"
    assert audits(app, "return.received") == 1
    assert_invariants(app)


def test_eight_cancels_of_a_return_cancel_it_once(app: Flask, make: Factories) -> None:
    product = make.product()
    channel, _ = make.channel(webhook_url=HOOK)
    number = make.rma(make.shipped_order(channel, [(product, 1)]), [(product, 1)])
    desk = hands(app, make.user(role="supervisor"))
    path = f"/returns/{rma_id_from_number(number)}/cancel"

    answers = all_at_once(lambda i: desk[i].post(path))

    assert statuses(answers) == {302: RACERS}  # cancelled, as a retry would be told
    assert rma_of(app, number).status == "cancelled"
    assert events(app, "return.cancelled") == 1
    assert_invariants(app)


def test_a_grade_and_a_cancel_at_once_never_receive_on_a_cancelled_return(
    app: Flask, make: Factories, places: dict[str, Any]
) -> None:
    channel, _ = make.channel(webhook_url=HOOK)
    desk = hands(app, make.user(role="supervisor"), 1)[0]
    rounds = []
    for _ in range(4):
        product = make.product()
        number = make.rma(make.shipped_order(channel, [(product, 1)]), [(product, 1)])
        rounds.append((number, on_bench(app, make, number, product)[0]))

    for number, clerk in rounds:
        cancel = f"/returns/{rma_id_from_number(number)}/cancel"
        all_at_once(
            lambda i, n=number, c=clerk, path=cancel: (
                scan(c, RECEIVE_RETURN, "1") if i == 0 else desk.post(path)
            ),
            count=2,
        )
        rma = rma_of(app, number)
        received = sum(ln.qty_received for ln in rma.lines)
        assert (rma.status, received) in (("cancelled", 0), ("received", 1)), (number, rma.status)
    assert_invariants(app)


def test_eight_decisions_of_one_line_are_one_decision(
    app: Flask, make: Factories, places: dict[str, Any]
) -> None:
    product = make.product()
    make.stock(product, places["bin"], 5)
    channel, _ = make.channel(webhook_url=HOOK)
    number = make.rma(make.shipped_order(channel, [(product, 1)]), [(product, 1)])
    clerk = on_bench(app, make, number, product)
    assert scan(clerk[0], RECEIVE_RETURN, "1").status_code == 200
    line_id = rma_of(app, number).lines[0].id
    desk = hands(app, make.user(role="supervisor"))

    answers = all_at_once(
        lambda i: desk[i].post(f"/returns/lines/{line_id}/decide", data={"decision": "exchange"})
    )

    assert statuses(answers) == {302: 1, 409: RACERS - 1}
    assert rma_of(app, number).lines[0].decision == "exchange"
    assert events(app, "return.decided") == 1
    assert events(app, "order.accepted") == 2  # the first order, and one exchange
    assert_invariants(app)


@pytest.mark.parametrize("action", ["release", "scrap"])
def test_a_queue_form_sent_eight_times_moves_the_units_once(
    app: Flask, make: Factories, places: dict[str, Any], action: str
) -> None:
    product = make.product()
    make.stock(product, places["quarantine"], 4)
    desk = hands(app, make.user(role="supervisor"))
    form = {
        "location_id": places["quarantine"].id,
        "product_id": product.id,
        "qty": 1,
        "held": 4,
        "kind": "quarantine",
        "reason": "Defective",
    }

    answers = all_at_once(lambda i: desk[i].post(f"/returns/queues/{action}", data=form))

    assert statuses(answers) == {302: 1, 409: RACERS - 1}
    with app.app_context():
        left = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product.id, Stock.location_id == places["quarantine"].id
            )
        )
    assert left == 3
    assert_invariants(app)


# ---------------------------------------------------------------- parcels


def pack(client: FlaskClient, station: Any, code: str, scan_id: str | None = None) -> Any:
    return scan(client, f"/pack/{station.code}/scan", code, scan_id)


def packed_to_weigh(make: Factories, **order: Any) -> tuple[int, Any, Product, list[FlaskClient]]:
    """An order staged in a tote, its parcel verified and boxed at a station by one packer
    (on eight handhelds): it waits for its weight."""
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    make.stock(product, make.location(), 2)
    channel, _ = make.channel(webhook_url=HOOK)
    order_id = make.order(channel, [(product, 2)], **order)
    make.stage(order_id, tote)
    packer = hands(make.app, make.user())
    assert pack(packer[0], station, tote.code).status_code == 200
    for _ in range(2):
        assert pack(packer[0], station, product.sku).status_code == 200
    assert pack(packer[0], station, make.box().code).status_code == 200
    return order_id, station, product, packer


def parcels_of(app: Flask, order_id: int) -> list[Parcel]:
    with app.app_context():
        found = db.session.scalars(select(Parcel).where(Parcel.order_id == order_id)).all()
        db.session.expunge_all()
        return list(found)


def test_eight_packers_opening_one_order_make_one_parcel(app: Flask, make: Factories) -> None:
    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    make.stock(product, make.location(), 1)
    channel, _ = make.channel(webhook_url=HOOK)
    order_id = make.order(channel, [(product, 1)])
    make.stage(order_id, tote)
    packers = people(app, make, "operator")

    answers = all_at_once(lambda i: pack(packers[i], station, order_number(order_id)))

    assert statuses(answers) == {200: RACERS}
    assert len(parcels_of(app, order_id)) == 1
    assert_invariants(app)


def test_eight_handhelds_weighing_one_parcel_pack_it_once(app: Flask, make: Factories) -> None:
    order_id, station, _, packer = packed_to_weigh(make, capture_before_ship=True)

    answers = all_at_once(lambda i: pack(packer[i], station, "1.2"))

    assert statuses(answers)[200] >= 1 and set(statuses(answers)) <= {200, 409}
    [parcel] = parcels_of(app, order_id)
    assert (parcel.status, parcel.weight_g) == ("packed", 1200)
    assert events(app, "order.ready_to_ship") == 1
    assert_invariants(app)


def test_eight_packers_scanning_the_tracking_number_ship_once(app: Flask, make: Factories) -> None:
    order_id, station, product, packer = packed_to_weigh(make)
    assert pack(packer[0], station, "1.2").status_code == 200
    assert 'data-step="label"' in pack(packer[0], station, "CMD-DONE").get_data(as_text=True)
    [parcel] = parcels_of(app, order_id)
    packers = people(app, make, "operator")
    before = counters(app, product.id)

    answers = all_at_once(lambda i: pack(packers[i], station, parcel.tracking_number))

    assert statuses(answers) == {200: 1, 409: RACERS - 1}
    refused = next(a for a in answers if a.status_code == 409).get_data(as_text=True)
    assert "has already shipped" in refused
    assert parcels_of(app, order_id)[0].status == "shipped"
    assert events(app, "order.shipped") == 1
    with app.app_context():
        out = db.session.scalars(
            select(Movement.qty).where(Movement.reason == "ship", Movement.product_id == product.id)
        ).all()
    assert out == [2]
    assert counters(app, product.id)[:2] == (before[0] - 2, before[1] - 2)
    assert_invariants(app)


# ------------------------------------------------------ inbounds, receiving


def waiting_for_an_inbound(make: Factories) -> tuple[int, int, Any]:
    """A backorder waiting for an inbound due in three days: (order, inbound, product)."""
    make.location(LocationKind.RECEIVING, walk_seq=1)
    product = make.product()
    channel, _ = make.channel(webhook_url=HOOK)
    inbound_id = make.inbound([(product, 5)], utcnow() + timedelta(days=3))
    order_id = make.order(channel, [(product, 2)])
    return order_id, inbound_id, product


def inbound_of(app: Flask, inbound_id: int) -> Inbound:
    with app.app_context():
        inbound = db.session.get(Inbound, inbound_id)
        db.session.expunge(inbound)
        return inbound


def test_eight_closes_of_an_inbound_close_it_once(app: Flask, make: Factories) -> None:
    _, inbound_id, _ = waiting_for_an_inbound(make)
    desk = hands(app, make.user(role="supervisor"))

    answers = all_at_once(lambda i: desk[i].post(f"/inbounds/{inbound_id}/close"))

    assert statuses(answers) == {302: 1, 409: RACERS - 1}
    assert inbound_of(app, inbound_id).status == "closed"
    assert events(app, "order.projection_changed") == 1  # its date is gone, told once
    assert_invariants(app)


def test_eight_changes_of_an_inbound_date_move_the_fill_dates_once(
    app: Flask, make: Factories
) -> None:
    _, inbound_id, _ = waiting_for_an_inbound(make)
    desk = hands(app, make.user(role="supervisor"))
    later = (utcnow() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")

    answers = all_at_once(
        lambda i: desk[i].post(f"/inbounds/{inbound_id}/expected", data={"expected_at": later})
    )

    assert statuses(answers) == {302: RACERS}
    assert events(app, "order.projection_changed") == 1
    assert_invariants(app)


def test_eight_receivers_starting_one_inbound_all_receive_it(app: Flask, make: Factories) -> None:
    _, inbound_id, _ = waiting_for_an_inbound(make)
    reference = inbound_of(app, inbound_id).reference
    receivers = people(app, make, "operator")

    answers = all_at_once(
        lambda i: receivers[i].post("/receive/start", data={"code": reference}, headers=HX)
    )

    assert statuses(answers) == {204: RACERS}
    assert inbound_of(app, inbound_id).status == "receiving"
    assert_invariants(app)


def test_a_new_receivers_first_start_from_eight_handhelds_is_one_session(
    app: Flask, make: Factories
) -> None:
    _, inbound_id, _ = waiting_for_an_inbound(make)
    reference = inbound_of(app, inbound_id).reference
    receiver = hands(app, make.user())

    answers = all_at_once(
        lambda i: receiver[i].post("/receive/start", data={"code": reference}, headers=HX)
    )

    assert statuses(answers) == {204: RACERS}
    assert inbound_of(app, inbound_id).status == "receiving"
    assert_invariants(app)


def test_a_start_at_the_moment_of_the_close_never_reopens_the_inbound(
    app: Flask, make: Factories
) -> None:
    desk = hands(app, make.user(role="supervisor"), 1)[0]
    receivers = people(app, make, "operator", RACERS - 1)
    for _ in range(3):
        _, inbound_id, _ = waiting_for_an_inbound(make)
        reference = inbound_of(app, inbound_id).reference

        answers = all_at_once(
            lambda i, ref=reference, ib=inbound_id: (
                desk.post(f"/inbounds/{ib}/close")
                if i == 0
                else receivers[i - 1].post("/receive/start", data={"code": ref}, headers=HX)
            )
        )

        assert answers[0].status_code == 302
        assert set(statuses(answers[1:])) <= {204, 409}
        assert inbound_of(app, inbound_id).status == "closed"
    assert_invariants(app)


def test_eight_closes_from_the_receivers_handhelds_close_once(app: Flask, make: Factories) -> None:
    _, inbound_id, _ = waiting_for_an_inbound(make)
    reference = inbound_of(app, inbound_id).reference
    receiver = hands(app, make.user())
    assert (
        receiver[0].post("/receive/start", data={"code": reference}, headers=HX).status_code == 204
    )

    answers = all_at_once(lambda i: receiver[i].post("/receive/close", headers=HX))

    assert statuses(answers)[204] >= 1 and set(statuses(answers)) <= {204, 409}
    assert inbound_of(app, inbound_id).status == "closed"
    assert events(app, "order.projection_changed") == 1
    assert_invariants(app)


def test_eight_undos_of_one_receiver_take_back_each_scan_once(app: Flask, make: Factories) -> None:
    dock = make.location(LocationKind.RECEIVING, walk_seq=1)
    make.location(LocationKind.BIN, walk_seq=10)
    product = make.product()
    reference = unique("ASN-")
    make.inbound([(product, 5)], utcnow(), reference=reference)
    receiver = hands(app, make.user())
    assert receiver[0].post("/receive/start", data={"code": reference}, headers=HX).status_code
    for _ in range(3):  # three scans of one unit each, all still on the dock
        assert scan(receiver[0], "/receive/scan", product.barcodes[0].code).status_code == 200

    answers = all_at_once(lambda i: scan(receiver[i], "/receive/scan", "CMD-UNDO"))

    # Each UNDO takes back the last scan still on the dock, or finds it just taken.
    assert set(statuses(answers)) <= {200, 409, 422}
    n = statuses(answers)[200]
    assert 1 <= n <= 3
    with app.app_context():
        undone = db.session.scalars(
            select(Movement.qty).where(Movement.reason == "undo", Movement.product_id == product.id)
        ).all()
        on_dock = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product.id, Stock.location_id == dock.id
            )
        )
        still = db.session.scalar(
            select(func.count()).where(
                DockUnit.product_id == product.id, DockUnit.status == DockUnitStatus.ON_DOCK
            )
        )
    assert (undone, on_dock, still) == ([1] * n, 3 - n, 3 - n)
    assert_invariants(app)


# ------------------------------------------------------ waves, pick tasks

PICK = "/pick/scan"


def wave_ready(make: Factories, qty: int = 2) -> tuple[int, Any, Any]:
    """A wave of one order for ``qty`` units of a product in one bin: (wave, bin, product)."""
    product = make.product()
    bin_ = make.location(walk_seq=10)
    make.stock(product, bin_, 10)
    make.location(LocationKind.TOTE)
    channel, _ = make.channel(webhook_url=HOOK)
    make.order(channel, [(product, qty)])
    return make.wave(channel), bin_, product


def picker_at_tote(make: Factories, qty: int = 2) -> tuple[int, list[FlaskClient], str]:
    """A picker (on eight handhelds) with the units counted, at the tote step."""
    wave_id, bin_, product = wave_ready(make, qty)
    picker = hands(make.app, make.user())
    assert scan(picker[0], PICK, wave_code(wave_id)).status_code == 200
    assert scan(picker[0], PICK, bin_.code).status_code == 200
    for _ in range(qty):
        answer = scan(picker[0], PICK, product.sku)
    body = answer.get_data(as_text=True)
    assert 'data-step="tote"' in body, body
    tote = re.search(r"data-where>(.*?)</p>", body, re.S)
    assert tote is not None
    return wave_id, picker, tote.group(1).strip()


def wave_of(app: Flask, wave_id: int) -> Wave:
    with app.app_context():
        wave = db.session.get(Wave, wave_id)
        db.session.expunge(wave)
        return wave


def picked(app: Flask, wave_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Movement.qty).where(
                    Movement.reference == wave_code(wave_id), Movement.reason == "pick"
                )
            )
        )


def test_eight_pickers_scanning_one_pick_list_claim_it_once(app: Flask, make: Factories) -> None:
    wave_id, _, _ = wave_ready(make)
    pickers = people(app, make, "operator")

    answers = all_at_once(lambda i: scan(pickers[i], PICK, wave_code(wave_id)))

    assert statuses(answers) == {200: 1, 409: RACERS - 1}
    assert wave_of(app, wave_id).status == "picking"
    assert_invariants(app)


def test_eight_handhelds_of_one_picker_asking_for_work_get_one_wave(
    app: Flask, make: Factories
) -> None:
    waves = [wave_ready(make)[0] for _ in range(3)]
    picker = make.user()
    handhelds = hands(app, picker)

    answers = all_at_once(lambda i: scan(handhelds[i], PICK, "CMD-DONE"))

    assert statuses(answers) == {200: RACERS}
    held = [w for w in waves if wave_of(app, w).picker_id == picker.id]
    assert len(held) == 1
    assert sorted(wave_of(app, w).status for w in waves) == ["picking", "ready", "ready"]
    assert_invariants(app)


def test_eight_tote_scans_of_one_picker_pick_once(app: Flask, make: Factories) -> None:
    wave_id, picker, tote = picker_at_tote(make)

    answers = all_at_once(lambda i: scan(picker[i], PICK, tote))

    assert statuses(answers)[200] >= 1 and set(statuses(answers)) <= {200, 409, 422}
    assert picked(app, wave_id) == [2]
    assert wave_of(app, wave_id).status == "done"
    assert_invariants(app)


def test_eight_short_picks_of_one_line_are_one_shortage(app: Flask, make: Factories) -> None:
    wave_id, bin_, product = wave_ready(make, qty=3)
    make.location(LocationKind.EXCEPTIONS)  # where the units the bin lacks are set aside
    picker = hands(app, make.user())
    assert scan(picker[0], PICK, wave_code(wave_id)).status_code == 200
    assert scan(picker[0], PICK, bin_.code).status_code == 200
    assert scan(picker[0], PICK, "CMD-SHORT").status_code == 200

    answers = all_at_once(lambda i: scan(picker[i], PICK, "0"))

    assert statuses(answers)[200] >= 1
    with app.app_context():
        shortages = db.session.scalars(
            select(PickShortage.qty_short).where(PickShortage.wave_id == wave_id)
        ).all()
    assert shortages == [3]
    assert counters(app, product.id)[2] == 3  # the three units wait again, once
    assert_invariants(app)


@pytest.mark.parametrize(("action", "ends"), [("release", "ready"), ("cancel", "cancelled")])
def test_eight_desk_actions_on_a_wave_are_one(
    app: Flask, make: Factories, action: str, ends: str
) -> None:
    wave_id, _, _ = wave_ready(make)
    picker = hands(app, make.user(), 1)[0]
    assert scan(picker, PICK, wave_code(wave_id)).status_code == 200
    desk = hands(app, make.user(role="supervisor"))

    answers = all_at_once(lambda i: desk[i].post(f"/pick/waves/{wave_id}/{action}"))

    assert statuses(answers) == {302: 1, 409: RACERS - 1}
    assert wave_of(app, wave_id).status == ends
    assert audits(app, f"wave.{action}") == 1
    assert_invariants(app)


def test_a_paper_pick_recorded_eight_times_at_once_picks_once(app: Flask, make: Factories) -> None:
    wave_id, _, _ = wave_ready(make)
    desk = hands(app, make.user(role="supervisor"))

    answers = all_at_once(lambda i: desk[i].post(f"/pick/waves/{wave_id}/paper"))

    assert statuses(answers) == {302: RACERS}  # each back to the wave's page, with a word
    assert picked(app, wave_id) == [2]
    assert audits(app, "wave.paper_pick") == 1
    assert wave_of(app, wave_id).status == "done"
    assert_invariants(app)


# ------------------------------------------------------------- count tasks

COUNT = "/stock/count/scan"


def counted_bin(
    make: Factories, on_shelf: int, counted: int, tolerance: int
) -> tuple[int, Any, Any, list[FlaskClient]]:
    """A bin holding ``on_shelf`` units, counted as ``counted`` by one counter (on eight
    handhelds), DONE not yet scanned: (task, bin, product, handhelds)."""
    product = make.product()
    bin_ = make.location(walk_seq=10)
    make.stock(product, bin_, on_shelf)
    task_id = make.count_task(bin_, tolerance_units=tolerance)
    counter = hands(make.app, make.user())
    assert scan(counter[0], COUNT, bin_.code).status_code == 200
    assert scan(counter[0], COUNT, product.barcodes[0].code).status_code == 200
    assert scan(counter[0], COUNT, str(counted)).status_code == 200
    return task_id, bin_, product, counter


def count_of(app: Flask, task_id: int) -> tuple[str, list[tuple[str, int | None]], int]:
    """(task status, (line status, difference) per line, adjustments written)."""
    with app.app_context():
        task = db.session.get(CountTask, task_id)
        lines = [(ln.status, ln.qty_diff) for ln in task.lines]
        adjusted = db.session.scalar(
            select(func.count()).where(Adjustment.count_task_id == task_id)
        )
        return task.status, lines, int(adjusted or 0)


def test_eight_supervisors_asking_for_the_same_counts_make_each_task_once(
    app: Flask, make: Factories
) -> None:
    bins = [make.location(walk_seq=10 + i) for i in range(3)]
    desk = hands(app, make.user(role="supervisor"))
    form = {"source": "manual", "codes": " ".join(b.code for b in bins)}

    answers = all_at_once(lambda i: desk[i].post("/stock/counts", data=form))

    assert statuses(answers) == {302: RACERS}
    with app.app_context():
        made = db.session.scalars(
            select(CountTask.location_id).where(CountTask.location_id.in_([b.id for b in bins]))
        ).all()
    assert sorted(made) == sorted(b.id for b in bins)
    assert audits(app, "count.create") == len(bins)
    assert_invariants(app)


def test_eight_counters_scanning_one_bin_start_one_count(app: Flask, make: Factories) -> None:
    bin_ = make.location(walk_seq=10)
    make.stock(make.product(), bin_, 3)
    task_id = make.count_task(bin_)
    counters_ = people(app, make, "operator")

    answers = all_at_once(lambda i: scan(counters_[i], COUNT, bin_.code))

    assert statuses(answers) == {200: 1, 409: RACERS - 1}
    assert count_of(app, task_id)[0] == "counting"
    assert_invariants(app)


def test_eight_dones_of_one_counter_settle_the_count_once(app: Flask, make: Factories) -> None:
    task_id, bin_, product, counter = counted_bin(make, on_shelf=5, counted=3, tolerance=5)

    answers = all_at_once(lambda i: scan(counter[i], COUNT, "CMD-DONE"))

    assert statuses(answers)[200] == 1 and set(statuses(answers)) <= {200, 422}
    assert count_of(app, task_id) == ("done", [("adjusted", -2)], 1)
    with app.app_context():
        held = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product.id, Stock.location_id == bin_.id
            )
        )
    assert held == 3
    assert_invariants(app)


@pytest.mark.parametrize(
    ("action", "ends", "adjusted"),
    [("approve", "done", 1), ("recount", "recounted", 0), ("cancel", "cancelled", 0)],
)
def test_eight_desk_decisions_on_a_count_are_one(
    app: Flask, make: Factories, action: str, ends: str, adjusted: int
) -> None:
    task_id, bin_, _, counter = counted_bin(make, on_shelf=5, counted=3, tolerance=0)
    assert scan(counter[0], COUNT, "CMD-DONE").status_code == 200
    assert count_of(app, task_id)[0] == "review"
    desk = hands(app, make.user(role="supervisor"))

    answers = all_at_once(lambda i: desk[i].post(f"/stock/counts/{task_id}/{action}"))

    assert statuses(answers) == {302: 1, 409: RACERS - 1}
    status, _, made = count_of(app, task_id)
    assert (status, made) == (ends, adjusted)
    with app.app_context():
        tasks_of_bin = db.session.scalar(
            select(func.count()).where(CountTask.location_id == bin_.id)
        )
    assert tasks_of_bin == (2 if action == "recount" else 1)
    assert_invariants(app)


# ------------------------------------------------------------------ alerts


def test_eight_alert_checks_at_once_raise_each_alert_once(app: Flask, make: Factories) -> None:
    product = make.product()  # nothing in stock: its orders wait, and grow old
    channel, _ = make.channel(webhook_url=HOOK)
    for _ in range(2):
        make.order(channel, [(product, 1)], placed_at=utcnow() - timedelta(days=10))
    desk = hands(app, make.user(role="supervisor"))

    answers = all_at_once(lambda i: desk[i].post("/dashboard/alerts/check"))

    assert statuses(answers) == {302: RACERS}
    with app.app_context():
        raised = db.session.scalars(
            select(Alert.kind).where(Alert.cleared_at.is_(None)).order_by(Alert.kind)
        ).all()
    assert "backlog_age" in raised and len(raised) == len(set(raised))
    assert events(app, "alert.raised") == len(raised)
    assert_invariants(app)


def test_eight_retries_of_a_failed_event_queue_it_once(app: Flask, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 2)
    channel, _ = make.channel(webhook_url=HOOK)
    make.order(channel, [(product, 1)])
    with app.app_context():
        event = db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.channel_id == channel.id)
        ).first()
        event.status, event.attempts, event.last_error = "failed", 7, "HTTP 500"
        db.session.commit()
        event_id = event.id
    desk = hands(app, make.user(role="admin"))

    answers = all_at_once(lambda i: desk[i].post(f"/desk/outbox/{event_id}/retry"))

    assert statuses(answers)[302] == 1  # sent back to the queue once; the others are told
    assert statuses(answers)[409] == RACERS - 1
    assert audits(app, "outbox.retry") == 1
    with app.app_context():
        event = db.session.get(OutboxEvent, event_id)
        assert (event.status, event.attempts) == ("pending", 0)
    assert_invariants(app)


def test_scans_at_the_moment_of_the_close_are_counted_before_it_or_refused(
    app: Flask, make: Factories
) -> None:
    desk = hands(app, make.user(role="supervisor"), 1)[0]
    receivers = people(app, make, "operator", RACERS - 1)
    make.location(LocationKind.RECEIVING, walk_seq=1)
    make.location(LocationKind.STAGING_LANE, walk_seq=95)
    channel, _ = make.channel(webhook_url=HOOK)
    for round_ in range(4):
        product = make.product()
        make.location(LocationKind.BIN, walk_seq=10 + round_)  # a free bin for its units
        inbound_id = make.inbound([(product, 20)], utcnow() + timedelta(days=3))
        make.order(channel, [(product, 2)])  # waiting: the first units go to its lane
        reference = inbound_of(app, inbound_id).reference
        for i, receiver in enumerate(receivers):
            assert receiver.post("/receive/start", data={"code": reference}, headers=HX)
            if (i + round_) % 2:  # half of them typed a quantity first: their row is written
                assert scan(receiver, "/receive/scan", "2").status_code == 200

        answers = all_at_once(
            lambda i, ib=inbound_id, code=product.barcodes[0].code: (
                desk.post(f"/inbounds/{ib}/close")
                if i == 0
                else scan(receivers[i - 1], "/receive/scan", code)
            )
        )

        # No scan fails: each is counted before the close, or told the inbound is closed
        # (or, when the close came first, to scan an ASN as after any close).
        assert answers[0].status_code == 302
        assert set(statuses(answers[1:])) <= {200, 409, 422}
        for refused in (a for a in answers[1:] if a.status_code != 200):
            said = refused.get_data(as_text=True)
            assert "has just been closed" in said or "Scan the ASN or PO number first" in said
        counted = sum(
            2 if (i + round_) % 2 else 1 for i, a in enumerate(answers[1:]) if a.status_code == 200
        )
        with app.app_context():
            received = db.session.scalar(
                select(InboundLine.qty_received).where(
                    InboundLine.inbound_id == inbound_id, InboundLine.product_id == product.id
                )
            )
        assert received == counted
        assert inbound_of(app, inbound_id).status == "closed"
    assert_invariants(app)


def test_a_partial_parcel_ships_while_a_unit_arrives_for_the_rest_of_its_line(
    app: Flask, make: Factories
) -> None:
    """The packer ships the two units of a line while the receiver scans the third, which
    goes straight to the same line: both take the product's counters and the line."""
    make.location(LocationKind.RECEIVING, walk_seq=1)
    make.location(LocationKind.STAGING_LANE, walk_seq=95)
    station = make.pack_station()
    channel, _ = make.channel(webhook_url=HOOK)
    packer = hands(app, make.user(), 1)[0]
    receiver = hands(app, make.user(), 1)[0]
    for _ in range(30):
        tote = make.location(LocationKind.TOTE)
        product = make.product()
        make.stock(product, make.location(), 2)
        order_id = make.order(channel, [(product, 3)], partial_allowed=True)  # 2 kept, 1 waits
        make.stage(order_id, tote)
        assert pack(packer, station, tote.code).status_code == 200
        for _ in range(2):
            assert pack(packer, station, product.sku).status_code == 200
        assert pack(packer, station, make.box().code).status_code == 200
        assert pack(packer, station, "1.2").status_code == 200
        assert pack(packer, station, "CMD-DONE").status_code == 200
        [parcel] = parcels_of(app, order_id)
        reference = unique("ASN-")
        make.inbound([(product, 1)], utcnow(), reference=reference)
        assert receiver.post("/receive/start", data={"code": reference}, headers=HX)

        answers = all_at_once(
            lambda i, code=parcel.tracking_number, unit=product.barcodes[0].code: (
                pack(packer, station, code) if i == 0 else scan(receiver, "/receive/scan", unit)
            ),
            count=2,
        )

        assert statuses(answers) == {200: 2}
        assert parcels_of(app, order_id)[0].status == "shipped"
        with app.app_context():
            line = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
            assert (line.qty_shipped, line.qty_reserved, line.qty_waiting) == (2, 1, 0)
    assert_invariants(app)


def test_a_loss_on_the_shelf_while_a_unit_arrives_for_the_same_line(
    app: Flask, make: Factories
) -> None:
    """A supervisor records a lost unit in the bin holding a line's reserved units (the
    line goes back in the queue for it) while the receiver scans a unit that goes to the
    waiting part of that same line."""
    make.location(LocationKind.RECEIVING, walk_seq=1)
    make.location(LocationKind.STAGING_LANE, walk_seq=95)
    channel, _ = make.channel(webhook_url=HOOK)
    supervisor = hands(app, make.user(role="supervisor"), 1)[0]
    receiver = hands(app, make.user(), 1)[0]
    for _ in range(30):
        product = make.product()
        shelf = make.location(walk_seq=10)
        make.stock(product, shelf, 2)
        make.order(channel, [(product, 3)], partial_allowed=True)  # 2 kept, 1 waits
        reference = unique("ASN-")
        make.inbound([(product, 1)], utcnow(), reference=reference)
        assert receiver.post("/receive/start", data={"code": reference}, headers=HX)
        loss = {
            "kind": "lost",
            "location": shelf.code,
            "product": product.sku,
            "qty": "1",
            "reason": "not in its bin",
        }

        answers = all_at_once(
            lambda i, unit=product.barcodes[0].code, form=loss: (
                supervisor.post("/stock/adjust", data=form)
                if i == 0
                else scan(receiver, "/receive/scan", unit)
            ),
            count=2,
        )

        assert [a.status_code for a in answers] == [302, 200]
        assert counters(app, product.id)[:3] == (2, 2, 1)  # 1 lost, 1 came: 2 kept, 1 waits
    assert_invariants(app)
