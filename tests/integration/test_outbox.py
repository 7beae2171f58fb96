"""Events reach the channel's webhook: signed, in order per order, retried, never lost."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, text, update

from tests.conftest import _make_app, empty_database
from tests.factories import Factories
from tests.fakes.webhooks import WebhookReceiver
from tests.invariants import assert_invariants
from wms.base.clock import local_date, utcnow
from wms.channels import delivery
from wms.channels.models import OutboxEvent, OutboxStatus
from wms.extensions import db
from wms.worker import claim_batch, deliver_batch


@pytest.fixture(scope="module")
def app(
    database: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Flask]:
    """This module's own database: "deliver everything due" then means the events of
    these tests, not those every earlier test of the session left pending."""
    directory = tmp_path_factory.mktemp("outbox")
    app = _make_app(
        empty_database(database, directory, request), directory / "instance", WTF_CSRF_ENABLED=False
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    r = WebhookReceiver().start()
    yield r
    r.stop()


def deliver_all(app: Flask) -> None:
    with app.app_context():
        while deliver_batch(100).handled:
            pass
        db.session.remove()


def events_for(app: Flask, channel_id: int) -> list[OutboxEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxEvent).where(OutboxEvent.channel_id == channel_id).order_by(OutboxEvent.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_an_accepted_order_is_announced_signed(
    app: Flask, make: Factories, receiver: WebhookReceiver
) -> None:
    product = make.product()
    make.stock(product, make.location(), 3)
    channel, _ = make.channel(webhook_url=receiver.url, webhook_secret="s3cret")
    order_id = make.order(channel, [(product, 1)])
    deliver_all(app)
    mine = [r for r in receiver.accepted() if r["body"]["data"].get("order_id") == order_id]
    assert [r["body"]["type"] for r in mine] == ["order.accepted"]
    request = mine[0]
    expected = "sha256=" + hmac.new(b"s3cret", request["raw"], hashlib.sha256).hexdigest()
    assert request["headers"]["x-wms-signature"] == expected
    assert request["body"]["data"]["lines"][0]["status"] == "reserved"
    statuses = {e.status for e in events_for(app, channel.id)}
    assert statuses <= {OutboxStatus.DELIVERED, OutboxStatus.SUPERSEDED}


def test_nothing_is_written_when_the_order_is_refused(app: Flask, make: Factories) -> None:
    product = make.product(allow_backorder=False)
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/hook")
    with pytest.raises(Exception, match="Not enough stock"):
        make.order(channel, [(product, 1)])
    assert events_for(app, channel.id) == []


def test_a_backorder_is_announced_with_its_projected_date(
    app: Flask, make: Factories, receiver: WebhookReceiver
) -> None:
    product = make.product()
    channel, _ = make.channel(webhook_url=receiver.url)
    make.inbound([(product, 4)], utcnow() + timedelta(days=2))
    order_id = make.order(channel, [(product, 2)])
    deliver_all(app)
    types = [
        r["body"]["type"]
        for r in receiver.accepted()
        if r["body"]["data"].get("order_id") == order_id
    ]
    assert types == ["order.accepted", "order.backordered"]
    backordered = next(r for r in receiver.accepted() if r["body"]["type"] == "order.backordered")
    assert backordered["body"]["data"]["lines"][0]["projected_fill_on"] == (
        local_date(utcnow() + timedelta(days=2)).isoformat()
    )


def test_a_failed_delivery_is_retried_later_and_order_is_kept(
    app: Flask, make: Factories, receiver: WebhookReceiver
) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel(webhook_url=receiver.url)
    calls = {"n": 0}

    def flaky(_request: dict) -> int:
        calls["n"] += 1
        return 503 if calls["n"] == 1 else 200

    receiver.answer = flaky
    order_id = make.order(channel, [(product, 1)])
    with app.app_context():
        from wms.orders.services import cancel_order

        cancel_order(order_id)
        db.session.commit()
    deliver_all(app)
    # the first attempt failed: the event waits with a backoff, and the
    # cancellation behind it must not overtake it
    evs = [e for e in events_for(app, channel.id) if e.aggregate == f"order:{order_id}"]
    assert [e.event_type for e in evs] == ["order.accepted", "order.cancelled"]
    assert evs[0].status == OutboxStatus.PENDING and evs[0].attempts == 1
    assert evs[0].next_attempt_at > utcnow()
    assert evs[1].status == OutboxStatus.PENDING and evs[1].attempts == 0
    assert evs[1].next_attempt_at >= evs[0].next_attempt_at  # due no sooner than its elder
    with app.app_context():  # the retry time comes
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.aggregate == f"order:{order_id}")
            .values(next_attempt_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    deliver_all(app)
    delivered = [
        r["body"]["type"]
        for r in receiver.accepted()
        if r["body"]["data"].get("order_id") == order_id
    ]
    assert delivered == ["order.accepted", "order.cancelled"]


def test_after_the_last_retry_an_event_is_failed_and_an_admin_can_retry(
    app: Flask, make: Factories, receiver: WebhookReceiver
) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel(webhook_url=receiver.url)
    receiver.answer = lambda _r: 500
    order_id = make.order(channel, [(product, 1)])
    with app.app_context():
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.channel_id == channel.id)
            .values(attempts=delivery.MAX_ATTEMPTS - 1)
        )
        db.session.commit()
    deliver_all(app)
    event = next(e for e in events_for(app, channel.id) if e.event_type == "order.accepted")
    assert event.status == OutboxStatus.FAILED and "HTTP 500" in event.last_error
    receiver.answer = lambda _r: 200
    with app.app_context():
        delivery.retry_event(event.id)
        db.session.commit()
    deliver_all(app)
    assert any(
        r["body"]["id"] == event.id and r["body"]["data"]["order_id"] == order_id
        for r in receiver.accepted()
    )


def test_older_availability_figures_are_superseded_by_newer_ones(
    app: Flask, make: Factories, receiver: WebhookReceiver
) -> None:
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel(webhook_url=receiver.url)
    for _ in range(3):
        make.order(channel, [(product, 1)])
    deliver_all(app)
    figures = [
        r["body"]["data"]["available_to_promise"]
        for r in receiver.accepted()
        if r["body"]["type"] == "availability.changed" and r["body"]["data"]["sku"] == product.sku
    ]
    assert figures == [2]


def test_admin_sees_failed_deliveries_and_retries_one(
    app: Flask, make: Factories, client, login
) -> None:
    product = make.product()
    make.stock(product, make.location(), 2)
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/closed", name="Dead shop")
    make.order(channel, [(product, 1)])
    with app.app_context():
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.channel_id == channel.id)
            .values(status=OutboxStatus.FAILED, last_error="ConnectionError: refused")
        )
        db.session.commit()
    event = events_for(app, channel.id)[0]
    login("admin")
    page = client.get("/desk/outbox?status=failed").get_data(as_text=True)
    assert "Dead shop" in page and "ConnectionError: refused" in page
    response = client.post(f"/desk/outbox/{event.id}/retry")
    assert response.status_code == 302
    assert events_for(app, channel.id)[0].status == OutboxStatus.PENDING


def test_an_event_already_delivered_is_not_sent_again_by_a_retry(
    app: Flask, make: Factories, client, login, receiver: WebhookReceiver
) -> None:
    product = make.product()
    make.stock(product, make.location(), 2)
    channel, _ = make.channel(webhook_url=receiver.url)
    make.order(channel, [(product, 1)])
    deliver_all(app)
    event = next(e for e in events_for(app, channel.id) if e.event_type == "order.accepted")
    assert event.status == OutboxStatus.DELIVERED
    login("admin")

    response = client.post(f"/desk/outbox/{event.id}/retry")

    assert response.status_code == 409
    assert "already delivered" in response.get_data(as_text=True)
    again = next(e for e in events_for(app, channel.id) if e.id == event.id)
    assert (again.status, again.attempts) == (OutboxStatus.DELIVERED, event.attempts)
    deliver_all(app)
    assert sum(r["body"]["id"] == event.id for r in receiver.accepted()) == 1


def test_supervisor_cannot_see_the_outbox(client, login) -> None:
    login("supervisor")
    assert client.get("/desk/outbox").status_code == 403


@pytest.mark.postgres_only
def test_two_workers_never_send_the_same_event_at_the_same_time(
    app: Flask, make: Factories, receiver: WebhookReceiver
) -> None:
    import threading
    import time

    product = make.product()
    make.stock(product, make.location(), 50)
    channel, _ = make.channel(webhook_url=receiver.url)

    def slow(_request: dict) -> int:
        time.sleep(0.01)
        return 200

    receiver.answer = slow
    orders = [make.order(channel, [(product, 1)]) for _ in range(20)]
    barrier = threading.Barrier(3)

    def work() -> None:
        with app.app_context():
            barrier.wait()
            while deliver_batch(5).handled:
                pass
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    mine = [
        r["body"]["id"] for r in receiver.accepted() if r["body"]["data"].get("order_id") in orders
    ]
    assert len(mine) == len(set(mine)) == 20
    assert_invariants(app)


def pending_availability(app: Flask, channel_id: int, product_id: int) -> list[OutboxEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.channel_id == channel_id,
                OutboxEvent.aggregate == f"product:{product_id}",
                OutboxEvent.event_type == "availability.changed",
                OutboxEvent.status == OutboxStatus.PENDING,
            )
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_many_changes_to_one_product_leave_one_pending_figure(
    app: Flask, make: Factories, receiver: WebhookReceiver
) -> None:
    product = make.product()
    make.stock(product, make.location(), 40)
    channel, _ = make.channel(webhook_url=receiver.url)
    for _ in range(12):
        make.order(channel, [(product, 1)])
    assert len(pending_availability(app, channel.id, product.id)) == 1
    deliver_all(app)
    figures = [
        r["body"]["data"]["available_to_promise"]
        for r in receiver.accepted()
        if r["body"]["type"] == "availability.changed" and r["body"]["data"]["sku"] == product.sku
    ]
    assert figures == [28]
    # A change after the delivery is a new pending figure, sent in its turn.
    make.order(channel, [(product, 3)])
    assert len(pending_availability(app, channel.id, product.id)) == 1
    deliver_all(app)
    figures = [
        r["body"]["data"]["available_to_promise"]
        for r in receiver.accepted()
        if r["body"]["type"] == "availability.changed" and r["body"]["data"]["sku"] == product.sku
    ]
    assert figures == [28, 25]


def test_one_worker_pass_sends_every_products_latest_figure_after_a_burst(
    fresh_app: Flask, receiver: WebhookReceiver
) -> None:
    make = Factories(fresh_app)
    bin_ = make.location()
    products = [make.product() for _ in range(3)]
    for product in products:
        make.stock(product, bin_, 50)
    channel, _ = make.channel(webhook_url=receiver.url)
    orders = [make.order(channel, [(p, 1)]) for _ in range(15) for p in products]
    with fresh_app.app_context():
        result = deliver_batch(100)
        db.session.remove()
    # Every order's event and every product's figure in one pass: a burst on a
    # product does not hold the worker to one of its events per pass.
    assert result.delivered == len(orders) + len(products)
    figures = {
        r["body"]["data"]["sku"]: r["body"]["data"]["available_to_promise"]
        for r in receiver.accepted()
        if r["body"]["type"] == "availability.changed"
    }
    assert figures == {p.sku: 35 for p in products}


def test_a_figure_changed_while_the_worker_sends_it_waits_behind_it(
    fresh_app: Flask, receiver: WebhookReceiver
) -> None:
    make = Factories(fresh_app)
    product = make.product()
    make.stock(product, make.location(), 10)
    channel, _ = make.channel(webhook_url=receiver.url)
    make.order(channel, [(product, 1)])
    with fresh_app.app_context():
        taken = claim_batch(100)  # the worker has taken the figure: then it died
        db.session.remove()
    assert any(e.event_type == "availability.changed" for e in taken)
    make.order(channel, [(product, 2)])
    make.order(channel, [(product, 3)])
    # The figure in the worker's hands stays as it was; the new one waits behind it.
    assert len(pending_availability(fresh_app, channel.id, product.id)) == 2
    with fresh_app.app_context():  # the dead worker's lease runs out
        db.session.execute(update(OutboxEvent).values(claimed_until=utcnow() - timedelta(1)))
        db.session.commit()
    deliver_all(fresh_app)
    figures = [
        r["body"]["data"]["available_to_promise"]
        for r in receiver.accepted()
        if r["body"]["type"] == "availability.changed"
    ]
    assert figures == [4]


def test_an_admin_retries_a_failed_figure_while_a_newer_one_waits(
    fresh_app: Flask, receiver: WebhookReceiver
) -> None:
    make = Factories(fresh_app)
    product = make.product()
    make.stock(product, make.location(), 10)
    channel, _ = make.channel(webhook_url=receiver.url)
    make.order(channel, [(product, 1)])
    [failed] = pending_availability(fresh_app, channel.id, product.id)
    with fresh_app.app_context():
        db.session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == failed.id)
            .values(status=OutboxStatus.FAILED, attempts=delivery.MAX_ATTEMPTS)
        )
        db.session.commit()
    make.order(channel, [(product, 1)])
    with fresh_app.app_context():
        delivery.retry_event(failed.id)
        db.session.commit()
    deliver_all(fresh_app)
    figures = [
        r["body"]["data"]["available_to_promise"]
        for r in receiver.accepted()
        if r["body"]["type"] == "availability.changed"
    ]
    assert figures == [8]


def _claim_plan(app: Flask, limit: int = 50) -> dict:
    with app.app_context():
        db.session.execute(text("ANALYZE outbox_events"))
        sql = str(delivery._claimable().compile(dialect=db.engine.dialect))
        plan = (
            db.session.connection()
            .exec_driver_sql(
                "EXPLAIN (ANALYZE, FORMAT JSON) " + sql, {"now": utcnow(), "limit": limit}
            )
            .scalar()
        )
        db.session.rollback()
        db.session.remove()
    return plan[0]["Plan"]


def _nodes(plan: dict) -> list[dict]:
    return [plan, *(n for child in plan.get("Plans", []) for n in _nodes(child))]


@pytest.mark.postgres_only
def test_the_claim_walks_a_batch_of_rows_however_many_are_pending(fresh_app: Flask) -> None:
    make = Factories(fresh_app)
    live, _ = make.channel(webhook_url="http://127.0.0.1:9/live")
    dead, _ = make.channel(webhook_url="http://127.0.0.1:9/dead")
    with fresh_app.app_context():
        # 10,000 due events of 5,000 orders (the second of each waits for the
        # first), and 10,000 of a channel whose endpoint is down, retrying later.
        db.session.execute(
            text(
                """
                INSERT INTO outbox_events (channel_id, event_type, aggregate, payload, status,
                                           attempts, next_attempt_at, last_error, created_at)
                SELECT CASE WHEN g <= 10000 THEN :live ELSE :dead END, 'order.accepted',
                       'order:' || ((g + 1) / 2), '{}', 'pending',
                       CASE WHEN g <= 10000 THEN 0 ELSE 3 END,
                       CASE WHEN g <= 10000 THEN now() - interval '1 minute'
                            ELSE now() + interval '1 hour' END,
                       '', now()
                  FROM generate_series(1, 20000) g
                """
            ),
            {"live": live.id, "dead": dead.id},
        )
        db.session.commit()
    plan = _claim_plan(fresh_app)
    nodes = _nodes(plan)
    assert plan["Actual Rows"] == 50
    assert not [n for n in nodes if n["Node Type"] == "Seq Scan"]
    indexes = {n.get("Index Name") for n in nodes}
    assert {"ix_outbox_pending", "ix_outbox_pending_aggregate"} <= indexes
    walked = sum(
        n["Actual Rows"] * n["Actual Loops"]
        for n in nodes
        if n.get("Index Name") == "ix_outbox_pending"
    )
    # About two rows looked at per row claimed (half wait for an earlier event),
    # not the 20,000 pending.
    assert walked <= 4 * 50, walked


def test_an_event_that_cannot_be_sent_does_not_hold_back_the_others(
    fresh_app: Flask, receiver: WebhookReceiver
) -> None:
    make = Factories(fresh_app)
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel(webhook_url=receiver.url)
    with fresh_app.app_context():
        db.session.add(
            OutboxEvent(
                channel_id=channel.id,
                event_type="availability.changed",
                aggregate="product:broken",
                payload={},  # no product: its figures cannot be read
            )
        )
        db.session.commit()
    make.order(channel, [(product, 1)])
    with fresh_app.app_context():
        result = deliver_batch(100)
        db.session.remove()
    assert result.delivered == 2 and result.retrying == 1
    assert [
        r["body"]["type"] for r in receiver.accepted() if r["body"]["data"].get("order_id")
    ] == ["order.accepted"]
    [broken] = [e for e in events_for(fresh_app, channel.id) if e.aggregate == "product:broken"]
    assert broken.status == OutboxStatus.PENDING and "KeyError" in broken.last_error


def test_flask_worker_once_delivers_what_is_due_and_stops(
    fresh_app: Flask, receiver: WebhookReceiver
) -> None:
    make = Factories(fresh_app)
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel(webhook_url=receiver.url)
    make.order(channel, [(product, 2)])
    result = fresh_app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "delivered 2" in result.output and "Worker stopped." in result.output
    types = {r["body"]["type"] for r in receiver.accepted()}
    assert types == {"order.accepted", "availability.changed"}
    assert all(e.status == OutboxStatus.DELIVERED for e in events_for(fresh_app, channel.id))


def test_a_stock_figure_is_claimed_before_a_backlog_of_older_events(fresh_app: Flask) -> None:
    make = Factories(fresh_app)
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/hook")
    product = make.product()
    earlier = utcnow() - timedelta(minutes=5)
    with fresh_app.app_context():
        db.session.execute(
            OutboxEvent.__table__.insert(),
            [
                {
                    "channel_id": channel.id,
                    "event_type": "order.accepted",
                    "aggregate": f"order:{n}",
                    "payload": {},
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": earlier,
                    "last_error": "",
                    "created_at": earlier,
                }
                for n in range(120)
            ],
        )
        from wms.channels import outbox

        outbox.emit_availability_to(channel.id, [product.id])
        db.session.commit()

        claimed = claim_batch(50)

    assert [c.aggregate for c in claimed if c.event_type == "availability.changed"] == [
        f"product:{product.id}"
    ]
    assert sum(1 for c in claimed if c.event_type == "order.accepted") == 50


def test_one_round_takes_every_waiting_figure_beyond_the_batch(fresh_app: Flask) -> None:
    """Figures go out many to a call: a burst over more products than the batch holds
    is one round, not a queue of rounds each figure waits its turn in."""
    make = Factories(fresh_app)
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/hook")
    products = [make.product() for _ in range(120)]
    with fresh_app.app_context():
        from wms.channels import outbox

        outbox.emit_availability_to(channel.id, [p.id for p in products])
        db.session.commit()

        claimed = claim_batch(50)

    assert sorted(c.aggregate for c in claimed if c.event_type == "availability.changed") == (
        sorted(f"product:{p.id}" for p in products)
    )
