"""The supervisor's dashboard: tiles, lists behind them, alerts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from tests.factories import Factories
from wms.base.clock import day_start, today, travel, utcnow
from wms.channels.models import OutboxEvent
from wms.core.ledger import Reason, move_stock
from wms.core.models import Order, OrderLine, Priority
from wms.dashboard.models import Alert
from wms.extensions import db
from wms.inventory.models import Location, LocationKind


@pytest.fixture
def desk(fresh_app: Flask):  # type: ignore[no-untyped-def]
    make = Factories(fresh_app)
    user = make.user(role="admin", username="dash-admin")
    client = fresh_app.test_client()
    client.post("/login", data={"username": user.username, "password": "secret-pass"})
    return fresh_app, client, make, user


def age_lines(app: Flask, order_id: int, days: float) -> None:
    with app.app_context():
        when = utcnow() - timedelta(days=days)
        db.session.execute(
            update(OrderLine).where(OrderLine.order_id == order_id).values(placed_at=when)
        )
        db.session.execute(
            update(Order).where(Order.id == order_id).values(placed_at=when, created_at=when)
        )
        db.session.commit()


def test_backlog_tile_counts_waiting_lines_by_age(desk) -> None:  # type: ignore[no-untyped-def]
    app, client, make, _ = desk
    product = make.product()
    channel, _ = make.channel()
    young = make.order(channel, [(product, 2)])
    old = make.order(channel, [(product, 1)])
    ancient = make.order(channel, [(product, 3)])
    age_lines(app, old, 2)
    age_lines(app, ancient, 10)
    page = client.get("/dashboard/tile/backlog", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert '<span data-figure="waiting-lines">3</span>' in page
    assert '<span data-figure="waiting-units">6</span>' in page
    assert "<svg" in page and "under 1 day: 1</title>" in page and "over 7 days: 3</title>" in page
    assert young


def test_backorder_rate_is_the_share_of_lines_backordered(desk) -> None:  # type: ignore[no-untyped-def]
    _app, client, make, _ = desk
    stocked = make.product()
    make.stock(stocked, make.location(), 10)
    short = make.product()
    channel, _ = make.channel()
    for _ in range(3):
        make.order(channel, [(stocked, 1)])
    make.order(channel, [(short, 1)])
    page = client.get("/dashboard/tile/backlog").get_data(as_text=True)
    assert 'data-figure="backorder-rate">25.0%' in page


def test_throughput_and_crossdock_come_from_todays_ledger(desk) -> None:  # type: ignore[no-untyped-def]
    app, client, make, user = desk
    product = make.product()
    bin_ = make.location(LocationKind.BIN)
    lane = make.location(LocationKind.STAGING_LANE, capacity=4)
    with app.app_context():
        b, ln = db.session.get(Location, bin_.id), db.session.get(Location, lane.id)
        move_stock(product.id, 5, None, b, Reason.RECEIVE, "x", user.id)
        move_stock(product.id, 2, b, ln, Reason.CROSS_DOCK, "x", user.id)
        move_stock(product.id, 3, b, ln, Reason.PUTAWAY, "x", user.id)
        db.session.commit()
    through = client.get("/dashboard/tile/throughput").get_data(as_text=True)
    assert 'data-figure="received">5<' in through
    assert "dash-admin" in through
    cross = client.get("/dashboard/tile/crossdock").get_data(as_text=True)
    assert 'data-figure="cross-docked">2<' in cross and 'data-figure="put-away">3<' in cross


def test_orders_tile_counts_by_status(desk) -> None:  # type: ignore[no-untyped-def]
    _app, client, make, _ = desk
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel()
    make.order(channel, [(product, 1)])
    make.order(channel, [(product, 1)])
    page = client.get("/dashboard/tile/orders").get_data(as_text=True)
    assert 'data-figure="ready_to_pick">2<' in page


def test_exceptions_link_to_their_lists(desk) -> None:  # type: ignore[no-untyped-def]
    _app, client, _make, _ = desk
    page = client.get("/dashboard/tile/exceptions").get_data(as_text=True)
    assert "/dashboard/lists/exceptions" in page and "/desk/outbox?status=failed" in page


def test_backorder_list_shows_place_in_queue_and_exports_csv(desk) -> None:  # type: ignore[no-untyped-def]
    _app, client, make, _ = desk
    product = make.product(sku="SKU-QUEUE")
    channel, _ = make.channel()
    first = make.order(channel, [(product, 1)], priority=Priority.EXPEDITED)
    second = make.order(channel, [(product, 2)])
    page = client.get("/dashboard/lists/backorders?sku=SKU-QUEUE").get_data(as_text=True)
    assert page.index(f"W-{10000 + first}") < page.index(f"W-{10000 + second}")
    response = client.get("/dashboard/lists/backorders.csv?sku=SKU-QUEUE")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["Order"], r["Place in queue"]) for r in rows] == [
        (f"W-{10000 + first}", "1"),
        (f"W-{10000 + second}", "2"),
    ]


def test_ledger_list_is_the_audit_trail(desk) -> None:  # type: ignore[no-untyped-def]
    _app, client, make, _user = desk
    product = make.product(sku="SKU-AUDIT")
    make.stock(product, make.location(code="B-AUDIT"), 4)
    page = client.get("/dashboard/lists/ledger?sku=SKU-AUDIT").get_data(as_text=True)
    assert "B-AUDIT" in page and "opening" in page and "outside" in page
    csv_text = client.get("/dashboard/lists/ledger.csv?sku=SKU-AUDIT").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "When,Who,SKU,Units,From,To,Why,Reference"


def test_alerts_are_raised_once_cleared_when_gone_and_announced(desk) -> None:  # type: ignore[no-untyped-def]
    app, client, make, _ = desk
    product = make.product(sku="SKU-LATE")
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/hook")
    order_id = make.order(channel, [(product, 1)])
    age_lines(app, order_id, 9)
    assert client.post("/dashboard/alerts/check", headers={"HX-Request": "true"}).status_code == 200
    client.post("/dashboard/alerts/check")
    with app.app_context():
        open_alerts = db.session.scalars(select(Alert).where(Alert.kind == "backlog_age")).all()
        assert len(open_alerts) == 1 and open_alerts[0].cleared_at is None
        assert "1 backorder line(s) have waited more than 7 days" in open_alerts[0].message
        events = [e.event_type for e in db.session.scalars(select(OutboxEvent))]
        assert events.count("alert.raised") >= 1
    # the admin raises the threshold: the condition is gone, the alert clears
    form = {
        f"{k}_threshold": v
        for k, v in {
            "low_stock": 3,
            "backlog_age": 30,
            "dock_dwell": 24,
            "preorder_supply": 0,
            "backorder_rate": 100,
        }.items()
    }
    form.update(
        {
            f"{k}_enabled": "on"
            for k in ("low_stock", "backlog_age", "dock_dwell", "preorder_supply", "backorder_rate")
        }
    )
    assert client.post("/dashboard/alerts/thresholds", data=form).status_code == 302
    client.post("/dashboard/alerts/check")
    with app.app_context():
        alert = db.session.scalars(select(Alert).where(Alert.kind == "backlog_age")).one()
        assert alert.cleared_at is not None
        assert "alert.cleared" in [e.event_type for e in db.session.scalars(select(OutboxEvent))]
    history = client.get("/dashboard/alerts").get_data(as_text=True)
    row = next(r for r in history.split("<tr>") if r.startswith("<td>backlog age"))
    assert "open" not in row  # listed with when it started and when it cleared


def test_low_stock_by_days_of_cover(desk) -> None:  # type: ignore[no-untyped-def]
    app, client, make, _ = desk
    product = make.product(sku="SKU-THIN")
    make.stock(product, make.location(), 16)
    channel, _ = make.channel()
    make.order(channel, [(product, 14)])  # 1 a day over 14 days; 2 left = 2 days of cover
    client.post("/dashboard/alerts/check")
    with app.app_context():
        alert = db.session.scalars(select(Alert).where(Alert.kind == "low_stock")).one()
        assert alert.subject == "SKU-THIN" and "2.0 days of cover" in alert.message


def test_bad_thresholds_are_refused(desk) -> None:  # type: ignore[no-untyped-def]
    _, client, _, _ = desk
    response = client.post("/dashboard/alerts/thresholds", data={"low_stock_threshold": "lots"})
    assert response.status_code == 422


def test_operators_cannot_open_the_dashboard(client, login) -> None:  # type: ignore[no-untyped-def]
    login("operator")
    assert client.get("/dashboard/").status_code == 403


def test_the_page_renders_every_tile(desk) -> None:  # type: ignore[no-untyped-def]
    _, client, _, _ = desk
    page = client.get("/dashboard/").get_data(as_text=True)
    for name in (
        "alerts",
        "backlog",
        "orders",
        "crossdock",
        "throughput",
        "exceptions",
        "preorders",
    ):
        assert f'data-tile="{name}"' in page


def test_every_exception_list_opens_and_exports(desk) -> None:  # type: ignore[no-untyped-def]
    _, client, _, _ = desk
    page = client.get("/dashboard/tile/exceptions").get_data(as_text=True)
    for name in ("exceptions", "short_picks", "label_failures", "ledger"):
        assert f"/dashboard/lists/{name}" in page
        assert client.get(f"/dashboard/lists/{name}").status_code == 200
        assert client.get(f"/dashboard/lists/{name}.csv").status_code == 200


@pytest.fixture
def french_desk(fresh_app: Flask):  # type: ignore[no-untyped-def]
    make = Factories(fresh_app)
    user = make.user(role="admin", username="dash-fr", language="fr")
    client = fresh_app.test_client()
    client.post("/login", data={"username": user.username, "password": "secret-pass"})
    return fresh_app, client, make, user


def test_a_french_supervisor_reads_the_dashboard_in_french(french_desk) -> None:  # type: ignore[no-untyped-def]
    app, client, make, _ = french_desk
    product = make.product(sku="SKU-FR")
    channel, _ = make.channel()
    order_id = make.order(channel, [(product, 1234)])
    age_lines(app, order_id, 9)
    client.post("/dashboard/alerts/check")

    page = client.get("/dashboard/").get_data(as_text=True)

    assert (
        "L’entrepôt aujourd’hui" in page and "Commandes en attente de stock par ancienneté" in page
    )
    assert "Unités par heure aujourd’hui" in page and "à prélever" in page
    assert '<span data-figure="waiting-units">1\u202f234</span> unités en attente' in page
    # the alert is told in French, with a French date, from the figures it keeps
    assert "ancienneté des commandes en attente" in page
    assert "1 ligne en attente de stock attend depuis plus de 7 jours" in page
    for english in ("Floor today", "Backlog", "units waiting", "has waited", "Throughput"):
        assert english not in page, english


def test_a_french_supervisor_reads_lists_alerts_and_csv_headers_in_french(french_desk) -> None:  # type: ignore[no-untyped-def]
    _app, client, make, _ = french_desk
    product = make.product(sku="SKU-FR-L")
    make.stock(product, make.location(code="B-FR"), 4)

    ledger = client.get("/dashboard/lists/ledger?sku=SKU-FR-L").get_data(as_text=True)
    assert "Registre des mouvements" in ledger and "stock d’ouverture" in ledger
    assert "extérieur" in ledger and "Aucun résultat" not in ledger
    csv_text = client.get("/dashboard/lists/ledger.csv?sku=SKU-FR-L").get_data(as_text=True)
    header = csv_text.splitlines()[0].split(",")
    assert header[:4] == ["Quand", "Qui", "SKU", "Unités"] and header[-2:] == ["Motif", "Référence"]
    assert not {"When", "Who", "Units", "From", "To", "Why"} & set(header)
    # the CSV keeps the stored words (a file is read by other programs too)
    assert ",opening," in csv_text

    alerts = client.get("/dashboard/alerts").get_data(as_text=True)
    assert "Seuils" in alerts and "Enregistrer les seuils" in alerts and "stock bas" in alerts
    refused = client.post("/dashboard/alerts/thresholds", data={"low_stock_threshold": "beaucoup"})
    assert refused.status_code == 422
    assert "Le seuil « stock bas » doit être un nombre." in refused.get_data(as_text=True).replace(
        "\u202f", " "
    )


def test_today_on_the_dashboard_starts_at_the_warehouses_midnight(desk) -> None:  # type: ignore[no-untyped-def]
    # The warehouse (Europe/Paris) is ahead of UTC: its midnight is the evening before in UTC.
    app, client, make, user = desk
    product = make.product()
    make.stock(product, make.location(), 5)
    channel, _ = make.channel()
    shipped_before, shipped_after = (
        make.order(channel, [(product, 1)]),
        make.order(channel, [(product, 1)]),
    )
    day = today() + timedelta(days=1)
    midnight = day_start(day)
    assert midnight.date() < day
    with app.app_context():
        for order_id, shipped_at in (
            (shipped_before, midnight - timedelta(minutes=15)),
            (shipped_after, midnight + timedelta(minutes=15)),
        ):
            db.session.execute(
                update(Order)
                .where(Order.id == order_id)
                .values(shipped_at=shipped_at, promised_on=day - timedelta(days=1))
            )
        db.session.commit()
    with travel(midnight + timedelta(minutes=45) - utcnow()):
        with app.app_context():
            bin_ = db.session.get(Location, make.location().id)
            move_stock(product.id, 7, None, bin_, Reason.RECEIVE, "x", user.id)
            db.session.commit()
        orders = client.get("/dashboard/tile/orders").get_data(as_text=True)
        through = client.get("/dashboard/tile/throughput").get_data(as_text=True)
    assert 'data-figure="shipped-today">1<' in orders
    # Promised for the day before: shipped at 23:45 is on time, at 00:15 it is late.
    assert 'data-figure="on-time">50' in orders
    assert 'data-figure="received">7<' in through
    assert " 00: 7</title>" in through  # received in the warehouse's first hour, 00:00-01:00
