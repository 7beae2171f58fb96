"""Cycle counts as a counter and a supervisor do them: blind, tolerant, and true to reservations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.factories import Factories, unique
from wms.core.ledger import ledger_differences, sellable_differences
from wms.core.models import OrderLine
from wms.extensions import db
from wms.inventory.models import Location, Movement, ProductStock, Stock
from wms.stockcontrol.models import Adjustment, CountTask

HX = {"HX-Request": "true"}


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def signed_in(app: Flask, make: Factories, role: str) -> FlaskClient:
    user = make.user(role=role)
    client = app.test_client()
    assert (
        client.post(
            "/login", data={"username": user.username, "password": "secret-pass"}
        ).status_code
        == 302
    )
    return client


class Counter:
    """A handheld on the count screen: each scan is a POST, as the scan field sends it."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.answers: list[str] = []

    def scan(self, code: str, status: int = 200) -> str:
        response = self.client.post(
            "/stock/count/scan", data={"code": code, "scan_id": unique("s")}, headers=HX
        )
        answer = text(response)
        assert response.status_code == status, answer
        self.answers.append(answer)
        return answer


def on_hand(app: Flask, product_id: int, location_id: int) -> int:
    with app.app_context():
        return int(
            db.session.scalar(
                select(Stock.qty_on_hand).where(
                    Stock.product_id == product_id, Stock.location_id == location_id
                )
            )
            or 0
        )


def count_moves(app: Flask, product_id: int) -> list[tuple[int, int | None, int | None]]:
    with app.app_context():
        return [
            (m.qty, m.from_location_id, m.to_location_id)
            for m in db.session.scalars(
                select(Movement)
                .where(Movement.product_id == product_id, Movement.reason == "count")
                .order_by(Movement.id)
            )
        ]


def task_status(app: Flask, task_id: int) -> str:
    with app.app_context():
        return db.session.get(CountTask, task_id).status


def test_the_counter_never_sees_what_the_system_expects(app: Flask, make: Factories) -> None:
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 37)
    make.count_task(bin_, tolerance_units=50)
    counter = Counter(signed_in(app, make, "operator"))
    assert bin_.code in text(counter.client.get("/stock/count"))
    counter.scan(bin_.code)
    counter.scan(product.barcodes[0].code)
    counter.scan("29")
    done = counter.scan("CMD-DONE")
    assert f"{bin_.code} counted: 1 product, 29 units." in done
    assert not any(re.search(r"\b37\b", answer) for answer in counter.answers)


def test_a_difference_within_tolerance_is_adjusted_at_once_with_reason_count(
    app: Flask, make: Factories
) -> None:
    product, bin_ = make.product(unit_cost_cents=250), make.location()
    make.stock(product, bin_, 20)
    task_id = make.count_task(bin_, tolerance_units=1, tolerance_pct=5)
    counter = Counter(signed_in(app, make, "operator"))
    counter.scan(bin_.code)
    counter.scan(product.sku)
    counter.scan("19")
    assert "A supervisor will check it" not in counter.scan("CMD-DONE")
    assert task_status(app, task_id) == "done"
    assert on_hand(app, product.id, bin_.id) == 19
    assert count_moves(app, product.id) == [(1, bin_.id, None)]
    with app.app_context():
        adjustment = db.session.scalar(
            select(Adjustment).where(Adjustment.count_task_id == task_id)
        )
        assert (
            adjustment.kind,
            adjustment.qty_change,
            adjustment.qty * adjustment.unit_cost_cents,
        ) == ("count", -1, 250)


def test_a_larger_difference_waits_for_a_supervisor_who_approves_it(
    app: Flask, make: Factories
) -> None:
    product, bin_ = make.product(unit_cost_cents=1000), make.location()
    make.stock(product, bin_, 20)
    task_id = make.count_task(bin_, tolerance_units=1, tolerance_pct=5)
    counter = Counter(signed_in(app, make, "operator"))
    counter.scan(bin_.code)
    counter.scan(product.barcodes[0].code)
    counter.scan("12")
    assert "A supervisor will check it." in counter.scan("CMD-DONE")
    assert task_status(app, task_id) == "review"
    assert on_hand(app, product.id, bin_.id) == 20  # nothing adjusted yet
    supervisor = signed_in(app, make, "supervisor")
    assert f"CC-{task_id}" in text(supervisor.get("/stock/counts?tab=review"))
    page = text(supervisor.get(f"/stock/counts/{task_id}"))
    expected_counted_diff_value = (
        r'<td class="num">20</td> <td class="num">12</td> '
        r'<td class="num diff-loss" data-diff>-8</td> <td class="num">-80.00</td>'
    )
    assert re.search(expected_counted_diff_value, page)
    response = supervisor.post(f"/stock/counts/{task_id}/approve")
    assert response.status_code == 302
    assert "Approved: 1 difference adjusted in stock." in text(
        supervisor.get(response.headers["Location"])
    )
    assert on_hand(app, product.id, bin_.id) == 12
    assert count_moves(app, product.id) == [(8, bin_.id, None)]
    assert task_status(app, task_id) == "done"


def test_a_recount_adjusts_nothing_and_gives_the_bin_a_new_blind_task(
    app: Flask, make: Factories
) -> None:
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 10)
    task_id = make.count_task(bin_)
    counter = Counter(signed_in(app, make, "operator"))
    for code in (bin_.code, product.sku, "4", "CMD-DONE"):
        counter.scan(code)
    supervisor = signed_in(app, make, "supervisor")
    response = supervisor.post(f"/stock/counts/{task_id}/recount")
    assert response.status_code == 302
    assert task_status(app, task_id) == "recounted"
    assert on_hand(app, product.id, bin_.id) == 10
    for code in (bin_.code, product.sku, "10"):
        counter.scan(code)
    assert "A supervisor" not in counter.scan("CMD-DONE")
    assert count_moves(app, product.id) == []


def test_a_counted_loss_sends_the_newest_reserved_units_back_to_the_queue(
    app: Flask, make: Factories
) -> None:
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 5)
    channel, _ = make.channel()
    now = datetime(2025, 6, 1, 9)
    older = make.order(channel, [(product, 3)], placed_at=now)
    newer = make.order(channel, [(product, 2)], placed_at=now + timedelta(hours=1))
    task_id = make.count_task(bin_)
    counter = Counter(signed_in(app, make, "operator"))
    for code in (bin_.code, product.sku, "3", "CMD-DONE"):
        counter.scan(code)
    supervisor = signed_in(app, make, "supervisor")
    assert supervisor.post(f"/stock/counts/{task_id}/approve").status_code == 302
    with app.app_context():
        lines = {
            line.order_id: (line.qty_reserved, line.qty_waiting)
            for line in db.session.scalars(
                select(OrderLine).where(OrderLine.product_id == product.id)
            )
        }
        assert lines == {older: (3, 0), newer: (0, 2)}
        counters = db.session.get(ProductStock, product.id)
        assert (counters.qty_sellable, counters.qty_reserved, counters.qty_waiting) == (3, 3, 2)
        assert (
            db.session.scalar(
                select(Adjustment.qty_requeued).where(Adjustment.count_task_id == task_id)
            )
            == 2
        )
        assert not [d for d in ledger_differences() if d.sku == product.sku]
        assert not [d for d in sellable_differences() if d[0] == product.sku]


def test_units_found_in_a_count_go_to_the_waiting_orders(app: Flask, make: Factories) -> None:
    product, bin_ = make.product(), make.location()
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 3)])  # no stock: it waits
    make.count_task(bin_, tolerance_units=5)
    counter = Counter(signed_in(app, make, "operator"))
    for code in (bin_.code, product.sku, "4", "CMD-DONE"):
        counter.scan(code)
    assert on_hand(app, product.id, bin_.id) == 4
    assert count_moves(app, product.id) == [(4, None, bin_.id)]
    with app.app_context():
        line = db.session.scalar(select(OrderLine).where(OrderLine.order_id == order_id))
        assert (line.qty_reserved, line.qty_waiting) == (3, 0)


def test_counting_by_scanning_every_unit_with_a_case_and_an_undo(
    app: Flask, make: Factories
) -> None:
    product, bin_ = make.product(), make.location()
    case = unique("CASE-")
    make.barcode(product, case, units=12)
    make.stock(product, bin_, 14)
    task_id = make.count_task(bin_)
    counter = Counter(signed_in(app, make, "operator"))
    counter.scan(bin_.code)
    ean = product.barcodes[0].code
    counter.scan(ean)
    assert f"{product.sku}: 2 counted" in counter.scan(ean)
    assert f"{product.sku}: 14 counted (a case of 12)" in counter.scan(case)
    assert f"Undone: {product.sku} back to 2." in counter.scan("CMD-UNDO")
    assert f"{product.sku}: 14 counted in all." in counter.scan("14")
    counter.scan("CMD-DONE")
    assert task_status(app, task_id) == "done"
    assert count_moves(app, product.id) == []


def test_plain_sentences_for_scans_out_of_turn(app: Flask, make: Factories) -> None:
    product, bin_, other = make.product(), make.location(), make.location()
    make.count_task(bin_)
    counter = Counter(signed_in(app, make, "operator"))
    assert "Scan the bin first, then the items in it." in counter.scan(product.sku, 422)
    assert f"{other.code} has no count task. Ask a supervisor to create one." in counter.scan(
        other.code, 409
    )
    assert "Scan a bin first" in counter.scan("CMD-DONE", 422)
    counter.scan(bin_.code)
    assert "Scan an item first, then type how many there are." in counter.scan("7", 422)
    assert "No product has the code NOPE-1." in counter.scan("NOPE-1", 404)
    assert f"You are counting {bin_.code}. Scan DONE to finish it" in counter.scan(other.code, 409)
    second = Counter(signed_in(app, make, "operator"))
    assert f"Someone else is counting {bin_.code}." in second.scan(bin_.code, 409)
    assert "left for later" in counter.scan("CMD-SKIP")
    assert "Counting" in second.scan(bin_.code)


def test_a_retried_scan_is_counted_once(app: Flask, make: Factories) -> None:
    product, bin_ = make.product(), make.location()
    make.count_task(bin_)
    counter = Counter(signed_in(app, make, "operator"))
    counter.scan(bin_.code)
    data = {"code": product.sku, "scan_id": unique("retry")}
    first = counter.client.post("/stock/count/scan", data=data, headers=HX)
    again = counter.client.post("/stock/count/scan", data=data, headers=HX)
    assert again.headers.get("X-Scan-Replayed") == "1"
    assert text(first) == text(again)
    assert f"{product.sku}: 2 counted" in counter.scan(product.sku)


def test_flagged_bins_become_tasks_and_a_finished_count_clears_the_flag(
    app: Flask, make: Factories
) -> None:
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 6)
    with app.app_context():
        db.session.execute(
            update(Location)
            .where(Location.id == bin_.id)
            .values(count_requested_at=datetime(2025, 1, 1))
        )
        db.session.commit()
    supervisor = signed_in(app, make, "supervisor")
    response = supervisor.post(
        "/stock/counts", data={"source": "flagged", "tolerance_units": "0", "tolerance_pct": "0"}
    )
    assert response.status_code == 302
    assert bin_.code in text(supervisor.get("/stock/counts?tab=open"))
    counter = Counter(signed_in(app, make, "operator"))
    for code in (bin_.code, product.sku, "6", "CMD-DONE"):
        counter.scan(code)
    with app.app_context():
        assert db.session.get(Location, bin_.id).count_requested_at is None
    again = supervisor.post(
        "/stock/counts", data={"source": "flagged", "tolerance_units": "0", "tolerance_pct": "0"}
    )
    assert bin_.code not in text(supervisor.get(again.headers["Location"]))


def test_tasks_by_zone_by_hand_and_for_products_not_counted_lately(
    app: Flask, make: Factories
) -> None:
    zone = unique("Z")[:12]
    a, b = make.location(zone=zone), make.location(zone=zone)
    supervisor = signed_in(app, make, "supervisor")
    form = {"tolerance_units": "1", "tolerance_pct": "5"}
    response = supervisor.post("/stock/counts", data={**form, "source": "zone", "zone": zone})
    assert "2 count tasks created." in text(supervisor.get(response.headers["Location"]))
    response = supervisor.post(
        "/stock/counts", data={**form, "source": "manual", "codes": f"{a.code}, NOPE-9"}
    )
    page = text(supervisor.get(response.headers["Location"]))
    assert "0 count tasks created. Skipped: " in page
    assert f"{a.code} (already has a count open)" in page and "NOPE-9 (no such location)" in page
    product, stale = make.product(), make.location()
    make.stock(product, stale, 2)
    response = supervisor.post("/stock/counts", data={**form, "source": "stale", "days": "30"})
    assert response.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(select(CountTask.source).where(CountTask.location_id == stale.id))
            == "stale"
        )
        assert (
            db.session.scalar(select(CountTask.location_id).where(CountTask.location_id == b.id))
            == b.id
        )


def test_operators_count_but_do_not_manage_counts(app: Flask, make: Factories) -> None:
    operator = signed_in(app, make, "operator")
    assert operator.get("/stock/count").status_code == 200
    assert operator.get("/stock/counts").status_code == 403
    assert operator.post("/stock/adjust", data={}).status_code == 403
