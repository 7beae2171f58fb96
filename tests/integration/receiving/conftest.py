"""A small site of its own for each receiving test: dock, lanes, hold lane, cage, bins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.factories import Factories
from wms.inventory.models import Location, LocationKind

HX = {"HX-Request": "true"}


@dataclass
class Site:
    app: Flask
    client: FlaskClient
    make: Factories
    dock: Location
    lanes: list[Location]
    hold: Location
    cage: Location
    bins: list[Location]
    user: Any
    scans: int = 0

    def scan(self, code: str, scan_id: str | None = None) -> Any:
        self.scans += 1
        return self.client.post(
            "/receive/scan",
            data={"code": code, "scan_id": scan_id or f"s{self.scans}-{id(self)}"},
            headers=HX,
        )

    def start(self, reference: str) -> Any:
        return self.client.post("/receive/start", data={"code": reference}, headers=HX)

    def text(self, response: Any) -> str:
        return response.get_data(as_text=True)

    def where(self, response: Any) -> list[str]:
        """The destinations the answer cards name, e.g. ['LANE L1']."""
        return [
            re.sub(r"<[^>]+>", "", m).split("(")[0].strip()
            for m in re.findall(r'<p class="dest-where">(.*?)</p>', self.text(response), re.S)
        ]


@pytest.fixture
def site(fresh_app: Flask) -> Site:
    make = Factories(fresh_app)
    dock = make.location(LocationKind.RECEIVING, code="RCV-1", walk_seq=1)
    lanes = [
        make.location(LocationKind.STAGING_LANE, code=f"L{i}", walk_seq=100 + i, capacity=2)
        for i in range(1, 4)
    ]
    hold = make.location(LocationKind.HOLD_LANE, code="H1", walk_seq=200, capacity=10)
    cage = make.location(LocationKind.QUARANTINE, code="QUAR-1", walk_seq=300)
    bins = [
        make.location(LocationKind.BIN, code=f"A-0{i}-1", walk_seq=10 * i, capacity=40)
        for i in range(1, 6)
    ]
    user = make.user(role="operator")
    client = fresh_app.test_client()
    response = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert response.status_code == 302
    return Site(fresh_app, client, make, dock, lanes, hold, cage, bins, user)
