"""Benchmark: a receive scan as the receiver sees it, in Chromium at 360 px.

The demo warehouse on a throwaway PostgreSQL, the app under gunicorn (as
``make run`` serves it). A receiver signs in by badge, starts an inbound and
scans 30 units, one after the other, as a scanner types them: the figure is
the time from Enter to the answer painted (the floor script's "scan-answer"
performance measure), beside the server's own time for the same requests
(Server-Timing). Then the server is frozen (SIGSTOP on gunicorn and its
workers) while three more units are scanned (300 ms apart, a brisk
receiver's pace), and let go (SIGCONT): the
figure is the time from letting it go to the queue drained (every answer
painted), three times over. Ends with ``flask verify``'s check of every
stored counter. Prints one JSON line; exits 1 if a scan is lost or a counter
differs.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _support import ROOT, emit, free_port, invariants, log, make_app, migrate, postgres

SCANS = 30
FROZEN_RUNS = 3
FROZEN_SCANS = 3
FROZEN_SECONDS = 3
SCAN_GAP_MS = 300  # a brisk receiver's pace on a box of identical units
CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None
)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))], 1)


def seed(url: str) -> tuple[str, str, int]:
    """The demo warehouse, a receiver and an inbound of units nobody waits for."""
    from wms import demo
    from wms.auth.models import User
    from wms.base.clock import utcnow
    from wms.core.stock import ensure_product_stock
    from wms.extensions import db
    from wms.inbounds.rules import NewInboundLine
    from wms.inbounds.services import create_inbound
    from wms.inventory.models import Barcode, BarcodeKind, Product

    app = make_app(url)
    migrate(app)
    with app.app_context():
        demo.load(seed=7)
        receiver = User(username="bench-receiver", role="operator", badge_code="B-BENCH-1")
        receiver.set_password("bench-pass")
        product = Product(sku="BENCH-UNIT", name="Bench unit", weight_g=100)
        product.barcodes = [Barcode(code="2999999999991", kind=BarcodeKind.EAN13)]
        db.session.add_all([receiver, product])
        db.session.flush()
        ensure_product_stock([product.id])
        inbound, _ = create_inbound(
            reference="ASN-BENCH-FLOOR",
            expected_at=utcnow(),
            lines=[NewInboundLine("BENCH-UNIT", 10_000)],
        )
        db.session.commit()
        inbound_id = inbound.id
        db.session.remove()
        db.engine.dispose()
    return "B-BENCH-1", "2999999999991", inbound_id


def received(url: str, inbound_id: int) -> int:
    from wms.core.models import InboundLine
    from wms.extensions import db

    app = make_app(url)
    with app.app_context():
        total = sum(
            line.qty_received
            for line in db.session.query(InboundLine).filter_by(inbound_id=inbound_id)
        )
        db.session.remove()
        db.engine.dispose()
    return total


def serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "WMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="wms-bench-"),
    }
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
            "wms:create_app()",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,  # its own process group: frozen and let go as one
    )
    import urllib.request

    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.1)


def scan(page: Any, code: str) -> None:
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def answers(page: Any) -> int:
    return int(page.evaluate("performance.getEntriesByName('scan-answer').length"))


def measure(base: str, badge: str, code: str, pgid: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # bypass_csp: only so the bench can wait on page expressions; the page is the same
        page = browser.new_page(viewport={"width": 360, "height": 740}, bypass_csp=True)
        page.goto(f"{base}/login")
        scan(page, badge)
        page.wait_for_selector(".floor-user")
        page.goto(f"{base}/receive/")
        scan(page, "ASN-BENCH-FLOOR")
        page.wait_for_selector("text=Receive ASN-BENCH-FLOOR")
        scan(page, code)  # warm up: the first answer pays for every cold cache
        page.wait_for_function("performance.getEntriesByName('scan-answer').length >= 1")
        page.evaluate("performance.clearMeasures('scan-answer')")

        for n in range(1, SCANS + 1):
            scan(page, code)
            page.wait_for_function(f"performance.getEntriesByName('scan-answer').length >= {n}")
        browser_ms = page.evaluate(
            "performance.getEntriesByName('scan-answer').map(e => e.duration)"
        )
        server_ms = page.evaluate(
            """n => performance.getEntriesByType('resource')
                 .filter(e => e.name.endsWith('/receive/scan') && e.serverTiming.length)
                 .slice(-n).map(e => e.serverTiming[0].duration)""",
            SCANS,
        )

        drains = []
        for _ in range(FROZEN_RUNS):
            page.evaluate("performance.clearMarks('scan-queue-drained')")
            os.killpg(pgid, signal.SIGSTOP)
            for _ in range(FROZEN_SCANS):
                scan(page, code)
                # A scanner cannot read two units faster than this; the same code
                # twice within ~50 ms is one read (a double trigger) and dropped.
                page.wait_for_timeout(SCAN_GAP_MS)
            page.wait_for_selector("[data-waiting-answer]")
            time.sleep(FROZEN_SECONDS)
            let_go = time.time() * 1000
            os.killpg(pgid, signal.SIGCONT)
            page.wait_for_function("performance.getEntriesByName('scan-queue-drained').length")
            drained = page.evaluate(
                "performance.timeOrigin"
                " + performance.getEntriesByName('scan-queue-drained')[0].startTime"
            )
            drains.append(round(drained - let_go, 1))
        browser.close()
    return {"browser_ms": browser_ms, "server_ms": server_ms, "drains": drains}


def main() -> int:
    if CHROMIUM is None:
        log("Chromium is not installed (scripts/ensure-test-tools.sh installs it)")
        return 1
    with postgres(fsync="on", synchronous_commit="on") as cluster:
        url = cluster.create_database("floor")
        log("loading the demo warehouse ...")
        badge, code, inbound_id = seed(url)
        proc, base = serve(url)
        try:
            log(f"{SCANS} scans in Chromium, then {FROZEN_RUNS} x a frozen server ...")
            figures = measure(base, badge, code, os.getpgid(proc.pid))
        finally:
            os.killpg(os.getpgid(proc.pid), signal.SIGCONT)
            proc.terminate()
            proc.wait(10)
        expected = 1 + SCANS + FROZEN_RUNS * FROZEN_SCANS
        got = received(url, inbound_id)
        differences = invariants(url)
    browser_ms, server_ms = figures["browser_ms"], figures["server_ms"]
    result = {
        "bench": "floor_scan",
        "scans": len(browser_ms),
        "enter_to_answer_ms": {
            "p50": round(statistics.median(browser_ms), 1),
            "p90": pct(browser_ms, 0.9),
        },
        "server_ms": {
            "p50": round(statistics.median(server_ms), 1) if server_ms else None,
            "p90": pct(server_ms, 0.9) if server_ms else None,
        },
        "frozen": {
            "scans_while_frozen": FROZEN_SCANS,
            "frozen_s": FROZEN_SECONDS,
            "unfreeze_to_drained_ms": figures["drains"],
        },
        "units_expected": expected,
        "units_received": got,
        "invariants": differences,
    }
    emit(result)
    return 0 if got == expected and not differences else 1


if __name__ == "__main__":
    sys.exit(main())
