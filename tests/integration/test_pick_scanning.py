"""Scan-to-pick on the handheld: bin, item, quantity, tote; skip, undo, retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.factories import Factories
from tests.picking import Handheld, close_other_ready_waves, moves, tote_code
from wms.base.numbers import order_number, wave_code
from wms.channels.models import OutboxEvent
from wms.core.models import Order, OrderStatus, StagedUnits
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Stock
from wms.orders.services import cancel_order
from wms.picking.models import PickTask, TaskStatus, Wave, WaveStatus


@pytest.fixture(autouse=True)
def empty_totes(make: Factories) -> None:
    """Empty totes for the wave to hand out (any free tote in the building may be used)."""
    for _ in range(3):
        make.location(LocationKind.TOTE)


def on_shelf(make: Factories, qty: int, walk_seq: int, product: Any = None) -> tuple[Any, Any]:
    product = product or make.product()
    bin_ = make.location(LocationKind.BIN, walk_seq=walk_seq)
    make.stock(product, bin_, qty)
    return product, bin_


def on_hand(app: Flask, product_id: int, location_code: str) -> int:
    with app.app_context():
        return int(
            db.session.scalar(
                select(Stock.qty_on_hand)
                .join(Location, Location.id == Stock.location_id)
                .where(Stock.product_id == product_id, Location.code == location_code)
            )
            or 0
        )


def order_status(app: Flask, order_id: int) -> str:
    with app.app_context():
        return db.session.get(Order, order_id).status


def test_a_cluster_wave_is_picked_into_one_tote_per_order_and_goes_to_packing(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    mug, mug_bin = on_shelf(make, 10, walk_seq=20)
    cap, cap_bin = on_shelf(make, 10, walk_seq=10)
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/hook")
    first = make.order(channel, [(mug, 2), (cap, 1)])
    second = make.order(channel, [(mug, 1)])
    wave_id = make.wave(channel)
    picker = login("operator")
    hand = Handheld(client)

    started = hand.scan(wave_code(wave_id))
    assert started.status == 200
    assert started.notice == f"{wave_code(wave_id)}: 2 orders, 3 lines."
    # walking order: the cap's bin comes first on the walk
    assert (started.step, started.where) == ("bin", cap_bin.code)
    assert order_status(app, first) == order_status(app, second) == OrderStatus.PICKING

    answer = hand.scan(cap_bin.code)
    assert (answer.step, answer.where) == ("item", cap.sku)
    answer = hand.scan(cap.barcodes[0].code)
    assert answer.step == "tote" and answer.order == order_number(first)
    first_tote = tote_code(answer)
    answer = hand.scan(first_tote)
    assert answer.notice == f"1 of {cap.sku} in {first_tote} for {order_number(first)}."
    assert (answer.step, answer.where) == ("bin", mug_bin.code)

    # two orders want the mug: the second line starts at the item, the picker is there
    assert hand.pick_current_line().step == "item"
    answer = hand.screen()
    assert answer.step == "item"
    answer = hand.scan(mug.sku)
    assert answer.step == "tote"
    second_tote = tote_code(answer)
    assert second_tote != first_tote
    done = hand.scan(second_tote)
    assert done.step == "finished"
    assert "2 orders · 3 lines · 4 units" in done.body

    code = wave_code(wave_id)
    assert sorted((m["from"], m["to"], m["qty"], m["reason"]) for m in moves(app, code)) == sorted(
        [
            (cap_bin.code, first_tote, 1, "pick"),
            (mug_bin.code, first_tote, 2, "pick"),
            (mug_bin.code, second_tote, 1, "pick"),
        ]
    )
    assert on_hand(app, mug.id, mug_bin.code) == 7
    assert on_hand(app, mug.id, first_tote) == 2
    assert order_status(app, first) == order_status(app, second) == OrderStatus.READY_TO_PACK
    with app.app_context():
        staged = db.session.scalars(
            select(StagedUnits).where(StagedUnits.order_id.in_([first, second]))
        ).all()
        assert sum(s.qty for s in staged) == 4
        ready = db.session.scalars(
            select(OutboxEvent.payload).where(
                OutboxEvent.channel_id == channel.id,
                OutboxEvent.event_type == "order.ready_to_pack",
            )
        ).all()
        assert sorted(p["order_id"] for p in ready) == [first, second]
        wave = db.session.get(Wave, wave_id)
        assert wave.status == WaveStatus.DONE and wave.picker_id == picker.id
    assert hand.screen().step == "idle"
    verify = app.test_cli_runner().invoke(args=["verify-ledger"])
    assert verify.exit_code == 0, verify.output


def test_a_wrong_bin_is_refused_with_where_to_go_instead(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product, bin_ = on_shelf(make, 5, walk_seq=10)
    other = make.location(LocationKind.BIN, code=f"B-{bin_.id:05d}")
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 1)])
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    hand.scan(wave_code(wave_id))

    answer = hand.scan(other.code)
    assert answer.status == 409
    assert answer.error == f"That is {other.code} — go to {bin_.code}."
    assert (answer.step, answer.where) == ("bin", bin_.code)  # still going there
    answer = hand.scan(product.sku)
    assert answer.error == f"Scan the bin label at {bin_.code} first."
    answer = hand.scan("NO-SUCH-CODE")
    assert answer.status == 404 and answer.error == "No bin has the code NO-SUCH-CODE."
    assert hand.scan(bin_.code).step == "item"
    assert order_status(app, order_id) == OrderStatus.PICKING


def test_a_wrong_item_is_refused_and_the_right_one_counts(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product, bin_ = on_shelf(make, 5, walk_seq=10)
    stranger = make.product(name="Other thing")
    channel, _ = make.channel()
    make.order(channel, [(product, 3)])
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    hand.scan(wave_code(wave_id))
    hand.scan(bin_.code)

    answer = hand.scan(stranger.barcodes[0].code)
    assert answer.status == 409
    assert answer.error == f"That is {stranger.sku} — take {product.sku} (Test product)."
    assert answer.step == "item"

    # counting by scanning: each scan is one more, the field offers the whole quantity
    answer = hand.scan(product.barcodes[0].code)
    assert (answer.step, answer.where, answer.prefill) == ("qty", "1 of 3", "3")
    answer = hand.scan(stranger.sku)
    assert answer.error and answer.step == "qty" and answer.where == "1 of 3"
    answer = hand.scan(product.barcodes[0].code)
    assert answer.where == "2 of 3"
    answer = hand.scan("7")
    assert answer.error == "Only 3 to take here."
    answer = hand.scan(product.barcodes[0].code)
    assert answer.step == "tote"  # the third scan completes the count
    assert hand.scan(tote_code(answer)).step == "finished"
    assert [m["qty"] for m in moves(app, wave_code(wave_id))] == [3]


def test_a_typed_quantity_below_the_need_leaves_the_rest_of_the_line_to_take(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product, bin_ = on_shelf(make, 9, walk_seq=10)
    channel, _ = make.channel()
    make.order(channel, [(product, 4)])
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    hand.scan(wave_code(wave_id))
    hand.scan(bin_.code)
    hand.scan(product.sku)
    answer = hand.scan("3")
    tote = tote_code(answer)
    answer = hand.scan(tote)
    # one more to take from the same bin: straight to the item
    assert (answer.step, answer.where) == ("item", product.sku)
    answer = hand.scan(product.sku)
    assert answer.step == "tote"
    assert hand.scan(tote).step == "finished"
    assert [m["qty"] for m in moves(app, wave_code(wave_id))] == [3, 1]


def test_done_takes_the_offered_quantity_and_undo_starts_the_line_again(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product, bin_ = on_shelf(make, 9, walk_seq=10)
    channel, _ = make.channel()
    make.order(channel, [(product, 5)])
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    hand.scan(wave_code(wave_id))
    assert hand.scan("CMD-UNDO").error == "Nothing to undo on this line."
    hand.scan(bin_.code)
    hand.scan(product.sku)
    hand.scan(product.sku)
    answer = hand.scan("CMD-UNDO")
    assert (answer.notice, answer.step, answer.where) == ("Line started again.", "bin", bin_.code)
    hand.scan(bin_.code)
    hand.scan(product.sku)
    answer = hand.scan("CMD-DONE")
    assert answer.step == "tote" and "5 of" in (answer.notice or "")
    assert hand.scan("CMD-SKIP").error == "Put the 5 in the tote first."
    assert hand.scan(product.sku).error == "Put the 5 in the tote, then scan the tote."
    assert hand.scan(bin_.code).error == f"That is {bin_.code} — put it in {tote_code(answer)}."
    assert hand.scan(tote_code(answer)).step == "finished"


def test_skip_sends_a_line_to_the_end_of_the_walk(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    first, first_bin = on_shelf(make, 5, walk_seq=10)
    second, second_bin = on_shelf(make, 5, walk_seq=20)
    channel, _ = make.channel()
    make.order(channel, [(first, 1), (second, 1)])
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    assert hand.scan(wave_code(wave_id)).where == first_bin.code
    answer = hand.scan("CMD-SKIP")
    assert answer.notice == f"{first_bin.code} moved to the end of the walk."
    assert answer.where == second_bin.code
    answer = hand.pick_current_line()
    assert answer.where == first_bin.code  # the skipped line comes back last
    assert hand.scan("SKIP").error == "This is the last line: pick it, or scan SHORT."
    assert hand.pick_current_line().step == "finished"


def test_a_retried_scan_is_answered_again_and_moves_stock_once(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product, bin_ = on_shelf(make, 5, walk_seq=10)
    channel, _ = make.channel()
    make.order(channel, [(product, 2)])
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    hand.scan(wave_code(wave_id))
    hand.scan(bin_.code)
    hand.scan(product.sku)
    tote = tote_code(hand.scan("2"))
    first = hand.scan(tote, scan_id="retry-" + tote)
    again = hand.scan(tote, scan_id="retry-" + tote)
    assert first.step == "finished" and not first.replayed
    assert again.replayed and again.body == first.body
    assert [m["qty"] for m in moves(app, wave_code(wave_id))] == [2]
    assert on_hand(app, product.id, bin_.code) == 3


def test_done_with_nothing_in_hand_gets_the_most_urgent_wave(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    close_other_ready_waves(app)
    product, _ = on_shelf(make, 20, walk_seq=10)
    standard, _ = make.channel()
    urgent, _ = make.channel()
    order_id = make.order(standard, [(product, 1)])
    make.order(urgent, [(product, 1)], priority=1)
    standard_wave = make.wave(standard)
    urgent_wave = make.wave(urgent)
    login("operator")
    hand = Handheld(client)
    assert hand.screen().step == "idle"
    # an unknown code is said to be unknown; a known one of another kind is named
    assert hand.scan("BIN-THAT-IS-NOT-A-WAVE").error == (
        "No pick list or command has the code BIN-THAT-IS-NOT-A-WAVE."
    )
    assert hand.scan(order_number(order_id)).error == (
        f"That is order {order_number(order_id)} — "
        "scan DONE for the next wave, or the barcode of a pick list."
    )
    answer = hand.scan("CMD-DONE")
    assert wave_code(urgent_wave) in (answer.notice or "")
    # scanning another wave while holding one is refused
    assert hand.scan(wave_code(standard_wave)).error == (
        f"You are picking {wave_code(urgent_wave)}; finish it first."
    )
    assert hand.pick_current_line().step == "finished"
    assert wave_code(standard_wave) in (hand.scan("CMD-DONE").notice or "")
    assert hand.pick_current_line().step == "finished"
    assert hand.scan("CMD-DONE").notice == "No wave is waiting. Scan DONE to look again."


def test_done_scanned_again_before_the_first_pick_shows_the_same_wave(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    """DONE asked for work: sent again (a second handheld of the same picker, a scanner
    that fired twice, a retry after a slow answer) before anything is picked, it gets the
    same wave's first screen, not "lines still to pick"."""
    close_other_ready_waves(app)
    product, _ = on_shelf(make, 20, walk_seq=10)
    channel, _ = make.channel()
    make.order(channel, [(product, 1)])
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    first = hand.scan("CMD-DONE")
    again = hand.scan("CMD-DONE")
    assert first.status == again.status == 200, again.body
    assert again.error is None, again.error
    assert wave_code(wave_id) in (again.notice or "")
    assert (again.step, again.where) == (first.step, first.where) == ("bin", first.where)
    # once a line is under way, DONE keeps its meaning on the line
    assert hand.scan(first.where or "").step == "item"
    assert hand.scan("CMD-DONE").error == "1 line still to pick: pick it, SKIP or SHORT."


def test_a_wave_another_picker_holds_is_not_handed_out(
    app: Flask, make: Factories, login: Callable[..., Any]
) -> None:
    product, _ = on_shelf(make, 5, walk_seq=10)
    channel, _ = make.channel()
    make.order(channel, [(product, 1)])
    wave_id = make.wave(channel)
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        user = make.user()
        c.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert Handheld(first).scan(wave_code(wave_id)).step == "bin"
    refused = Handheld(second).scan(wave_code(wave_id))
    assert refused.status == 409
    assert refused.error == f"{wave_code(wave_id)} is being picked by Test User."


def test_lines_of_an_order_cancelled_after_the_wave_was_built_are_dropped(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product, _ = on_shelf(make, 5, walk_seq=10)
    channel, _ = make.channel()
    kept = make.order(channel, [(product, 1)])
    dropped = make.order(channel, [(product, 2)])
    wave_id = make.wave(channel)
    with app.app_context():
        cancel_order(dropped)
        db.session.commit()
    login("operator")
    hand = Handheld(client)
    assert hand.scan(wave_code(wave_id)).notice == f"{wave_code(wave_id)}: 1 order, 1 line."
    assert hand.pick_current_line().step == "finished"
    assert order_status(app, kept) == OrderStatus.READY_TO_PACK
    with app.app_context():
        statuses = db.session.scalars(
            select(PickTask.status).where(PickTask.order_id == dropped)
        ).all()
        assert statuses == [TaskStatus.CANCELLED]


def test_an_order_without_a_tote_takes_the_empty_one_scanned(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    from wms.picking.models import WaveOrder

    product, bin_ = on_shelf(make, 5, walk_seq=10)
    full_tote = make.location(LocationKind.TOTE)
    make.stock(make.product(), full_tote, 1)
    empty_tote = make.location(LocationKind.TOTE)
    channel, _ = make.channel()
    make.order(channel, [(product, 1)])
    wave_id = make.wave(channel)
    login("operator")
    hand = Handheld(client)
    hand.scan(wave_code(wave_id))
    with app.app_context():  # every tote was taken when the wave started
        db.session.execute(
            WaveOrder.__table__.update()
            .where(WaveOrder.wave_id == wave_id)
            .values(tote_location_id=None)
        )
        db.session.commit()
    hand.scan(bin_.code)
    answer = hand.scan(product.sku)
    assert (answer.step, answer.where) == ("tote", "an empty tote")
    assert hand.scan(bin_.code).error == (
        f"That is {bin_.code} — scan an empty tote for {answer.order}."
    )
    assert hand.scan(full_tote.code).error == (
        f"{full_tote.code} is not empty — scan an empty tote for {answer.order}."
    )
    assert hand.scan(empty_tote.code).step == "finished"
    assert on_hand(app, product.id, empty_tote.code) == 1
