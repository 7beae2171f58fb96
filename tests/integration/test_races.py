"""Every change of state happens once: the same request sent eight times at once.

Each test fires eight identical requests through the real endpoint (the API,
or the desk or floor route as people use it) behind a barrier, on
PostgreSQL, and checks that the change happened once: one effect, one event
for the channel, every other counter untouched; the other seven get the
answer a retry gets (or a plain 409). Each ends by proving every stored
counter from its source rows.

The list, by what changes:

- orders: cancel, payment captured, intake of one external id
- returns: authorise (API by external id, desk form), grade on the bench, DONE, cancel,
  decide, release and scrap from the queues
- parcels: open, pack (weigh), ship
- inbounds: close (desk and handheld), change of date; receiving: start, start racing a close
"""

from __future__ import annotations

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
from wms.core.clock import today, utcnow
from wms.core.models import AuditEvent, OutboxEvent
from wms.extensions import db
from wms.inbounds.models import Inbound
from wms.inventory.models import LocationKind, Movement, Product, ProductStock, Stock
from wms.orders.models import order_number
from wms.returns.models import ReturnAuthorisation, rma_id_from_number
from wms.shipping.models import Parcel

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

    # the others find the bench empty, as a second DONE does
    assert statuses(answers) == {200: 1, 404: RACERS - 1}
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
