"""Admins keep the box types and the pack stations' label printers; every change is audited."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from tests.integration.test_packing import scan, staged_order, text
from wms.auth.models import AuditEvent
from wms.extensions import db
from wms.inventory.models import LocationKind
from wms.shipping.models import BoxType, PackStation


def box_form(code: str, **kw: str) -> dict[str, str]:
    return {
        "code": code,
        "name": "Wine box",
        "length_mm": "380",
        "width_mm": "120",
        "height_mm": "120",
        "tare_g": "210",
        **kw,
    }


def test_an_admin_adds_a_box_the_packers_can_scan(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    admin = login("admin")
    code = f"WINE-{uuid.uuid4().hex[:6].upper()}"
    response = client.post("/shipping/boxes", data=box_form(code.lower()))
    assert response.status_code == 302
    page = text(client.get("/shipping/setup"))
    assert f"Box {code} saved." in page and 'value="Wine box"' in page
    with app.app_context():
        box = db.session.scalar(select(BoxType).where(BoxType.code == code))
        audit = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.entity == "box_type", AuditEvent.entity_id == str(box.id)
            )
        )
        assert (box.tare_g, box.length_mm) == (210, 380)
        assert (audit.action, audit.user_id, audit.details["code"]) == (
            "box_type.create",
            admin.id,
            code,
        )

    station = make.pack_station()
    tote = make.location(LocationKind.TOTE)
    product = make.product()
    staged_order(make, [(product, 1)], tote)
    scan(client, station, tote.code)
    scan(client, station, product.sku)
    assert f"Box {code}: Wine box." in text(scan(client, station, code))

    client.post(f"/shipping/boxes/{box.id}", data=box_form(code, tare_g="230", active="0"))
    with app.app_context():
        changed = db.session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.entity == "box_type", AuditEvent.action == "box_type.update"
            )
        ).all()
    assert {"tare_g": 230, "active": False} in changed
    response = scan(client, station, code)
    assert response.status_code == 422
    assert f"Box {code} is no longer used; take another box." in text(response)


def test_a_box_form_with_a_mistake_says_what_is_wrong(
    client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    response = client.post("/shipping/boxes", data=box_form("BAD CODE!"))
    assert response.status_code == 422
    assert "A box code is up to 32 letters, digits, dots or dashes" in text(response)
    response = client.post("/shipping/boxes", data=box_form("OK-1", tare_g="heavy"))
    assert "The tare (g) must be a whole number." in text(response)
    response = client.post("/shipping/boxes", data=box_form("250"))
    assert "A box code needs a letter, so 250 is never read as a weight." in text(response)
    taken = make.box()
    response = client.post("/shipping/boxes", data=box_form(taken.code))
    assert response.status_code == 409
    product = make.product()
    response = client.post("/shipping/boxes", data=box_form(product.sku))
    assert f"{product.sku} is a product code; give the box another code." in text(response)
    lane = make.location(LocationKind.STAGING_LANE)
    response = client.post("/shipping/boxes", data=box_form(lane.code))
    assert f"{lane.code} is a location code; give the box another code." in text(response)


def test_an_admin_sets_a_stations_label_printer(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    location = make.location(LocationKind.PACKING)
    response = client.post(
        "/shipping/stations",
        data={"code": location.code, "printer_host": "10.0.4.21", "printer_port": "9100"},
    )
    assert response.status_code == 302
    with app.app_context():
        station = db.session.scalar(
            select(PackStation).where(PackStation.location_id == location.id)
        )
        assert (station.printer_host, station.printer_port) == ("10.0.4.21", 9100)
        assert db.session.scalar(
            select(AuditEvent.action).where(
                AuditEvent.entity == "pack_station", AuditEvent.entity_id == str(station.id)
            )
        ) == ("pack_station.create")
    response = client.post(
        "/shipping/stations",
        data={"code": location.code, "printer_host": "printer one", "printer_port": "9100"},
    )
    assert response.status_code == 422
    assert "The printer address is a host name or an IP address" in text(response)


def test_only_admins_change_the_set_up(client: FlaskClient, login) -> None:
    login("supervisor")
    assert client.get("/shipping/setup").status_code == 403
    assert client.post("/shipping/boxes", data=box_form("NOPE-1")).status_code == 403
