"""A shop's import and reconciliation reports: the last 50 of each kind kept per shop,
the rest pruned by the worker's chores; the page still shows the last import."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import insert, select

from tests.factories import Factories
from wms.base.clock import utcnow
from wms.channels.models import Channel, ChannelReport
from wms.extensions import db


def add_reports(app: Flask, channel: Channel, kind: str, count: int, start: int = 0) -> list[int]:
    """``count`` reports of ``kind``, an hour apart, oldest first; their ids."""
    now = utcnow()
    with app.app_context():
        ids = [
            db.session.execute(
                insert(ChannelReport.__table__)
                .values(
                    channel_id=channel.id,
                    kind=kind,
                    summary=f"{kind} {n}",
                    lines=[],
                    failed=False,
                    created_at=now - timedelta(hours=1000 - n),
                )
                .returning(ChannelReport.__table__.c.id)
            ).scalar_one()
            for n in range(start, start + count)
        ]
        db.session.commit()
        return ids


def reports_of(app: Flask, channel: Channel, kind: str) -> list[int]:
    with app.app_context():
        return sorted(
            db.session.scalars(
                select(ChannelReport.id).where(
                    ChannelReport.channel_id == channel.id, ChannelReport.kind == kind
                )
            )
        )


def test_the_worker_keeps_the_last_50_reports_of_each_kind_per_shop(fresh_app: Flask) -> None:
    make = Factories(fresh_app)
    busy = make.shop_channel("woocommerce")
    quiet = make.shop_channel("woocommerce")
    imports = add_reports(fresh_app, busy, "import", 3)
    reconciled = add_reports(fresh_app, busy, "reconcile", 55, start=3)
    few = add_reports(fresh_app, quiet, "reconcile", 4)
    with fresh_app.app_context():  # both reconciled a moment ago: the round reads no shop
        db.session.execute(
            ChannelReport.__table__.update()
            .where(ChannelReport.id.in_([reconciled[-1], few[-1]]))
            .values(created_at=utcnow())
        )
        db.session.commit()

    result = fresh_app.test_cli_runner().invoke(args=["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert reports_of(fresh_app, busy, "reconcile") == sorted(reconciled[-50:])
    assert reports_of(fresh_app, busy, "import") == sorted(imports)
    assert reports_of(fresh_app, quiet, "reconcile") == sorted(few)


def test_the_shop_page_shows_the_last_import_after_many_reconciliations(
    app: Flask, make: Factories, login: object
) -> None:
    channel = make.shop_channel("woocommerce")
    add_reports(app, channel, "import", 1)
    add_reports(app, channel, "reconcile", 30, start=1)
    client = app.test_client()
    user = make.user(role="supervisor")
    client.post("/login", data={"username": user.username, "password": "secret-pass"})

    html = client.get(f"/desk/shops/{channel.id}").get_data(as_text=True)

    assert "Last import" in html and "import 0" in html
    assert "reconcile 30" in html
