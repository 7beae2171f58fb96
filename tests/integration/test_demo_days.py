"""The demo warehouse is built on the warehouse's day, not UTC's."""

from __future__ import annotations

from datetime import datetime

from flask import Flask
from sqlalchemy import select

from wms import demo
from wms.base.clock import travel, utcnow
from wms.core.models import Inbound
from wms.extensions import db


def test_demo_trucks_are_due_on_the_warehouses_day_at_its_hours(fresh_app: Flask) -> None:
    # At 23:30 UTC on 11 December it is already the 12th in the warehouse (Europe/Paris).
    now = utcnow()
    year = now.year + 1
    with travel(datetime(year, 12, 11, 23, 30) - now), fresh_app.app_context():
        demo.load(seed=7)
        db.session.commit()
        due = {
            r: at for r, at in db.session.execute(select(Inbound.reference, Inbound.expected_at))
        }
    stamp = f"{year % 100:02d}1212"
    # 09:00, 11:00 and 14:00 in Paris are an hour earlier in UTC in December.
    assert due[f"ASN-{stamp}-1"] == datetime(year, 12, 12, 8, 0)
    assert due[f"ASN-{stamp}-2"] == datetime(year, 12, 12, 10, 0)
    assert due[f"ASN-{stamp}-3"] == datetime(year, 12, 12, 13, 0)
    assert due[f"PO-{stamp}-LAUNCH"] == datetime(year, 12, 22, 9, 0)
