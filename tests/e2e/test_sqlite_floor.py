"""The embedded default holds a small floor: SQLite through gunicorn as ``make run`` serves it.

Twelve operators open their screens and scan at once (four receivers, three
pickers, two counters, three opening the other screens) while two channel
clients post orders through the API. Not one answer may be a server error:
reads never write, and every write waits its turn for SQLite's one writer.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import _make_app
from tests.factories import Factories
from tests.picking import Answer
from tests.servers import FloorUser, app_server, http_session, server_log, verify
from wms.base.clock import utcnow
from wms.base.numbers import wave_code
from wms.extensions import db
from wms.inventory.models import LocationKind

pytestmark = pytest.mark.sqlite_only

RECEIVERS, PICKERS, COUNTERS, VIEWERS = 4, 3, 2, 3
SCANS_PER_RECEIVER = 6
ORDERS_PER_CLIENT = 20
SHIP_TO = {"name": "Ana Buyer", "street1": "1 Main St", "city": "Springfield", "zip": "90001"}


class Floor:
    """Every answer the floor got, by who asked and for what."""

    def __init__(self) -> None:
        self.answers: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()
        self.failures: list[str] = []

    def note(self, who: str, what: str, response: requests.Response) -> requests.Response:
        with self.lock:
            self.answers.append((who, what, response.status_code))
        return response

    def server_errors(self) -> list[tuple[str, str, int]]:
        return [a for a in self.answers if a[2] >= 500]


def build_site(url: str, tmp: Path) -> dict[str, Any]:
    app = _make_app(url, tmp / "factories")
    make = Factories(app)
    site: dict[str, Any] = {"users": {}}
    make.location(LocationKind.RECEIVING, walk_seq=0)
    make.location(LocationKind.QUARANTINE, walk_seq=500)
    bins = [make.location(LocationKind.BIN, walk_seq=i) for i in range(1, 9 + RECEIVERS)]
    for _ in range(PICKERS * 2):
        make.location(LocationKind.TOTE)
    shelf = [make.product() for _ in range(6)]
    for product, bin_ in zip(shelf, bins, strict=False):
        make.stock(product, bin_, 200)
    site["skus"] = [p.sku for p in shelf]
    site["count_bins"] = [(bins[i].code, shelf[i].sku) for i in range(COUNTERS)]
    for i in range(COUNTERS):
        make.count_task(bins[i], tolerance_units=1000)
    received = [make.product() for _ in range(RECEIVERS)]
    site["inbounds"] = []
    for product in received:
        reference = f"ASN-{uuid.uuid4().hex[:8].upper()}"
        make.inbound([(product, 100)], utcnow() + timedelta(days=1), reference=reference)
        site["inbounds"].append((reference, product.barcodes[0].code))
    site["waves"] = []
    for i in range(PICKERS):
        channel, _ = make.channel()
        for _ in range(2):
            make.order(channel, [(shelf[2 + i], 1), (shelf[5], 1)])
        site["waves"].append(wave_code(make.wave(channel)))
    _, site["token"] = make.channel()
    for role in ["receiver"] * RECEIVERS + ["picker"] * PICKERS + ["counter"] * COUNTERS:
        site["users"].setdefault(role, []).append(make.user(role="operator").username)
    site["users"]["viewer"] = [make.user(role="operator").username for _ in range(VIEWERS)]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return site


def receive(floor: Floor, user: FloorUser, who: str, inbound: tuple[str, str]) -> None:
    reference, barcode = inbound
    floor.note(who, "GET /receive/", user.get("/receive/"))
    floor.note(who, "start", user.scan("/receive/start", reference))
    floor.note(who, "GET /receive/scan", user.get("/receive/scan"))
    for _ in range(SCANS_PER_RECEIVER):
        answer = floor.note(who, "scan unit", user.scan("/receive/scan", barcode))
        where = Answer(answer.status_code, answer.text, False)._attr(
            r'<p class="dest-where">(.*?)[<\n]'
        )
        if answer.status_code != 200 or not where:
            floor.failures.append(f"{who}: unit scan answered {answer.status_code} {answer.text}")
            return
        place = where.split()[-1]
        floor.note(who, "confirm", user.scan("/receive/scan", place))


def pick(floor: Floor, user: FloorUser, who: str, wave: str) -> None:
    floor.note(who, "GET /pick/", user.get("/pick/"))

    def scan(code: str) -> Answer:
        response = floor.note(who, "pick scan", user.scan("/pick/scan", code))
        return Answer(response.status_code, response.text, False)

    answer = scan(wave)
    for _ in range(20):
        screen = floor.note(who, "GET /pick/", user.get("/pick/", headers={"HX-Request": "1"}))
        answer = Answer(screen.status_code, screen.text, False)
        if answer.step != "bin":
            return
        answer = scan(answer.where or "")
        if answer.step == "item":
            answer = scan(answer.where or "")
        if answer.step == "qty":
            answer = scan(answer.prefill or "1")
        if answer.step != "tote":
            floor.failures.append(f"{who}: expected a tote, got {answer.status_code}")
            return
        scan(answer.where or "")
    floor.failures.append(f"{who}: the wave never ended")


def count(floor: Floor, user: FloorUser, who: str, task: tuple[str, str]) -> None:
    bin_code, sku = task
    floor.note(who, "GET /stock/count", user.get("/stock/count"))
    floor.note(who, "count bin", user.scan("/stock/count/scan", bin_code))
    for _ in range(5):
        floor.note(who, "count item", user.scan("/stock/count/scan", sku))
    floor.note(who, "count done", user.scan("/stock/count/scan", "DONE"))


def look_around(floor: Floor, user: FloorUser, who: str, skus: list[str]) -> None:
    for path in ("/", "/receive/", "/receive/putaway", "/pick/", "/stock/count", "/dock/"):
        floor.note(who, f"GET {path}", user.get(path))
    for sku in skus:
        floor.note(who, "scan anything", user.get(f"/floor/scan?code={sku}"))


def post_orders(floor: Floor, base: str, who: str, token: str, skus: list[str]) -> None:
    http = http_session()
    for i in range(ORDERS_PER_CLIENT):
        body = {
            "external_id": uuid.uuid4().hex,
            "ship_to": SHIP_TO,
            "lines": [{"sku": skus[i % len(skus)], "qty": 1}],
        }
        response = http.post(
            f"{base}/api/v1/orders",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        floor.note(who, "POST order", response)


def test_twelve_operators_and_two_channels_on_sqlite_get_no_server_error(
    _sqlite_template: str, tmp_path: Path
) -> None:
    path = tmp_path / "wms.sqlite3"
    shutil.copy(_sqlite_template, path)
    url = f"sqlite:///{path}"
    site = build_site(url, tmp_path)
    floor = Floor()
    with app_server(url, tmp_path / "server") as base:
        users = {
            role: [FloorUser(base, name) for name in names] for role, names in site["users"].items()
        }
        jobs: list[Callable[[], None]] = []
        for i, user in enumerate(users["receiver"]):
            jobs.append(lambda u=user, i=i: receive(floor, u, f"receiver{i}", site["inbounds"][i]))
        for i, user in enumerate(users["picker"]):
            jobs.append(lambda u=user, i=i: pick(floor, u, f"picker{i}", site["waves"][i]))
        for i, user in enumerate(users["counter"]):
            jobs.append(lambda u=user, i=i: count(floor, u, f"counter{i}", site["count_bins"][i]))
        for i, user in enumerate(users["viewer"]):
            jobs.append(lambda u=user, i=i: look_around(floor, u, f"viewer{i}", site["skus"]))
        for i in range(2):
            jobs.append(
                lambda i=i: post_orders(floor, base, f"channel{i}", site["token"], site["skus"])
            )
        barrier = threading.Barrier(len(jobs))

        def run(job: Callable[[], None]) -> None:
            barrier.wait()
            try:
                job()
            except Exception as error:  # a broken flow is a failure to report, not a hang
                floor.failures.append(repr(error))

        threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(240)
    log = server_log(tmp_path / "server")
    assert floor.server_errors() == [], log
    assert floor.failures == [], log
    assert "Traceback" not in log and "WORKER TIMEOUT" not in log, log
    assert log.count("Booting worker") == 2, log  # no worker died and was replaced
    answered = {what for _, what, status in floor.answers if status == 200}
    assert {"GET /receive/", "confirm", "pick scan", "count done", "scan anything"} <= answered
    orders = [s for who, what, s in floor.answers if what == "POST order"]
    assert orders == [201] * (2 * ORDERS_PER_CLIENT)
    assert verify(url, tmp_path / "verify") == ""
