"""A small site of its own for each returns test: returns bench, rework, quarantine,
exceptions, two lanes and three bins; a returns clerk and a supervisor signed in."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from wms.channels.models import Channel, OutboxEvent
from wms.core.models import Order
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Movement, Product, Stock
from wms.returns.models import ReturnAuthorisation, ReturnLine

HX = {"HX-Request": "true"}


@dataclass
class Site:
    app: Flask
    make: Factories
    clerk: FlaskClient
    desk: FlaskClient
    channel: Channel
    places: dict[str, Location]
    lanes: list[Location]
    bins: list[Location]
    scans: int = field(default=0)

    # ----------------------------------------------------------- the handheld
    def scan(self, code: str, scan_id: str | None = None, client: FlaskClient | None = None) -> Any:
        self.scans += 1
        return (client or self.clerk).post(
            "/returns/receive/scan",
            data={"code": code, "scan_id": scan_id or f"r{self.scans}-{uuid.uuid4().hex[:8]}"},
            headers=HX,
        )

    @staticmethod
    def text(response: Any) -> str:
        return response.get_data(as_text=True)

    def where(self, response: Any) -> list[str]:
        """The places the answer cards name, e.g. ['LANE L1']."""
        return [
            re.sub(r"<[^>]+>", "", m).strip()
            for m in re.findall(r'<p class="dest-where">(.*?)</p>', self.text(response), re.S)
        ]

    # ------------------------------------------------------------------ data
    def shipped(self, *lines: tuple[Product, int]) -> int:
        return self.make.shipped_order(self.channel, list(lines))

    def rma(self, order_id: int, *lines: tuple[Product, int], reason: str = "changed_mind") -> str:
        return self.make.rma(order_id, list(lines), reason=reason)

    def on_hand(self, product: Product, location: Location) -> int:
        with self.app.app_context():
            return (
                db.session.scalar(
                    select(Stock.qty_on_hand).where(
                        Stock.product_id == product.id, Stock.location_id == location.id
                    )
                )
                or 0
            )

    def moves(self, reference: str) -> list[tuple[str, str | None, str | None, int]]:
        """(reason, from, to, qty) of every ledger row with this reference, in order."""
        with self.app.app_context():
            rows = db.session.scalars(
                select(Movement).where(Movement.reference == reference).order_by(Movement.id)
            ).all()
            return [
                (
                    m.reason,
                    m.from_location.code if m.from_location else None,
                    m.to_location.code if m.to_location else None,
                    m.qty,
                )
                for m in rows
            ]

    def events(self, kind: str) -> list[dict[str, Any]]:
        with self.app.app_context():
            return [
                e.payload
                for e in db.session.scalars(
                    select(OutboxEvent)
                    .where(OutboxEvent.event_type == kind)
                    .order_by(OutboxEvent.id)
                )
            ]

    def order_status(self, order_id: int) -> str:
        with self.app.app_context():
            return db.session.get(Order, order_id).status

    def lines(self, number: str) -> list[tuple[int, int]]:
        """(received, authorised) per line of an RMA."""
        with self.app.app_context():
            rma = db.session.get(ReturnAuthorisation, int(number[2:]) - 10000)
            return [
                (ln.qty_received, ln.qty_authorised)
                for ln in db.session.scalars(
                    select(ReturnLine).where(ReturnLine.rma_id == rma.id).order_by(ReturnLine.id)
                )
            ]

    def status(self, number: str) -> str:
        with self.app.app_context():
            return db.session.get(ReturnAuthorisation, int(number[2:]) - 10000).status

    def ledger_is_consistent(self) -> None:
        result = self.app.test_cli_runner().invoke(args=["verify-ledger"])
        assert result.exit_code == 0, result.output


def signed_in(app: Flask, make: Factories, role: str) -> FlaskClient:
    user = make.user(role=role)
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert response.status_code == 302
    return client


@pytest.fixture
def site(fresh_app: Flask) -> Site:
    make = Factories(fresh_app)
    places = {
        "returns": make.location(LocationKind.RETURNS, code="RET-1", walk_seq=500),
        "rework": make.location(LocationKind.REWORK, code="RWK-1", walk_seq=510),
        "quarantine": make.location(LocationKind.QUARANTINE, code="QUAR-1", walk_seq=520),
        "exceptions": make.location(LocationKind.EXCEPTIONS, code="EXC-1", walk_seq=530),
    }
    lanes = [
        make.location(LocationKind.STAGING_LANE, code=f"L{i}", walk_seq=100 + i, capacity=4)
        for i in (1, 2)
    ]
    bins = [
        make.location(LocationKind.BIN, code=f"A-0{i}-1", walk_seq=10 * i, capacity=40)
        for i in (1, 2, 3)
    ]
    channel, _ = make.channel(webhook_url="http://127.0.0.1:9/hook")
    return Site(
        fresh_app,
        make,
        signed_in(fresh_app, make, "operator"),
        signed_in(fresh_app, make, "supervisor"),
        channel,
        places,
        lanes,
        bins,
    )
