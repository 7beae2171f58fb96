"""Receiving on the handheld: each unit routed at the scan, confirmed at its place."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.integration.receiving.conftest import HX, Site
from wms.base.clock import local_date, travel, utcnow
from wms.base.numbers import order_number
from wms.channels.models import OutboxEvent
from wms.core.models import Inbound, Order, OrderLine, Priority
from wms.extensions import db
from wms.inventory.models import LocationKind, Movement, ProductStock, Stock


def waiting_order(site: Site, product, qty=1, **kw) -> int:  # type: ignore[no-untyped-def]
    channel = kw.pop("channel", None) or site.make.channel(webhook_url="http://127.0.0.1:9/h")[0]
    return site.make.order(channel, [(product, qty)], **kw)


def order_status(site: Site, order_id: int) -> str:
    with site.app.app_context():
        return db.session.get(Order, order_id).status


def on_hand(site: Site, product, location) -> int:  # type: ignore[no-untyped-def]
    with site.app.app_context():
        return (
            db.session.scalar(
                select(Stock.qty_on_hand).where(
                    Stock.product_id == product.id, Stock.location_id == location.id
                )
            )
            or 0
        )


def test_a_unit_a_backorder_waits_for_goes_to_its_lane(site: Site) -> None:
    product = site.make.product()
    order_id = waiting_order(site, product, qty=2)
    inbound = site.make.inbound([(product, 5)], utcnow())
    with site.app.app_context():
        from wms.core.models import Inbound

        reference = db.session.get(Inbound, inbound).reference
    assert site.start(reference).status_code == 204

    first = site.scan(product.barcodes[0].code)
    page = site.text(first)
    assert first.status_code == 200
    assert site.where(first) == ["LANE L1"]
    assert f"order {order_number(order_id)} · 1 of 2 units" in page

    wrong = site.scan(site.bins[0].code)
    assert wrong.status_code == 409
    assert f"That is {site.bins[0].code} — take it to LANE L1." in site.text(wrong)
    assert on_hand(site, product, site.lanes[0]) == 0  # nothing moved

    confirmed = site.scan("L1")
    assert confirmed.status_code == 200
    assert on_hand(site, product, site.lanes[0]) == 1
    assert on_hand(site, product, site.dock) == 0

    site.scan(product.barcodes[0].code)
    site.scan("L1")
    assert order_status(site, order_id) == "ready_to_pack"
    with site.app.app_context():
        types = [
            e.event_type
            for e in db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))
            if e.payload.get("order_id") == order_id
        ]
        reasons = [
            m.reason
            for m in db.session.scalars(
                select(Movement).where(Movement.product_id == product.id).order_by(Movement.id)
            )
        ]
    assert types.count("order.unit_cross_docked") == 2
    assert "backorder.filled" in types and types[-1] == "order.ready_to_pack"
    assert reasons == ["receive", "cross_dock", "receive", "cross_dock"]


def test_units_go_to_expedited_lines_first_then_oldest(site: Site) -> None:
    product = site.make.product()
    channel, _ = site.make.channel()
    old_standard = waiting_order(
        site, product, channel=channel, placed_at=utcnow() - timedelta(days=3)
    )
    new_expedited = waiting_order(site, product, channel=channel, priority=Priority.EXPEDITED)
    newer_standard = waiting_order(site, product, channel=channel)
    site.make.inbound([(product, 3)], utcnow(), reference="ASN-PRIO")
    site.start("ASN-PRIO")
    served = []
    for _ in range(3):
        page = site.text(site.scan(product.barcodes[0].code))
        served.append(
            next(
                n
                for n in (old_standard, new_expedited, newer_standard)
                if f"order {order_number(n)}" in page
            )
        )
    assert served == [new_expedited, old_standard, newer_standard]


def test_a_unit_nobody_waits_for_goes_to_a_bin_that_holds_the_product(site: Site) -> None:
    product = site.make.product()
    site.make.stock(product, site.bins[2], 4)
    site.make.inbound([(product, 2)], utcnow(), reference="ASN-SHELF")
    site.start("ASN-SHELF")
    page = site.text(site.scan(product.barcodes[0].code))
    assert 'data-destination="putaway"' in page
    assert f"BIN {site.bins[2].code}" in page and "(holds 4)" in page
    site.scan(site.bins[2].code)
    assert on_hand(site, product, site.bins[2]) == 5


def test_a_new_product_goes_to_the_first_free_bin_in_walking_order(site: Site) -> None:
    other = site.make.product()
    site.make.stock(other, site.bins[0], 3)
    product = site.make.product()
    site.make.inbound([(product, 1)], utcnow(), reference="ASN-FREE")
    site.start("ASN-FREE")
    page = site.text(site.scan(product.barcodes[0].code))
    assert f"BIN {site.bins[1].code}" in page and "(holds 0)" in page


def test_damaged_command_sends_the_next_unit_to_quarantine(site: Site) -> None:
    product = site.make.product()
    waiting_order(site, product)
    site.make.inbound([(product, 2)], utcnow(), reference="ASN-DMG")
    site.start("ASN-DMG")
    flagged = site.scan("CMD-DAMAGED")
    assert "next unit is damaged" in site.text(flagged)
    page = site.text(site.scan(product.barcodes[0].code))
    assert 'data-destination="quarantine"' in page and "Damaged" in page
    with site.app.app_context():
        counters = db.session.get(ProductStock, product.id)
        # on the dock, but promised to nobody: the waiting order still waits
        assert counters.qty_sellable - counters.qty_reserved == 0
        assert counters.qty_waiting == 1
    site.scan("QUAR-1")
    assert on_hand(site, product, site.cage) == 1
    # the flag was for one unit only: the next one serves the waiting order
    assert 'data-destination="cross_dock"' in site.text(site.scan(product.barcodes[0].code))


def test_more_than_the_asn_expected_goes_to_quarantine(site: Site) -> None:
    product = site.make.product()
    site.make.inbound([(product, 1)], utcnow(), reference="ASN-OVER")
    site.start("ASN-OVER")
    assert 'data-destination="putaway"' in site.text(site.scan(product.barcodes[0].code))
    over = site.text(site.scan(product.barcodes[0].code))
    assert 'data-destination="quarantine"' in over
    assert "More than ASN-OVER expected" in over


def test_an_unknown_barcode_goes_to_quarantine_and_changes_no_stock(site: Site) -> None:
    site.make.inbound([(site.make.product(), 1)], utcnow(), reference="ASN-UNK")
    site.start("ASN-UNK")
    with site.app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(Movement))
    response = site.scan("9999999999994")
    page = site.text(response)
    assert "No product has the barcode 9999999999994" in page
    assert response.headers["X-Scan-Tone"] == "error"
    assert 'data-destination="quarantine"' in page
    with site.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Movement)) == before


def test_a_typed_quantity_counts_several_units(site: Site) -> None:
    product = site.make.product()
    site.make.inbound([(product, 10)], utcnow(), reference="ASN-QTY")
    site.start("ASN-QTY")
    assert "next scan counts 6 units" in site.text(site.scan("6"))
    page = site.text(site.scan(product.barcodes[0].code))
    assert "6 units" in page
    site.scan(site.bins[0].code)
    assert on_hand(site, product, site.bins[0]) == 6


def test_case_barcodes_and_gs1_counts_are_honoured(site: Site) -> None:
    product = site.make.product(ean="4006381333931")
    site.make.barcode(product, "CASE-12-X", units=12)
    site.make.inbound([(product, 30)], utcnow(), reference="ASN-CASE")
    site.start("ASN-CASE")
    assert "12 units" in site.text(site.scan("CASE-12-X"))
    assert "6 units" in site.text(site.scan("0104006381333931\x1d376"))
    with site.app.app_context():
        from wms.receiving.queries import tally

        line = tally(
            db.session.scalar(
                select(db.text("id"))
                .select_from(db.text("inbounds"))
                .where(db.text("reference = 'ASN-CASE'"))
            )
        )[0]
    assert line.received == 18


def test_the_same_scan_sent_twice_is_one_unit(site: Site) -> None:
    product = site.make.product()
    site.make.inbound([(product, 5)], utcnow(), reference="ASN-RETRY")
    site.start("ASN-RETRY")
    first = site.scan(product.barcodes[0].code, scan_id="retry-1")
    again = site.scan(product.barcodes[0].code, scan_id="retry-1")
    assert again.headers.get("X-Scan-Replayed") == "1"
    assert site.text(first) == site.text(again)
    with site.app.app_context():
        assert db.session.get(ProductStock, product.id).qty_sellable == 1


def test_undo_takes_back_the_last_scan_and_the_order_waits_again(site: Site) -> None:
    product = site.make.product()
    order_id = waiting_order(site, product)
    site.make.inbound([(product, 2)], utcnow(), reference="ASN-UNDO")
    site.start("ASN-UNDO")
    site.scan(product.barcodes[0].code)
    undone = site.scan("CMD-UNDO")
    # the receiver hears which product came back, not the barcode they scanned
    said = site.text(undone)
    assert f"Undone: 1 unit of {product.sku} ({product.name})." in said
    assert product.barcodes[0].code not in said
    assert order_status(site, order_id) == "waiting"
    with site.app.app_context():
        counters = db.session.get(ProductStock, product.id)
        assert (counters.qty_sellable, counters.qty_reserved, counters.qty_waiting) == (0, 0, 1)
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert line.qty_waiting == 1
    assert "Nothing on the dock to undo." in site.text(site.scan("CMD-UNDO"))
    verify = site.app.test_cli_runner().invoke(args=["verify-ledger"])
    assert verify.exit_code == 0, verify.output


def test_a_preorder_unit_goes_to_the_hold_lane_before_release(site: Site) -> None:
    release = (utcnow() + timedelta(days=9)).date()
    product = site.make.product(release_on=release, preorder_cap=10)
    order_id = waiting_order(site, product)
    site.make.inbound([(product, 1)], utcnow(), reference="ASN-PRE")
    site.start("ASN-PRE")
    page = site.text(site.scan(product.barcodes[0].code))
    assert 'data-destination="hold"' in page and "HOLD H1" in page
    site.scan("H1")
    assert order_status(site, order_id) == "held"


def test_a_full_lane_sends_the_next_order_to_the_next_lane(site: Site) -> None:
    product = site.make.product()
    orders = [waiting_order(site, product) for _ in range(3)]
    site.make.inbound([(product, 3)], utcnow(), reference="ASN-LANES")
    site.start("ASN-LANES")
    lanes = []
    for _ in orders:
        lanes.extend(site.where(site.scan(product.barcodes[0].code)))
    assert lanes == ["LANE L1", "LANE L1", "LANE L2"]  # capacity 2 orders per lane


def test_a_lane_made_while_receiving_is_used_in_walking_order(site: Site) -> None:
    product = site.make.product()
    orders = [waiting_order(site, product) for _ in range(3)]
    site.make.inbound([(product, 3)], utcnow(), reference="ASN-NEW-LANE")
    site.start("ASN-NEW-LANE")
    assert site.where(site.scan(product.barcodes[0].code)) == ["LANE L1"]
    site.make.location(LocationKind.STAGING_LANE, code="L0", walk_seq=50, capacity=1)
    second = site.scan(product.barcodes[0].code)
    assert site.where(second) == ["LANE L0"]
    assert f"order {order_number(orders[1])}" in site.text(second)
    # L0 holds one order; L1 still has room for a second.
    assert site.where(site.scan(product.barcodes[0].code)) == ["LANE L1"]


def test_a_case_serves_waiting_lines_beyond_one_batch_and_shelves_the_rest(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wms.receiving.services import routing

    monkeypatch.setattr(routing, "WAITING_BATCH", 2)  # the queue is read two lines at a time
    product = site.make.product()
    orders = [waiting_order(site, product) for _ in range(5)]
    site.make.barcode(product, "CASE-7-BATCH", units=7)
    site.make.inbound([(product, 7)], utcnow(), reference="ASN-BATCH")
    site.start("ASN-BATCH")
    response = site.scan("CASE-7-BATCH")
    answer = site.text(response)
    for order in orders:
        assert f"order {order_number(order)} · 1 of 1 units" in answer
    assert site.where(response) == ["LANE L1"] * 2 + ["LANE L2"] * 2 + ["LANE L3", "BIN A-01-1"]
    assert "Put away · 2 units" in answer
    with site.app.app_context():
        lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id.in_(orders))).all()
        assert [(ln.qty_reserved, ln.qty_waiting) for ln in lines] == [(1, 0)] * 5
        assert db.session.get(ProductStock, product.id).qty_reserved == 5


def test_closing_reports_short_over_and_damaged(site: Site) -> None:
    a = site.make.product(sku="SKU-CLOSE-A")
    b = site.make.product(sku="SKU-CLOSE-B")
    site.make.inbound([(a, 3), (b, 2)], utcnow(), reference="ASN-CLOSE")
    site.start("ASN-CLOSE")
    site.scan(a.barcodes[0].code)
    site.scan("CMD-DAMAGED")
    site.scan(b.barcodes[0].code)
    site.scan(b.barcodes[0].code)
    site.scan(b.barcodes[0].code)  # one over
    # DONE asks first; only DONE scanned again closes.
    asked = site.text(site.scan("CMD-DONE"))
    assert "Close ASN-CLOSE?" in asked and "Scan DONE again to close it" in asked
    closed = site.scan("CMD-DONE")
    assert closed.status_code == 204 and closed.headers["HX-Redirect"] == "/receive/"
    start = site.text(site.client.get("/receive/"))
    assert "ASN-CLOSE closed: 2 short, 1 over, 1 damaged." in start
    with site.app.app_context():
        from wms.core.models import Inbound
        from wms.receiving.queries import tally

        inbound = db.session.scalar(select(Inbound).where(Inbound.reference == "ASN-CLOSE"))
        assert inbound.status == "closed" and inbound.closed_at is not None
        lines = {
            t.sku: (t.expected, t.received, t.short, t.over, t.damaged) for t in tally(inbound.id)
        }
    assert lines == {"SKU-CLOSE-A": (3, 1, 2, 0, 0), "SKU-CLOSE-B": (2, 3, 0, 1, 1)}
    # the receiver is back at the start: the closed inbound takes no more units
    assert site.client.get("/receive/").status_code == 200


def test_a_unit_scanned_after_another_receiver_closed_the_inbound_changes_nothing(
    site: Site,
) -> None:
    product = site.make.product()
    site.make.inbound([(product, 3)], utcnow(), reference="ASN-CLOSED-UNDER")
    site.start("ASN-CLOSED-UNDER")
    site.scan(product.barcodes[0].code)
    other = site.make.user(role="operator")
    closer = site.app.test_client()
    closer.post("/login", data={"username": other.username, "password": "secret-pass"})
    closer.post("/receive/start", data={"code": "ASN-CLOSED-UNDER"}, headers=HX)
    for _ in range(2):
        closer.post("/receive/scan", data={"code": "CMD-DONE"}, headers=HX)
    refused = site.scan(product.barcodes[0].code)
    assert refused.status_code == 422
    assert "Scan the ASN or PO number first." in site.text(refused)
    with site.app.app_context():
        from wms.core.models import Inbound, InboundLine

        inbound = db.session.scalar(select(Inbound).where(Inbound.reference == "ASN-CLOSED-UNDER"))
        assert inbound.status == "closed"
        received = db.session.scalar(
            select(InboundLine.qty_received).where(InboundLine.inbound_id == inbound.id)
        )
    assert received == 1


def test_putting_away_a_unit_left_on_the_dock(site: Site) -> None:
    product = site.make.product()
    site.make.stock(product, site.bins[3], 2)
    site.make.inbound([(product, 1)], utcnow(), reference="ASN-PUT")
    site.start("ASN-PUT")
    site.scan(product.barcodes[0].code)  # left on the dock, not confirmed
    hx = {"HX-Request": "true"}
    task = site.client.post(
        "/receive/putaway", data={"code": product.sku, "scan_id": "p1"}, headers=hx
    )
    assert f"BIN {site.bins[3].code}" in site.text(task) and "(holds 2)" in site.text(task)
    wrong = site.client.post(
        "/receive/putaway", data={"code": site.bins[0].code, "scan_id": "p2"}, headers=hx
    )
    assert f"That is {site.bins[0].code} — take it to BIN {site.bins[3].code}." in site.text(wrong)
    override = site.client.post(
        "/receive/putaway/override",
        data={"location": site.bins[0].code, "reason": "Bin full"},
        headers=hx,
    )
    assert override.status_code == 200
    assert on_hand(site, product, site.bins[0]) == 1
    with site.app.app_context():
        from wms.receiving.models import DockUnit

        unit = db.session.scalar(select(DockUnit).where(DockUnit.product_id == product.id))
        assert unit.status == "confirmed" and unit.override_reason == "Bin full"


def test_a_cancelled_preorder_leaves_its_hold_lane_and_the_units_go_back_to_a_shelf(
    site: Site,
) -> None:
    release = (utcnow() + timedelta(days=9)).date()
    product = site.make.product(release_on=release, preorder_cap=10)
    order_id = waiting_order(site, product)
    site.make.inbound([(product, 1)], utcnow(), reference="ASN-CANCEL")
    site.start("ASN-CANCEL")
    site.scan(product.barcodes[0].code)
    site.scan("H1")
    with site.app.app_context():
        from wms.orders.services import cancel_order

        cancel_order(order_id)
        db.session.commit()
    board = site.text(site.client.get("/dock/board", headers={"HX-Request": "true"}))
    assert order_number(order_id) not in board
    hx = {"HX-Request": "true"}
    site.client.post("/receive/putaway", data={"code": "H1", "scan_id": "c1"}, headers=hx)
    task = site.client.post(
        "/receive/putaway", data={"code": product.sku, "scan_id": "c2"}, headers=hx
    )
    assert "BIN A-01-1" in site.text(task)
    site.client.post("/receive/putaway", data={"code": "A-01-1", "scan_id": "c3"}, headers=hx)
    assert on_hand(site, product, site.bins[0]) == 1
    assert on_hand(site, product, site.hold) == 0


def test_the_start_screen_lists_what_is_due_today_and_starts_on_a_tap(site: Site) -> None:
    product = site.make.product()
    today_id = site.make.inbound([(product, 1)], utcnow(), reference="ASN-TODAY")
    site.make.inbound([(product, 1)], utcnow() + timedelta(days=3), reference="ASN-LATER")
    page = site.text(site.client.get("/receive/"))
    assert "ASN-TODAY" in page and "ASN-LATER" not in page
    started = site.client.post(f"/receive/start/{today_id}", headers={"HX-Request": "true"})
    assert started.status_code == 204 and started.headers["HX-Redirect"] == "/receive/scan"
    assert "Receive ASN-TODAY" in site.text(site.client.get("/receive/scan"))


def _stored_and_fresh_projections(site: Site, product) -> tuple[dict, dict]:  # type: ignore[no-untyped-def]
    """Each waiting line's stored projected fill date, and the date a full walk gives now."""
    from wms.core.allocation import WaitingLine, project_fill_dates
    from wms.core.backorders import arrivals_for

    with site.app.app_context():
        rows = db.session.execute(
            select(
                OrderLine.id,
                OrderLine.priority,
                OrderLine.placed_at,
                OrderLine.qty_waiting,
                OrderLine.projected_fill_on,
            ).where(OrderLine.product_id == product.id, OrderLine.qty_waiting > 0)
        ).all()
        fresh = project_fill_dates(
            [WaitingLine(r.id, r.priority, r.placed_at, r.qty_waiting) for r in rows],
            arrivals_for(product.id),
        )
        return {r.id: r.projected_fill_on for r in rows}, fresh


def test_projected_fill_dates_stay_true_as_units_are_received(site: Site) -> None:
    """Today's ASN serves the head of the queue; an ASN arriving early moves everyone up."""
    product = site.make.product()
    now = utcnow()
    channel = site.make.channel(webhook_url="http://127.0.0.1:9/h")[0]
    for i in range(6):
        waiting_order(site, product, qty=1, channel=channel, placed_at=now - timedelta(hours=6 - i))
    today_asn = site.make.inbound([(product, 2)], now - timedelta(hours=1))
    next_week = site.make.inbound([(product, 2)], now + timedelta(days=7))
    later = site.make.inbound([(product, 2)], now + timedelta(days=14))
    with site.app.app_context():
        from wms.core.models import Inbound

        refs = {i: db.session.get(Inbound, i).reference for i in (today_asn, next_week, later)}
    stored, fresh = _stored_and_fresh_projections(site, product)
    assert sorted(d for d in stored.values()) == sorted(d for d in fresh.values())

    assert site.start(refs[today_asn]).status_code == 204
    assert site.where(site.scan(product.barcodes[0].code)) == ["LANE L1"]
    stored, fresh = _stored_and_fresh_projections(site, product)
    assert len(stored) == 5 and stored == fresh

    # The ASN due in two weeks turns up today: the lines it was to fill come forward.
    assert site.start(refs[later]).status_code == 204
    site.scan(product.barcodes[0].code)
    stored, fresh = _stored_and_fresh_projections(site, product)
    assert len(stored) == 4 and stored == fresh
    assert sorted(d for d in stored.values() if d is not None) == [
        local_date(now),
        local_date(now + timedelta(days=7)),
        local_date(now + timedelta(days=7)),
        local_date(now + timedelta(days=14)),
    ]


def test_a_truck_due_after_the_warehouses_midnight_is_not_due_today(site: Site) -> None:
    """At 23:30 in Paris (22:30 UTC), a truck due at 23:30 UTC comes tomorrow, not today.

    Receiving it early serves the head of the queue, so the lines the truck due tonight
    was to fill come forward to today.
    """
    product = site.make.product()
    channel = site.make.channel(webhook_url="http://127.0.0.1:9/h")[0]
    now = utcnow()
    evening = datetime(now.year + 1, 12, 10, 22, 30)
    with travel(evening - now):
        for i in range(4):
            waiting_order(
                site, product, channel=channel, placed_at=evening - timedelta(hours=4 - i)
            )
        tonight = site.make.inbound([(product, 2)], evening - timedelta(minutes=30))
        after_midnight = site.make.inbound([(product, 2)], evening + timedelta(hours=1))
        with site.app.app_context():
            ref = db.session.get(Inbound, after_midnight).reference
        stored, _ = _stored_and_fresh_projections(site, product)
        today, tomorrow = date(evening.year, 12, 10), date(evening.year, 12, 11)
        assert sorted(stored.values()) == [today, today, tomorrow, tomorrow]
        assert tonight

        assert site.start(ref).status_code == 204
        assert site.where(site.scan(product.barcodes[0].code)) == ["LANE L1"]
        stored, fresh = _stored_and_fresh_projections(site, product)
    assert sorted(stored.values()) == [today, today, tomorrow] and stored == fresh


def test_the_running_tally_shows_the_inbound_and_the_lines_just_scanned(site: Site) -> None:
    a, b, c = site.make.product(), site.make.product(), site.make.product()
    inbound = site.make.inbound([(a, 5), (b, 3), (c, 2)], utcnow())
    with site.app.app_context():
        from wms.core.models import Inbound

        reference = db.session.get(Inbound, inbound).reference
    assert site.start(reference).status_code == 204
    site.scan(a.barcodes[0].code)
    site.scan(a.barcodes[0].code)
    page = site.text(site.scan(b.barcodes[0].code))
    assert "3/10 units, 2/3 lines" in page
    rows = re.findall(r'<li data-sku="([^"]+)">.*?<span class="qty">([^<]+)</span>', page)
    assert rows == [(b.sku, "1/3"), (a.sku, "2/5")]  # the last scanned first


def test_with_every_lane_full_the_unit_is_reserved_for_the_order_on_a_shelf(site: Site) -> None:
    product = site.make.product()
    channel = site.make.channel(webhook_url="http://127.0.0.1:9/h")[0]
    orders = [waiting_order(site, product, channel=channel) for _ in range(7)]
    site.make.inbound([(product, 7)], utcnow(), reference="ASN-FULL")
    site.start("ASN-FULL")
    for _ in range(6):  # three lanes of two orders each
        assert site.where(site.scan(product.barcodes[0].code))[0].startswith("LANE")
    last = site.scan(product.barcodes[0].code)
    assert site.where(last) == [site.bins[0].code.join(["BIN ", ""])]
    assert "Every staging lane is full" in site.text(last)
    assert f"order {order_number(orders[6])} · 0 of 1 units" in site.text(last)
    assert order_status(site, orders[6]) == "ready_to_pick"
    with site.app.app_context():
        filled = [
            e.payload
            for e in db.session.scalars(
                select(OutboxEvent).where(OutboxEvent.event_type == "backorder.filled")
            )
            if e.payload["order_id"] == orders[6]
        ]
    assert [(f["qty_filled"], f["qty_still_waiting"]) for f in filled] == [(1, 0)]


def test_after_a_confirmation_the_screen_names_what_is_still_on_the_dock(site: Site) -> None:
    waited, shelved = site.make.product(), site.make.product()
    waiting_order(site, waited)
    site.make.inbound([(waited, 1), (shelved, 2)], utcnow(), reference="ASN-TWO")
    site.start("ASN-TWO")
    assert site.where(site.scan(waited.barcodes[0].code)) == ["LANE L1"]
    bin_ = site.where(site.scan(shelved.barcodes[0].code))[0]
    page = site.text(site.scan("L1"))
    assert "1 unit now at L1." in page
    assert f"Next: {bin_}" in page
    assert "On the dock (1)" in page and shelved.sku in page
    page = site.text(site.scan(bin_.removeprefix("BIN ")))
    assert "On the dock (0)" in page and "Nothing waiting." in page


def test_a_number_two_channels_both_announced_asks_the_receiver_to_choose(site: Site) -> None:
    """Channels' references are their own: the dock may meet the same ASN number twice."""
    product = site.make.product()
    first, _ = site.make.channel()
    second, _ = site.make.channel()
    ids = [
        site.make.inbound([(product, 1)], utcnow(), reference="ASN-SHARED", channel_id=c.id)
        for c in (first, second)
    ]
    refused = site.start("ASN-SHARED")
    assert refused.status_code == 409
    assert "2 open inbounds are numbered ASN-SHARED: choose yours from the list." in site.text(
        refused
    )
    page = site.text(site.client.get("/receive/"))
    assert page.count("ASN-SHARED") >= 2
    started = site.client.post(f"/receive/start/{ids[1]}", headers={"HX-Request": "true"})
    assert started.status_code == 204


def test_the_tally_sums_the_whole_inbound_and_lists_the_receivers_last_lines(
    site: Site,
) -> None:
    """The tally beside each answer: units and lines of the whole inbound (another
    receiver's scans too), and the lines this receiver scanned last, newest first."""
    a, b, c = (site.make.product(sku=f"TALLY-{x}") for x in "ABC")
    site.make.inbound([(a, 5), (b, 3), (c, 2)], utcnow(), reference="ASN-TALLY")
    other = site.make.user(role="operator")
    colleague = site.app.test_client()
    colleague.post("/login", data={"username": other.username, "password": "secret-pass"})
    assert (
        colleague.post("/receive/start", data={"code": "ASN-TALLY"}, headers=HX).status_code == 204
    )
    assert site.start("ASN-TALLY").status_code == 204

    def title_and_skus(response: Any) -> tuple[str, list[str]]:
        tally = site.text(response).split("Received / expected", 1)[1]
        title = "Received / expected" + tally.split("</h2>", 1)[0]
        return " ".join(title.split()), re.findall(r"data-sku=\"(TALLY-[ABC])\"", tally)

    first = site.scan(a.barcodes[0].code)
    assert title_and_skus(first) == ("Received / expected · 1/10 units, 1/3 lines", ["TALLY-A"])
    colleague.post(
        "/receive/scan", data={"code": c.barcodes[0].code, "scan_id": "col-1"}, headers=HX
    )
    site.scan("A-01-1")  # the first unit put away: the tally stays as it was
    site.scan(a.barcodes[0].code)
    last = site.scan(b.barcodes[0].code)
    assert title_and_skus(last) == (
        "Received / expected · 4/10 units, 3/3 lines",
        ["TALLY-B", "TALLY-A"],
    )


def test_the_receivers_list_ends_at_the_warehouses_midnight(site: Site) -> None:
    """At 02:00 in Paris, a truck due at 23:30 UTC is due at 00:30 tomorrow: not on today's list."""
    product = site.make.product()
    now = utcnow()
    day = date(now.year + 1, 12, 11)
    site.make.inbound([(product, 2)], datetime(day.year, 12, 11, 22, 30), reference="ASN-LATE")
    site.make.inbound([(product, 2)], datetime(day.year, 12, 11, 23, 30), reference="ASN-NEXT")
    with travel(datetime(day.year, 12, 11, 1, 0) - now):
        start = site.text(site.client.get("/receive/"))
    assert "ASN-LATE" in start  # 23:30 in Paris, still today
    assert "ASN-NEXT" not in start
