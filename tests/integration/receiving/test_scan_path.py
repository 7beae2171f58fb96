"""The receive scan's shape: one call from the route into the area, one routing decision,
one page; no module it does not need; the waiting queue read once.

Each scan is followed through the real endpoint with ``tests.tracing.Trace`` (the hook
``make bench NAME=receive_hops`` prints the figures of).
"""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
from sqlalchemy import event

from tests.integration.receiving.conftest import HX, Site
from tests.tracing import Trace
from wms.base.clock import utcnow
from wms.extensions import db

# The most modules each scan may run (its code and what its page calls), as measured by
# ``make bench NAME=receive_hops``: lower them when a scan needs fewer.
MOST_MODULES = {"to_a_lane": 18, "damaged": 15, "to_a_shelf": 14, "over_the_inbound": 14}


def _traced(site: Site, code: str) -> Trace:
    trace = Trace("scan")
    sys.setprofile(trace)
    try:
        response = site.client.post("/receive/scan", data={"code": code}, headers=HX)
    finally:
        sys.setprofile(None)
    assert response.status_code == 200, site.text(response)
    return trace


def _four_scans(site: Site) -> dict[str, Trace]:
    """A unit a waiting order takes to its lane, a damaged unit, a unit for the shelf, a
    unit over what the inbound expected; the second round is the one kept (the first
    builds what a running app has built long before)."""
    channel, _ = site.make.channel()
    traces: dict[str, Trace] = {}
    for round_ in ("warm-up", "measured"):
        product = site.make.product()
        site.make.order(channel, [(product, 1)])
        reference = f"ASN-PATH-{round_}"
        site.make.inbound([(product, 3)], utcnow(), reference=reference)
        assert site.start(reference).status_code == 204
        code = product.barcodes[0].code
        traces["to_a_lane"] = _traced(site, code)
        site.scan("DAMAGED")
        traces["damaged"] = _traced(site, code)
        traces["to_a_shelf"] = _traced(site, code)
        traces["over_the_inbound"] = _traced(site, code)
    return traces


def test_the_route_calls_the_area_once_and_nothing_goes_back_and_forth(site: Site) -> None:
    for name, trace in _four_scans(site).items():
        from_route = [(b, fn) for a, b, fn, _ in trace.area_calls if a == "wms.receiving.routes"]
        assert from_route == [("wms.receiving.services.receive", "scan")], name
        figures = trace.figures()
        assert figures["back_and_forth"] == 0, (name, figures["area_path"])


def test_each_scan_runs_only_the_modules_it_needs(site: Site) -> None:
    for name, trace in _four_scans(site).items():
        modules = trace.figures()["module_list"]
        assert len(modules) <= MOST_MODULES[name], (name, modules)


def test_a_shelf_scan_reads_the_waiting_queue_once(site: Site) -> None:
    """Nobody waits for the product: routing finds the queue empty, and that is the last
    look at it (no second walk of the queue to project fill dates)."""
    product = site.make.product()
    site.make.inbound([(product, 5)], utcnow(), reference="ASN-SHELF")
    assert site.start("ASN-SHELF").status_code == 204
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with site.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = site.scan(product.barcodes[0].code)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert site.where(response) == ["BIN A-01-1"]
    queue_reads = [
        s for s in statements if re.search(r"FROM order_lines\b.*qty_waiting >", s, re.S)
    ]
    assert len(queue_reads) == 1, queue_reads


def _statements_of(site: Site, code: str) -> list[str]:
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(" ".join(statement.split()))

    with site.app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = site.scan(code)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200, site.text(response)
    return statements


@pytest.mark.postgres_only
def test_a_unit_scan_holds_its_inbound_as_it_reads_the_session_and_putting_away_does_not(
    site: Site,
) -> None:
    """A close waits for the unit scans under way (they count on its lines), so each unit
    scan share-locks the inbound before writing anything: in the statement that reads the
    receiver's session, not one more. Scanning the place a unit was taken to counts nothing
    on the inbound, and waits for no close."""
    product = site.make.product()
    site.make.inbound([(product, 5)], utcnow(), reference="ASN-HOLD")
    assert site.start("ASN-HOLD").status_code == 204
    unit = _statements_of(site, product.barcodes[0].code)
    locks = [s for s in unit if "FOR SHARE" in s]
    assert len(locks) == 1, locks
    assert locks[0].startswith("SELECT receiving_sessions."), locks[0]
    assert unit.index(locks[0]) < min(
        i for i, s in enumerate(unit) if s.startswith(("INSERT", "UPDATE"))
    ), unit
    put_away = _statements_of(site, "A-01-1")
    assert any(s.startswith("UPDATE dock_units") for s in put_away), put_away
    assert not [s for s in put_away if "FOR SHARE" in s], put_away
