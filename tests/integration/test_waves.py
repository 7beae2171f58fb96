"""Building waves at the desk: which orders, which bins, one wave per order."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.factories import Factories
from wms.base.clock import utcnow
from wms.base.numbers import order_number, wave_code
from wms.core.models import Order, OrderStatus, Priority
from wms.extensions import db
from wms.inventory.models import Location, LocationKind
from wms.picking.models import PickTask, Wave, WaveOrder, WaveStatus
from wms.picking.services.waves import WaveCriteria, build_wave, cancel_wave, release_wave


def build(app: Flask, **criteria: Any) -> Any:
    with app.app_context():
        built = build_wave(WaveCriteria(**criteria))
        db.session.commit()
        return built


def tasks(app: Flask, wave_id: int) -> list[tuple[int, str, int]]:
    """(order id, bin code, qty) of a wave's tasks, in walking order."""
    with app.app_context():
        rows = db.session.execute(
            select(PickTask.order_id, Location.code, PickTask.qty)
            .join(Location, Location.id == PickTask.location_id)
            .where(PickTask.wave_id == wave_id)
            .order_by(PickTask.walk_seq, PickTask.id)
        ).all()
        return [tuple(r) for r in rows]


def wave_orders(app: Flask, wave_id: int) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(WaveOrder.order_id)
                .where(WaveOrder.wave_id == wave_id)
                .order_by(WaveOrder.id)
            )
        )


def test_the_most_urgent_orders_come_first_up_to_the_maximum(app: Flask, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(walk_seq=10), 50)
    channel, _ = make.channel()
    t0 = utcnow() - timedelta(days=1)
    old = make.order(channel, [(product, 1)], placed_at=t0)
    new = make.order(channel, [(product, 1)], placed_at=t0 + timedelta(hours=2))
    urgent = make.order(channel, [(product, 1)], placed_at=t0 + timedelta(hours=5), priority=1)
    built = build(app, channel_id=channel.id, max_orders=2)
    assert (built.orders, built.lines) == (2, 2)
    assert sorted(wave_orders(app, built.wave_id)) == sorted([urgent, old])
    with app.app_context():
        assert db.session.get(Wave, built.wave_id).priority == Priority.EXPEDITED
    # an order is in one wave at a time: the next wave takes only what is left
    again = build(app, channel_id=channel.id)
    assert wave_orders(app, again.wave_id) == [new]
    assert build(app, channel_id=channel.id).wave_id is None


def test_filters_by_service_level_and_priority(app: Flask, make: Factories) -> None:
    product = make.product()
    make.stock(product, make.location(walk_seq=10), 50)
    channel, _ = make.channel()
    express = make.order(channel, [(product, 1)], service_level="express")
    standard = make.order(channel, [(product, 1)], service_level="standard")
    economy = make.order(channel, [(product, 1)], priority=Priority.ECONOMY)
    by_level = build(app, channel_id=channel.id, service_level="express")
    assert wave_orders(app, by_level.wave_id) == [express]
    by_priority = build(app, channel_id=channel.id, priority=Priority.ECONOMY)
    assert wave_orders(app, by_priority.wave_id) == [economy]
    rest = build(app, channel_id=channel.id)
    assert wave_orders(app, rest.wave_id) == [standard]


def test_the_line_limit_passes_over_a_big_order_for_smaller_ones(
    app: Flask, make: Factories
) -> None:
    products = [make.product() for _ in range(3)]
    for i, p in enumerate(products):
        make.stock(p, make.location(walk_seq=10 + i), 10)
    channel, _ = make.channel()
    t0 = utcnow() - timedelta(hours=3)
    small = make.order(channel, [(products[0], 1)], placed_at=t0)
    big = make.order(channel, [(p, 1) for p in products], placed_at=t0 + timedelta(hours=1))
    small_too = make.order(channel, [(products[1], 1)], placed_at=t0 + timedelta(hours=2))
    built = build(app, channel_id=channel.id, max_lines=2)
    assert wave_orders(app, built.wave_id) == [small, small_too]
    # alone, the big order still gets a wave even though it is over the limit
    alone = build(app, channel_id=channel.id, max_lines=2)
    assert wave_orders(app, alone.wave_id) == [big]
    assert alone.lines == 3


def test_a_line_takes_the_first_bin_on_the_walk_that_holds_it_all_else_splits(
    app: Flask, make: Factories
) -> None:
    product = make.product()
    early = make.location(walk_seq=10)
    middle = make.location(walk_seq=20)
    late = make.location(walk_seq=30)
    make.stock(product, early, 2)
    make.stock(product, middle, 3)
    make.stock(product, late, 6)
    channel, _ = make.channel()
    whole = make.order(channel, [(product, 5)])
    built = build(app, channel_id=channel.id)
    assert tasks(app, built.wave_id) == [(whole, late.code, 5)]
    split = make.order(channel, [(product, 4)])
    built = build(app, channel_id=channel.id)
    assert tasks(app, built.wave_id) == [(split, early.code, 2), (split, middle.code, 2)]


def test_two_waves_never_count_on_the_same_units_in_a_bin(app: Flask, make: Factories) -> None:
    product = make.product()
    first_bin = make.location(walk_seq=10)
    second_bin = make.location(walk_seq=20)
    make.stock(product, first_bin, 4)
    make.stock(product, second_bin, 4)
    channel, _ = make.channel()
    one = make.order(channel, [(product, 3)])
    first = build(app, channel_id=channel.id)
    two = make.order(channel, [(product, 3)])
    second = build(app, channel_id=channel.id)
    assert tasks(app, first.wave_id) == [(one, first_bin.code, 3)]
    # only one unit of the first bin is not promised to the first wave
    assert tasks(app, second.wave_id) == [(two, second_bin.code, 3)]


def test_an_order_whose_units_are_not_all_in_bins_is_left_out_and_named(
    app: Flask, make: Factories
) -> None:
    shelved = make.product()
    on_dock = make.product()
    make.stock(shelved, make.location(walk_seq=10), 5)
    make.stock(on_dock, make.location(LocationKind.RECEIVING), 5)
    channel, _ = make.channel()
    stuck = make.order(channel, [(shelved, 1), (on_dock, 1)])
    fine = make.order(channel, [(shelved, 2)])
    built = build(app, channel_id=channel.id)
    assert wave_orders(app, built.wave_id) == [fine]
    assert built.left_out == [(order_number(stuck), on_dock.sku)]


def test_units_already_staged_are_not_picked_again(app: Flask, make: Factories) -> None:
    from wms.core.ledger import Reason
    from wms.core.models import OrderLine
    from wms.core.staging import stage_units

    product = make.product()
    bin_ = make.location(walk_seq=10)
    make.stock(product, bin_, 5)
    lane = make.location(LocationKind.STAGING_LANE)
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 3)])
    with app.app_context():
        line = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        stage_units(
            line,
            1,
            db.session.get(Location, bin_.id),
            db.session.get(Location, lane.id),
            Reason.CROSS_DOCK,
        )
        db.session.commit()
    built = build(app, channel_id=channel.id)
    assert tasks(app, built.wave_id) == [(order_id, bin_.code, 2)]


def test_cancelling_a_wave_frees_its_orders_and_a_released_wave_resumes(
    app: Flask, make: Factories
) -> None:
    product = make.product()
    make.stock(product, make.location(walk_seq=10), 5)
    make.location(LocationKind.TOTE)
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 1)])
    built = build(app, channel_id=channel.id)
    with app.app_context():
        cancel_wave(built.wave_id)
        db.session.commit()
        assert db.session.get(Wave, built.wave_id).status == WaveStatus.CANCELLED
    again = build(app, channel_id=channel.id)
    assert wave_orders(app, again.wave_id) == [order_id]
    picker, other = make.user(), make.user()
    with app.app_context():
        from wms.picking.services.waves import claim_wave

        claim_wave(picker.id, again.wave_id)
        db.session.commit()
        assert db.session.get(Order, order_id).status == OrderStatus.PICKING
        release_wave(again.wave_id)
        db.session.commit()
        wave = db.session.get(Wave, again.wave_id)
        assert (wave.status, wave.picker_id) == (WaveStatus.READY, None)
        assert claim_wave(other.id, again.wave_id).picker_id == other.id
        db.session.commit()
        # the order stayed picking while the wave changed hands
        assert db.session.get(Order, order_id).status == OrderStatus.PICKING
        cancel_wave(again.wave_id)
        db.session.commit()
        assert db.session.get(Order, order_id).status == OrderStatus.READY_TO_PICK


def test_the_desk_builds_a_wave_and_shows_it(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    product = make.product()
    bin_ = make.location(walk_seq=10)
    make.stock(product, bin_, 5)
    channel, _ = make.channel(name="Desk channel")
    order_id = make.order(channel, [(product, 2)])
    picker = make.user()
    login("supervisor")
    page = client.get("/pick/waves")
    assert page.status_code == 200
    assert "Desk channel" in page.get_data(as_text=True)
    response = client.post(
        "/pick/waves",
        data={"channel_id": str(channel.id), "max_orders": "5", "max_lines": "10"},
        follow_redirects=True,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    with app.app_context():
        wave_id = db.session.scalar(select(WaveOrder.wave_id).where(WaveOrder.order_id == order_id))
    assert f"{wave_code(wave_id)} built: 1 order, 1 line." in body
    assert bin_.code in body and order_number(order_id) in body
    refused = client.post(
        "/pick/waves", data={"channel_id": str(channel.id)}, follow_redirects=True
    )
    assert "No order ready to pick matches; no wave was built." in refused.get_data(as_text=True)
    bad = client.post("/pick/waves", data={"max_orders": "0"}, follow_redirects=True)
    assert "A wave holds 1 to 200 orders." in bad.get_data(as_text=True)
    with app.app_context():
        from wms.picking.services.waves import claim_wave

        claim_wave(picker.id, wave_id)
        db.session.commit()
    released = client.post(f"/pick/waves/{wave_id}/release", follow_redirects=True)
    assert "taken back; the next picker carries on where it stopped" in released.get_data(
        as_text=True
    )
    cancelled = client.post(f"/pick/waves/{wave_id}/cancel", follow_redirects=True)
    assert f"{wave_code(wave_id)} cancelled" in cancelled.get_data(as_text=True)


def test_operators_cannot_build_waves(client, login: Callable[..., Any]) -> None:
    login("operator")
    assert client.get("/pick/waves").status_code == 403
    assert client.post("/pick/waves", data={}).status_code == 403
    assert client.get("/pick/").status_code == 200


def test_a_wave_picked_on_paper_is_recorded_at_the_desk(
    app: Flask, client, make: Factories, login: Callable[..., Any]
) -> None:
    from tests.picking import moves

    mug, cap = make.product(), make.product()
    mug_bin, cap_bin = make.location(walk_seq=10), make.location(walk_seq=20)
    make.stock(mug, mug_bin, 5)
    make.stock(cap, cap_bin, 2)
    make.location(LocationKind.TOTE)
    make.location(LocationKind.TOTE)
    make.location(LocationKind.EXCEPTIONS)
    channel, _ = make.channel()
    full = make.order(channel, [(mug, 2)])
    short = make.order(channel, [(cap, 2)])
    built = build(app, channel_id=channel.id)
    with app.app_context():
        cap_task = db.session.scalar(select(PickTask.id).where(PickTask.order_id == short))
    login("supervisor")
    page = client.get(f"/pick/waves/{built.wave_id}").get_data(as_text=True)
    assert f'name="picked-{cap_task}"' in page
    response = client.post(
        f"/pick/waves/{built.wave_id}/paper",
        data={f"picked-{cap_task}": "1"},
        follow_redirects=True,
    )
    assert "Paper pick recorded: 3 units on 2 lines." in response.get_data(as_text=True)
    picked = sorted(
        (m["from"], m["qty"], m["reason"]) for m in moves(app, wave_code(built.wave_id))
    )
    assert picked == sorted(
        [(mug_bin.code, 2, "pick"), (cap_bin.code, 1, "pick"), (cap_bin.code, 1, "missing")]
    )
    with app.app_context():
        assert db.session.get(Wave, built.wave_id).status == WaveStatus.DONE
        assert db.session.get(Order, full).status == OrderStatus.READY_TO_PACK
        assert db.session.get(Order, short).status == OrderStatus.WAITING
        assert db.session.get(Location, cap_bin.id).count_requested_at is not None
    again = client.post(f"/pick/waves/{built.wave_id}/paper", data={}, follow_redirects=True)
    assert f"{wave_code(built.wave_id)} is done" in again.get_data(as_text=True)


def test_a_french_supervisor_builds_and_reads_waves_in_french(client, make: Factories) -> None:
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 5)
    make.location(LocationKind.TOTE)
    channel, _ = make.channel(name="Canal du bureau")
    make.order(channel, [(product, 2)])
    make.order(channel, [(product, 1)])
    user = make.user(role="supervisor", language="fr")
    client.post("/login", data={"username": user.username, "password": "secret-pass"})

    page = client.get("/pick/waves").get_data(as_text=True)
    assert "<h1>Vagues</h1>" in page and "Commandes prêtes à préparer, hors vague" in page
    assert '<option value="1">express</option>' in page and "Créer la vague" in page
    for english in ("Build wave", "Recent waves", "No waves yet.", "Service level", "Any"):
        assert english not in page

    built = client.post(
        "/pick/waves",
        data={"channel_id": str(channel.id), "max_orders": "5", "max_lines": "10"},
        follow_redirects=True,
    ).get_data(as_text=True)
    # Two orders, two lines, and one tote: each number said with its own plural form.
    assert re.search(r"WV-\d+ créée\u202f: 2 commandes, 2 lignes\.", built), built
    assert "à prélever" in built and "Prélevé au casier" in built
    assert "Annuler la vague" in built and "Cancel the wave" not in built

    listing = client.get("/pick/waves").get_data(as_text=True)
    assert "Vagues récentes" in listing and ">prête<" in listing
    # Built "7 déc. 2026, 14:45" (the warehouse's way), not "2026-12-07 14:45".
    assert re.search(r"<td>\d{1,2} [a-zéû]+\.? \d{4}, \d\d:\d\d</td>", listing), listing
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", listing)

    refused = client.post("/pick/waves", data={"max_orders": "plein"}, follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "Le nombre maximal de commandes doit être un nombre entier." in text
