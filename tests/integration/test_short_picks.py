"""Short picks: the shortage is recorded, the units wait again in their place in line,
the bin is flagged for a count, and what is not in the bin is not sold again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import Factories
from tests.picking import Handheld, moves, tote_code
from wms.base.clock import utcnow
from wms.base.numbers import wave_code
from wms.core.models import Order, OrderLine, OrderStatus
from wms.extensions import db
from wms.inventory import availability
from wms.inventory.models import Location, LocationKind
from wms.picking.models import PickShortage, PickTask, TaskStatus


@pytest.fixture(autouse=True)
def floor(make: Factories) -> None:
    for _ in range(2):
        make.location(LocationKind.TOTE)
    make.location(LocationKind.EXCEPTIONS)


def queue(app: Flask, product_id: int) -> list[tuple[int, int]]:
    """(order id, units waiting) in the order the queue serves them."""
    with app.app_context():
        rows = db.session.execute(
            select(OrderLine.order_id, OrderLine.qty_waiting)
            .where(OrderLine.product_id == product_id, OrderLine.qty_waiting > 0)
            .order_by(OrderLine.priority, OrderLine.placed_at, OrderLine.id)
        ).all()
        return [tuple(r) for r in rows]


def atp(app: Flask, product_id: int) -> int:
    with app.app_context():
        return availability.for_product(product_id).atp


def ledger_agrees(app: Flask) -> None:
    verify = app.test_cli_runner().invoke(args=["verify-ledger"])
    assert verify.exit_code == 0, verify.output


def test_a_short_bin_sends_the_rest_back_to_its_place_in_line_and_asks_for_a_count(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product = make.product()
    bin_ = make.location(LocationKind.BIN, walk_seq=10)
    make.stock(product, bin_, 3)
    channel, _ = make.channel()
    t0 = utcnow() - timedelta(hours=3)
    first = make.order(channel, [(product, 3)], placed_at=t0)
    later = make.order(channel, [(product, 2)], placed_at=t0 + timedelta(hours=1))
    assert queue(app, product.id) == [(later, 2)]
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    hand.scan(wave_code(wave_id))
    hand.scan(bin_.code)

    answer = hand.scan("CMD-SHORT")
    assert (answer.step, answer.prefill) == ("short", "0")
    assert hand.scan("3").error == "Then it is not short: take 3 and scan the item."
    assert hand.scan("4").error == "Then it is not short: take 3 and scan the item."
    answer = hand.scan("1")  # one unit in the bin; the ledger said three
    assert answer.notice == (
        f"Short 2 recorded: {answer.order} waits for it; {bin_.code} will be counted."
    )
    answer = hand.scan(tote_code(answer))
    assert answer.step == "finished" and "1 unit · 2 short" in answer.body

    # the two units wait again, ahead of the later order: the line kept its place
    assert queue(app, product.id) == [(first, 2), (later, 2)]
    with app.app_context():
        assert db.session.get(Order, first).status == OrderStatus.WAITING
        assert db.session.get(Location, bin_.id).count_requested_at is not None
        shortage = db.session.scalars(
            select(PickShortage).where(PickShortage.location_id == bin_.id)
        ).one()
        assert (shortage.qty_short, shortage.qty_found, shortage.qty_on_hand) == (2, 1, 3)
        assert shortage.qty_set_aside == 2
        task = db.session.get(PickTask, shortage.task_id)
        assert (task.qty_picked, task.qty_short, task.status) == (1, 2, TaskStatus.DONE)
    # the two units the ledger counted but the bin did not hold are out of sellable stock
    code = wave_code(wave_id)
    missing = [m for m in moves(app, code) if m["reason"] == "missing"]
    assert [(m["from"], m["qty"]) for m in missing] == [(bin_.code, 2)]
    with app.app_context():
        aside = db.session.scalars(select(Location).where(Location.code == missing[0]["to"])).one()
        assert aside.kind == LocationKind.EXCEPTIONS
    assert atp(app, product.id) == 0  # nothing left to sell: the one unit is in the tote
    ledger_agrees(app)


def test_units_promised_to_other_orders_stay_in_the_bin_until_their_pickers_find_it_short(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product = make.product()
    bin_ = make.location(LocationKind.BIN, walk_seq=10)
    make.stock(product, bin_, 5)
    first_channel, _ = make.channel()
    second_channel, _ = make.channel()
    make.order(first_channel, [(product, 3)])
    make.order(second_channel, [(product, 2)])
    first_wave = make.wave(first_channel)
    second_wave = make.wave(second_channel)
    login("operator")
    hand = Handheld(client)

    hand.scan(wave_code(first_wave))
    hand.scan("CMD-SHORT")
    assert hand.scan("0").step == "finished"  # the bin is empty
    # three units were this order's and go back; two are promised to the second order
    assert [m["qty"] for m in moves(app, wave_code(first_wave)) if m["reason"] == "missing"] == [3]
    assert atp(app, product.id) == 0

    hand.scan(wave_code(second_wave))
    hand.scan(bin_.code)
    hand.scan("SHORT")
    assert hand.scan("0").step == "finished"
    assert [m["qty"] for m in moves(app, wave_code(second_wave))] == [2]
    with app.app_context():
        assert db.session.get(Location, bin_.id).count_requested_at is not None
        counters = availability.for_product(product.id)
        assert (counters.on_hand, counters.reserved, counters.waiting) == (0, 0, 5)
    ledger_agrees(app)


def test_a_short_line_with_free_stock_in_another_bin_is_served_again_at_once(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product = make.product()
    near = make.location(LocationKind.BIN, walk_seq=10)
    far = make.location(LocationKind.BIN, walk_seq=20)
    make.stock(product, near, 2)
    make.stock(product, far, 5)
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 2)])
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    assert hand.scan(wave_code(wave_id)).where == near.code
    hand.scan("CMD-SHORT")
    assert hand.scan("0").step == "finished"

    # nobody waits: the freed units in the far bin were reserved for the line again
    assert queue(app, product.id) == []
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == OrderStatus.READY_TO_PICK
        assert order.lines[0].qty_reserved == 2
    assert atp(app, product.id) == 3
    # and the next wave takes them from the far bin
    next_wave = make.wave(channel)
    assert hand.scan(wave_code(next_wave)).where == far.code
    assert hand.pick_current_line().step == "finished"
    with app.app_context():
        assert db.session.get(Order, order_id).status == OrderStatus.READY_TO_PACK
    ledger_agrees(app)


def test_the_short_step_can_be_undone_and_refuses_more_than_the_ledger_holds(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product = make.product()
    bin_ = make.location(LocationKind.BIN, walk_seq=10)
    make.stock(product, bin_, 4)
    channel, _ = make.channel()
    make.order(channel, [(product, 4)])
    wave_id = make.wave(channel)
    with app.app_context():  # stock left the bin another way after the wave was built
        from wms.core.ledger import Reason, move_stock

        other = make.location(LocationKind.BIN)
        with_bin = db.session.get(Location, bin_.id)
        move_stock(product.id, 2, with_bin, db.session.get(Location, other.id), Reason.TRANSFER)
        db.session.commit()
    login("operator")
    hand = Handheld(client)
    hand.scan(wave_code(wave_id))
    hand.scan(bin_.code)
    hand.scan(product.sku)
    answer = hand.scan("CMD-SHORT")
    assert (answer.step, answer.prefill) == ("short", "1")  # the one already counted
    assert hand.scan("3").error == f"The ledger says {bin_.code} holds 2; take at most 2."
    assert hand.scan("CMD-UNDO").step == "bin"
    with app.app_context():
        assert (
            db.session.scalars(
                select(PickShortage).where(PickShortage.location_id == bin_.id)
            ).all()
            == []
        )
