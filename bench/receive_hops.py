"""Count the modules one receive scan passes through: how far a reader follows it.

A fresh SQLite database gets a dock, lanes, a quarantine cage and bins, one
receiver and an inbound of one product; then four scans go through the real
endpoint (``POST /receive/scan`` in the test client): a unit a waiting order
takes to its lane, a damaged unit, a unit for the shelf, and a unit over what
the inbound expected. A ``sys.setprofile`` hook follows each request from the
view function down and counts, among the ``wms`` modules:

- ``modules``: the distinct modules whose code runs; ``modules_from_code``,
  those the code reaches (leaving out what only the page calls while drawn);
- ``packages``: the distinct packages they belong to (``wms.receiving``, ...);
- ``crossings``: calls the code makes from one module into another;
- ``area_calls``: those between two modules of the receiving area, in order
  (``area_path``);
- ``back_and_forth``: the places in the code that call again between two area
  modules already linked (services calls routing from a second place, after
  doing work of its own in between), and the links taken both ways (routing
  calls services back). A helper called in a loop is called from one place.

Calls a template makes (a property read while the page is drawn) are counted
apart, in ``calls_from_the_page``: they run once per row shown.

Prints one JSON line per scan and their maximum. Timing is not measured here.
Run it with ``make bench NAME=receive_hops`` or ``.venv/bin/python bench/receive_hops.py``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _support import emit, invariants

from tests.factories import Factories
from tests.tracing import Trace
from wms import create_app
from wms.base.clock import utcnow
from wms.extensions import db
from wms.inventory.models import LocationKind

HX = {"HX-Request": "true"}


def _view_name(app: Any) -> str:
    adapter = app.url_map.bind("localhost")
    endpoint, _ = adapter.match("/receive/scan", method="POST")
    return str(app.view_functions[endpoint].__name__)


def _scans(client: Any, view: str, code: str) -> dict[str, dict[str, Any]]:
    """The four scans, each traced: a lane, quarantine (damaged), a shelf, quarantine (over)."""
    results = {}
    for name, scans in (
        ("to_a_lane", [code]),
        ("damaged", ["DAMAGED", code]),
        ("to_a_shelf", [code]),
        ("over_the_inbound", [code]),
    ):
        for before in scans[:-1]:
            client.post("/receive/scan", data={"code": before}, headers=HX)
        trace = Trace(view)
        sys.setprofile(trace)
        try:
            response = client.post("/receive/scan", data={"code": scans[-1]}, headers=HX)
        finally:
            sys.setprofile(None)
        assert response.status_code == 200, (name, response.status_code)
        results[name] = trace.figures()
    return results


def main() -> None:
    directory = Path(tempfile.mkdtemp(prefix="wms-hops-"))
    os.environ["WMS_INSTANCE_PATH"] = str(directory / "instance")
    url = f"sqlite:///{directory / 'hops.sqlite3'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "hops",
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    make = Factories(app)
    make.location(LocationKind.RECEIVING, code="RCV-1", walk_seq=1)
    for i in range(1, 4):
        make.location(LocationKind.STAGING_LANE, code=f"L{i}", walk_seq=100 + i, capacity=2)
    make.location(LocationKind.QUARANTINE, code="QUAR-1", walk_seq=300)
    for i in range(1, 6):
        make.location(LocationKind.BIN, code=f"A-0{i}-1", walk_seq=10 * i, capacity=40)
    user = make.user(role="operator")
    channel, _ = make.channel()
    client = app.test_client()
    client.post("/login", data={"username": user.username, "password": "secret-pass"})
    view = _view_name(app)
    # Twice: the first round builds what a running app has built long before (each
    # prebuilt statement, each template), the second is measured.
    for round_ in ("warm-up", "measured"):
        product = make.product()
        make.order(channel, [(product, 1)])
        reference = f"ASN-HOPS-{round_}"
        make.inbound([(product, 3)], utcnow(), reference=reference)
        started = client.post("/receive/start", data={"code": reference}, headers=HX)
        assert started.status_code == 204, started.status_code
        results = _scans(client, view, product.barcodes[0].code)
    summary = {
        key: max(r[key] for r in results.values())
        for key in (
            "modules",
            "modules_from_code",
            "packages",
            "crossings",
            "area_calls",
            "back_and_forth",
        )
    }
    for name, figures in results.items():
        print(json.dumps({"scan": name, **figures}))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    differences = invariants(url)
    tree = str(Path(sys.modules["wms"].__file__ or "").parent.parent)
    emit({"bench": "receive_hops", "tree": tree, "most": summary, "invariants": differences})
    if differences:
        sys.exit(1)


if __name__ == "__main__":
    main()
