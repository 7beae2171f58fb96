"""The backorder queue: priority then age, projected fill dates that move with inbounds."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from tests.factories import Factories
from wms.base.clock import local_date, today, utcnow
from wms.channels.models import OutboxEvent
from wms.core import backorders
from wms.core.models import OrderLine, Priority
from wms.extensions import db
from wms.inbounds.services import change_expected_at


def waiting_lines(app: Flask, product_id: int) -> list[OrderLine]:
    with app.app_context():
        rows = db.session.scalars(
            select(OrderLine)
            .where(OrderLine.product_id == product_id)
            .order_by(OrderLine.priority, OrderLine.placed_at, OrderLine.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def test_projected_dates_follow_the_queue_against_inbounds(app: Flask, make: Factories) -> None:
    product = make.product()
    channel, _ = make.channel()
    soon, later = utcnow() + timedelta(days=2), utcnow() + timedelta(days=9)
    make.inbound([(product, 3)], soon)
    make.inbound([(product, 3)], later)
    t0 = utcnow() - timedelta(hours=5)
    first = make.order(channel, [(product, 3)], placed_at=t0)
    second = make.order(channel, [(product, 2)], placed_at=t0 + timedelta(hours=1))
    third = make.order(channel, [(product, 5)], placed_at=t0 + timedelta(hours=2))
    by_order = {ln.order_id: ln.projected_fill_on for ln in waiting_lines(app, product.id)}
    assert by_order == {first: local_date(soon), second: local_date(later), third: None}


def test_an_expedited_order_jumps_ahead_and_moves_the_others_dates(
    app: Flask, make: Factories
) -> None:
    product = make.product()
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/hook")
    soon, later = utcnow() + timedelta(days=1), utcnow() + timedelta(days=6)
    make.inbound([(product, 2)], soon)
    make.inbound([(product, 2)], later)
    standard = make.order(channel, [(product, 2)], placed_at=utcnow() - timedelta(days=1))
    expedited = make.order(channel, [(product, 2)], priority=Priority.EXPEDITED)
    lines = waiting_lines(app, product.id)
    assert [ln.order_id for ln in lines] == [expedited, standard]
    assert [ln.projected_fill_on for ln in lines] == [local_date(soon), local_date(later)]
    with app.app_context():
        moved = db.session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.channel_id == channel.id,
                OutboxEvent.event_type == "order.projection_changed",
            )
        ).all()
        assert [e.payload["order_id"] for e in moved] == [standard]
        assert moved[0].payload["lines"][0]["projected_fill_on"] == local_date(later).isoformat()


def test_a_late_inbound_moves_the_projection_and_tells_the_channel(
    app: Flask, make: Factories
) -> None:
    product = make.product()
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/hook")
    inbound_id = make.inbound([(product, 5)], utcnow() + timedelta(days=2))
    order_id = make.order(channel, [(product, 1)])
    new_day = utcnow() + timedelta(days=8)
    with app.app_context():
        change_expected_at(inbound_id, new_day)
        db.session.commit()
        event = db.session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.channel_id == channel.id,
                OutboxEvent.event_type == "order.projection_changed",
            )
        ).one()
    assert event.payload["order_id"] == order_id
    assert event.payload["lines"][0]["projected_fill_on"] == local_date(new_day).isoformat()
    assert waiting_lines(app, product.id)[0].projected_fill_on == local_date(new_day)


def test_an_overdue_inbound_is_projected_for_today(app: Flask, make: Factories) -> None:
    product = make.product()
    channel, _ = make.channel()
    make.inbound([(product, 5)], utcnow() - timedelta(days=3))
    make.order(channel, [(product, 1)])
    assert waiting_lines(app, product.id)[0].projected_fill_on == today()


def test_requeued_units_keep_their_place_in_line(app: Flask, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(), 2)
    channel, _ = make.channel()
    early = make.order(channel, [(product, 2)], placed_at=utcnow() - timedelta(days=2))
    late = make.order(channel, [(product, 1)])
    line = waiting_lines(app, product.id)[0]
    assert line.order_id == early and line.qty_reserved == 2
    with app.app_context():
        backorders.requeue(line.id, product.id, 1)
        db.session.commit()
    lines = waiting_lines(app, product.id)
    assert [ln.order_id for ln in lines if ln.qty_waiting] == [early, late]


def test_a_partial_order_is_picked_now_when_the_rest_is_far_off(
    app: Flask, make: Factories
) -> None:
    from wms.core.models import Order

    in_stock = make.product()
    make.stock(in_stock, make.location(), 5)
    short = make.product()
    make.inbound([(short, 5)], utcnow() + timedelta(days=20))  # beyond the 3-day horizon
    channel, _ = make.channel()
    partial = make.order(channel, [(in_stock, 1), (short, 1)], partial_allowed=True)
    whole = make.order(channel, [(in_stock, 1), (short, 1)])
    soon = make.product()
    make.stock(soon, make.location(), 5)
    short_soon = make.product()
    make.inbound([(short_soon, 5)], utcnow() + timedelta(days=1))
    partial_soon = make.order(channel, [(soon, 1), (short_soon, 1)], partial_allowed=True)
    with app.app_context():
        status = {o: db.session.get(Order, o).status for o in (partial, whole, partial_soon)}
    assert status == {partial: "ready_to_pick", whole: "waiting", partial_soon: "waiting"}


def test_a_truck_due_late_in_the_utc_evening_is_promised_on_the_warehouses_day(
    app: Flask, make: Factories
) -> None:
    # 23:30 UTC on 11 December is 00:30 on 12 December in the warehouse (Europe/Paris).
    product = make.product()
    channel, _ = make.channel()
    due = datetime(utcnow().year + 1, 12, 11, 23, 30)
    make.inbound([(product, 3)], due)
    order_id = make.order(channel, [(product, 2)])
    (line,) = waiting_lines(app, product.id)
    assert line.order_id == order_id
    assert line.projected_fill_on == date(due.year, 12, 12)
    with app.app_context():
        (arrival,) = backorders.arrivals_for(product.id)
        assert arrival.on == date(due.year, 12, 12)
