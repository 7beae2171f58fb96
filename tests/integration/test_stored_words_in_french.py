"""Facts kept in the database are worded when shown, in the reader's language: a French
supervisor reads the ledger's reasons, a count's adjustment and the dock-to-ship times in
French, and an English reader still reads English."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.factories import Factories, unique
from wms.base.clock import utcnow
from wms.core.ledger import Reason, move_stock
from wms.core.models import LaneAssignment, Order, OrderStatus
from wms.extensions import db
from wms.inventory.models import Location, LocationKind
from wms.stockcontrol.models import Adjustment, AdjustmentKind

HX = {"HX-Request": "true"}


def signed_in(
    app: Flask, make: Factories, role: str = "admin", language: str = "fr"
) -> FlaskClient:
    user = make.user(role=role, language=language)
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert response.status_code == 302
    return client


def page(response: Any) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("\u202f", " ")


# ------------------------------------------------------------ ledger reasons


def test_a_french_supervisor_reads_every_ledger_reason_in_french(
    app: Flask, make: Factories
) -> None:
    product = make.product()
    bin_ = make.location()
    make.stock(product, bin_, 5)
    with app.app_context():
        b = db.session.get(Location, bin_.id)
        # Set aside at a pick: a reason the dashboard's list did not word.
        move_stock(product.id, 1, b, None, Reason.MISSING, "W-1", None)
        db.session.commit()
    french = page(signed_in(app, make).get(f"/dashboard/lists/ledger?sku={product.sku}"))
    assert "manquant à la préparation" in french
    assert "missing" not in french.replace('value="missing"', "")
    english = page(
        signed_in(app, make, language="en").get(f"/dashboard/lists/ledger?sku={product.sku}")
    )
    assert "missing at a pick" in english


# -------------------------------------------------------- count adjustments


def counted(app: Flask, make: Factories) -> tuple[int, str]:
    """A bin counted one short, settled at once (within tolerance); its task id and SKU."""
    product, bin_ = make.product(unit_cost_cents=100), make.location()
    make.stock(product, bin_, 20)
    task_id = make.count_task(bin_, tolerance_units=1)
    counter = signed_in(app, make, role="operator", language="en")
    for code in (bin_.code, product.sku, "19", "CMD-DONE"):
        answer = counter.post(
            "/stock/count/scan", data={"code": code, "scan_id": unique("s")}, headers=HX
        )
        assert answer.status_code == 200, page(answer)
    return task_id, product.sku


def adjustment_row(html: str, sku: str) -> str:
    row = next((r for r in html.split("<tr>") if f'class="code">{sku}<' in r), "")
    assert row, f"no adjustment row for {sku}"
    return row


def test_a_count_adjustment_reads_cycle_count_in_the_readers_language(
    app: Flask, make: Factories
) -> None:
    task_id, sku = counted(app, make)
    french = adjustment_row(page(signed_in(app, make).get("/stock/adjust")), sku)
    assert f"Comptage tournant CC-{task_id}" in french and "Cycle count" not in french
    english = adjustment_row(page(signed_in(app, make, language="en").get("/stock/adjust")), sku)
    assert f"Cycle count CC-{task_id}" in english


def test_a_count_adjustment_kept_before_its_reason_was_worded_reads_in_french(
    app: Flask, make: Factories
) -> None:
    task_id, sku = counted(app, make)
    with app.app_context():
        db.session.execute(
            update(Adjustment)
            .where(Adjustment.count_task_id == task_id)
            .values(reason=f"Cycle count CC-{task_id}")
        )
        db.session.commit()
    french = adjustment_row(page(signed_in(app, make).get("/stock/adjust")), sku)
    assert f"Comptage tournant CC-{task_id}" in french and "Cycle count" not in french


def test_a_persons_own_adjustment_reason_is_shown_as_typed(app: Flask, make: Factories) -> None:
    product, bin_ = make.product(), make.location()
    make.stock(product, bin_, 5)
    client = signed_in(app, make)
    answer = client.post(
        "/stock/adjust",
        data={
            "kind": AdjustmentKind.LOST,
            "location": bin_.code,
            "product": product.sku,
            "qty": "1",
            "reason": "Chariot renversé allée C",
        },
    )
    assert answer.status_code in (200, 302), page(answer)
    assert "Chariot renversé allée C" in adjustment_row(
        page(client.get("/stock/adjust")), product.sku
    )
    with app.app_context():
        kept = db.session.scalar(
            select(Adjustment.reason).where(Adjustment.product_id == product.id)
        )
    assert kept == "Chariot renversé allée C"


# ------------------------------------------------------------- cross-dock


def test_dock_to_ship_hours_read_as_each_language_writes_them(
    fresh_app: Flask,
) -> None:
    make = Factories(fresh_app)
    product = make.product()
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 1)])
    lane = make.location(LocationKind.STAGING_LANE)
    with fresh_app.app_context():
        now = utcnow()
        db.session.add(
            LaneAssignment(
                order_id=order_id,
                lane_id=lane.id,
                position=1,
                first_unit_at=now - timedelta(hours=2, minutes=30),
                released_at=now,
            )
        )
        db.session.execute(
            update(Order)
            .where(Order.id == order_id)
            .values(status=OrderStatus.SHIPPED, shipped_at=now)
        )
        db.session.commit()
    # CLDR's abbreviations, joined to their number by a no-break space.
    french = signed_in(fresh_app, make).get("/dashboard/tile/crossdock").get_data(as_text=True)
    assert "p50 2,5\u202fh · p90 2,5\u202fh" in french
    english = (
        signed_in(fresh_app, make, language="en")
        .get("/dashboard/tile/crossdock")
        .get_data(as_text=True)
    )
    assert "p50 2.5\u00a0hr · p90 2.5\u00a0hr" in english
