"""Pickers and supervisors at the same moment, on PostgreSQL: nothing handed out twice,
nothing picked twice, no bin's units promised twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import Factories
from tests.invariants import assert_invariants
from tests.picking import Handheld, close_other_ready_waves, moves, tote_code
from wms.base.numbers import wave_code
from wms.core.models import StagedUnits
from wms.extensions import db
from wms.inventory.models import Location, LocationKind
from wms.picking.models import PickTask, WaveOrder
from wms.picking.services.picks import confirm_pick
from wms.picking.services.waves import WaveCriteria, build_wave, claim_next_wave, claim_wave

pytestmark = pytest.mark.postgres_only


def all_at_once(count: int, work: Callable[[int], Any]) -> list[Any]:
    start = threading.Barrier(count)

    def run(i: int) -> Any:
        start.wait()
        return work(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_pickers_asking_at_once_never_get_the_same_wave(app: Flask, make: Factories) -> None:
    close_other_ready_waves(app)
    product = make.product()
    make.stock(product, make.location(walk_seq=10), 50)
    for _ in range(8):
        make.location(LocationKind.TOTE)
    channel, _ = make.channel()
    waves = []
    for _ in range(5):
        make.order(channel, [(product, 1)])
        waves.append(make.wave(channel))
    pickers = [make.user() for _ in range(8)]

    def get_work(i: int) -> int | None:
        with app.app_context():
            wave = claim_next_wave(pickers[i].id)
            wave_id = wave.id if wave else None
            db.session.commit()
            return wave_id

    got = all_at_once(8, get_work)
    handed = [w for w in got if w is not None]
    assert sorted(handed) == sorted(waves)  # every wave once, three pickers get none
    with app.app_context():
        totes = db.session.scalars(
            select(WaveOrder.tote_location_id).where(WaveOrder.wave_id.in_(waves))
        ).all()
        assert None not in totes and len(set(totes)) == 5  # no tote in two waves
    assert_invariants(app)


def test_a_task_confirmed_twice_at_once_moves_stock_once(app: Flask, make: Factories) -> None:
    product = make.product()
    bin_ = make.location(walk_seq=10)
    make.stock(product, bin_, 10)
    make.location(LocationKind.TOTE)
    channel, _ = make.channel()
    make.order(channel, [(product, 4)])
    wave_id = make.wave(channel)
    picker = make.user()
    with app.app_context():
        claim_wave(picker.id, wave_id)
        db.session.commit()
        task_id, tote_id = db.session.execute(
            select(PickTask.id, WaveOrder.tote_location_id)
            .join(WaveOrder, WaveOrder.id == PickTask.wave_order_id)
            .where(PickTask.wave_id == wave_id)
        ).one()

    def confirm(_: int) -> bool:
        with app.app_context():
            tote = db.session.get(Location, tote_id)
            applied = confirm_pick(task_id, 4, tote, picker.id, expected_picked=0)
            db.session.commit()
            return applied

    assert sorted(all_at_once(6, confirm)) == [False] * 5 + [True]
    assert [m["qty"] for m in moves(app, wave_code(wave_id))] == [4]
    with app.app_context():
        staged = db.session.scalar(
            select(func.sum(StagedUnits.qty)).where(StagedUnits.location_id == tote_id)
        )
        assert staged == 4
        assert db.session.get(PickTask, task_id).qty_picked == 4
    assert_invariants(app)


def test_two_handhelds_of_one_picker_scanning_the_tote_at_once_pick_once(
    app: Flask, make: Factories
) -> None:
    product = make.product()
    bin_ = make.location(walk_seq=10)
    make.stock(product, bin_, 10)
    make.location(LocationKind.TOTE)
    channel, _ = make.channel()
    make.order(channel, [(product, 2)])
    wave_id = make.wave(channel)
    picker = make.user()
    hands = []
    for _ in range(4):
        client = app.test_client()
        client.post("/login", data={"username": picker.username, "password": "secret-pass"})
        hands.append(Handheld(client))
    hands[0].scan(wave_code(wave_id))
    hands[0].scan(bin_.code)
    hands[0].scan(product.sku)
    tote = tote_code(hands[0].scan(product.sku))

    answers = all_at_once(4, lambda i: hands[i].scan(tote))
    assert sorted(a.status for a in answers)[0] == 200
    assert [m["qty"] for m in moves(app, wave_code(wave_id))] == [2]
    assert_invariants(app)


def test_waves_built_at_once_never_promise_the_same_units(app: Flask, make: Factories) -> None:
    product = make.product()
    bins = [make.location(walk_seq=10 + i) for i in range(3)]
    for bin_ in bins:
        make.stock(product, bin_, 4)
    channels = [make.channel()[0] for _ in range(4)]
    for channel in channels:
        make.order(channel, [(product, 3)])

    def build(i: int) -> int | None:
        with app.app_context():
            built = build_wave(WaveCriteria(channel_id=channels[i].id))
            db.session.commit()
            return built.wave_id

    built = all_at_once(4, build)
    assert all(built)  # the last one takes a unit from each bin
    with app.app_context():
        per_bin = dict(
            db.session.execute(
                select(PickTask.location_id, func.sum(PickTask.qty))
                .where(PickTask.location_id.in_([b.id for b in bins]))
                .group_by(PickTask.location_id)
            ).all()
        )
    assert per_bin == {b.id: 4 for b in bins}
    assert_invariants(app)


def test_supervisors_building_waves_at_once_put_each_order_in_one_wave(
    app: Flask, make: Factories
) -> None:
    product = make.product()
    make.stock(product, make.location(walk_seq=10), 40)
    channel, _ = make.channel()
    orders = [make.order(channel, [(product, 1)]) for _ in range(12)]

    def build(_: int) -> int | None:
        with app.app_context():
            built = build_wave(WaveCriteria(channel_id=channel.id, max_orders=3))
            db.session.commit()
            return built.wave_id

    for _ in range(3):  # until every order is in a wave
        if not all(all_at_once(4, build)):
            break
    with app.app_context():
        placed = db.session.scalars(
            select(WaveOrder.order_id).where(WaveOrder.order_id.in_(orders))
        ).all()
    assert sorted(placed) == sorted(orders)  # each once
    assert_invariants(app)
