"""A handheld for tests: scans through the test client and reads the answer back."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from wms.extensions import db
from wms.inventory.models import Location, Movement
from wms.picking.models import Wave, WaveStatus


@dataclass
class Answer:
    status: int
    body: str
    replayed: bool

    def _attr(self, pattern: str) -> str | None:
        match = re.search(pattern, self.body, re.S)
        return html.unescape(match.group(1)).strip() if match else None

    @property
    def step(self) -> str | None:
        return self._attr(r'data-step="([a-z]+)"')

    @property
    def where(self) -> str | None:
        """The big text of the step: a bin, a SKU, a tote, a count."""
        return self._attr(r"data-where>(.*?)</p>")

    @property
    def error(self) -> str | None:
        return self._attr(r'class="answer answer-error"[^>]*>\s*<p class="answer-text">(.*?)</p>')

    @property
    def notice(self) -> str | None:
        return self._attr(r'<p class="pick-notice-text">(.*?)</p>')

    @property
    def prefill(self) -> str | None:
        return self._attr(r'data-prefill="([^"]*)"')

    @property
    def order(self) -> str | None:
        return self._attr(r"data-order>— order (.*?)</p>")


class Handheld:
    """Posts scans as the floor script does: an htmx request with a fresh scan id."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def scan(self, code: str, scan_id: str | None = None) -> Answer:
        response = self.client.post(
            "/pick/scan",
            data={"code": code, "scan_id": scan_id or uuid.uuid4().hex},
            headers={"HX-Request": "true"},
        )
        return Answer(
            response.status_code,
            response.get_data(as_text=True),
            response.headers.get("X-Scan-Replayed") == "1",
        )

    def screen(self) -> Answer:
        response = self.client.get("/pick/", headers={"HX-Request": "true"})
        return Answer(response.status_code, response.get_data(as_text=True), False)

    def pick_current_line(self, qty: str | None = None) -> Answer:
        """Go to the bin, scan the item once, take what is asked, confirm the tote."""
        answer = self.screen()
        assert answer.step == "bin", answer.body
        answer = self.scan(answer.where or "")
        assert answer.step == "item", answer.body
        sku = answer.where or ""
        answer = self.scan(sku)
        if answer.step == "qty":
            answer = self.scan(qty or answer.prefill or "")
        assert answer.step == "tote", answer.body
        return self.scan(tote_code(answer))


def tote_code(answer: Answer) -> str:
    assert answer.step == "tote", answer.body
    assert answer.where and answer.where != "an empty tote", answer.body
    return answer.where


def close_other_ready_waves(app: Flask) -> None:
    """Waves other tests left unpicked would be handed out first: take them away."""
    from wms.picking.services.waves import cancel_wave

    with app.app_context():
        ready = list(db.session.scalars(select(Wave.id).where(Wave.status == WaveStatus.READY)))
        for wave_id in ready:
            cancel_wave(wave_id)
        db.session.commit()


def moves(app: Flask, reference: str) -> list[dict[str, Any]]:
    """Ledger rows written under a reference, with location codes."""
    with app.app_context():
        rows = db.session.execute(
            select(Movement).where(Movement.reference == reference).order_by(Movement.id)
        ).scalars()
        codes = dict(db.session.execute(select(Location.id, Location.code)).all())
        return [
            {
                "product_id": m.product_id,
                "qty": m.qty,
                "from": codes.get(m.from_location_id),
                "to": codes.get(m.to_location_id),
                "reason": m.reason,
            }
            for m in rows
        ]
