"""Benchmark: the outbox after a flash sale, on PostgreSQL, with the real worker.

5,000 orders on 2 SKUs are posted through the API (gunicorn) while no worker
runs, so the burst leaves its whole backlog; then ``flask worker`` starts
and delivers it to a webhook receiver on 127.0.0.1. Reports the events
pending after the burst (every availability change of a product coalesces
into one waiting figure per channel), the seconds until nothing is pending,
and events delivered per second. Then the claim query is timed (median of
many runs, each rolled back) with 10 and with 100,000 pending events.
Ends with ``flask verify``'s check of every stored counter. Prints one JSON
line; exits 1 if an event is lost or sent out of order, or a counter differs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _support import (
    ROOT,
    emit,
    gunicorn,
    invariants,
    log,
    make_app,
    migrate,
    postgres,
    psql,
    run_load,
)

ORDERS = 5_000
SKUS = ("DROP-1", "DROP-2")
UNITS_PER_SKU = 2_000  # fewer than the orders: the rest wait as backorders
CLIENTS = 16
TOKEN = "bench-token-drain"
CLAIM_SIZES = (10, 100_000)
CLAIM_RUNS = 30


def set_up(app: Any, webhook_url: str) -> None:
    from wms.channels.models import Channel
    from wms.channels.tokens import hash_token
    from wms.core.ledger import Reason, move_stock
    from wms.core.stock import ensure_product_stock
    from wms.extensions import db
    from wms.inventory.models import Location, LocationKind, Product

    with app.app_context():
        db.session.add(
            Channel(
                code="drain",
                name="Drain",
                token_hash=hash_token(TOKEN),
                webhook_url=webhook_url,
                webhook_secret="bench-secret",
            )
        )
        bin_ = Location(code="A-01-1", kind=LocationKind.BIN, walk_seq=1)
        db.session.add(bin_)
        products = [Product(sku=sku, name=sku, allow_backorder=True) for sku in SKUS]
        db.session.add_all(products)
        db.session.flush()
        ensure_product_stock([p.id for p in products])
        for p in products:
            move_stock(p.id, UNITS_PER_SKU, None, bin_, Reason.OPENING)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def order_requests() -> list[tuple[str, str, bytes | None, dict[str, str]]]:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    out = []
    for i in range(ORDERS):
        body = {
            "external_id": f"drain-{i}",
            "ship_to": {"name": "Buyer", "street1": "1 Main St", "city": "Town", "zip": "10001"},
            "lines": [{"sku": SKUS[i % len(SKUS)], "qty": 1}],
        }
        out.append(("POST", "/api/v1/orders", json.dumps(body).encode(), headers))
    return out


def pending(cluster: Any, dbname: str) -> int:
    return int(psql(cluster, dbname, "SELECT count(*) FROM outbox_events WHERE status = 'pending'"))


def start_worker(url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FLASK_APP": "wms",
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "WMS_INSTANCE_PATH": tempfile.mkdtemp(prefix="wms-bench-"),
    }
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def check_order_per_order(received: list[dict[str, Any]]) -> int:
    """Events of one order must arrive in the order they were written (ids rise)."""
    last: dict[Any, int] = {}
    wrong = 0
    for r in received:
        order_id = r["body"]["data"].get("order_id")
        if order_id is None:
            continue
        if r["body"]["id"] <= last.get(order_id, 0):
            wrong += 1
        last[order_id] = r["body"]["id"]
    return wrong


FILL_SQL = """
INSERT INTO outbox_events (channel_id, event_type, aggregate, payload, status, attempts,
                           next_attempt_at, last_error, created_at)
SELECT 1, CASE WHEN g % 2 = 0 THEN 'order.accepted' ELSE 'order.ready_to_pack' END,
       'order:' || (1000000 + (g + 1) / 2), '{{}}', 'pending', 0,
       now() - interval '1 minute' + (g || ' milliseconds')::interval, '', now()
  FROM generate_series(1, {n}) g;
ANALYZE outbox_events;
"""


def time_claim(app: Any, cluster: Any, dbname: str, size: int) -> tuple[float, str]:
    """Median milliseconds of the claim query with ``size`` events pending, and its plan."""
    psql(cluster, dbname, "DELETE FROM outbox_events WHERE status = 'pending'")
    psql(cluster, dbname, FILL_SQL.format(n=size))
    assert pending(cluster, dbname) == size
    from wms.base.clock import utcnow
    from wms.channels.delivery import _claimable
    from wms.extensions import db

    times = []
    with app.app_context():
        for _ in range(CLAIM_RUNS):
            t0 = time.perf_counter()
            ids = list(db.session.scalars(_claimable(), {"now": utcnow(), "limit": 50}))
            times.append((time.perf_counter() - t0) * 1000)
            db.session.rollback()
            assert len(ids) == min(50, (size + 1) // 2), len(ids)
        sql = str(_claimable().compile(dialect=db.engine.dialect))
        rows = db.session.connection().exec_driver_sql(
            "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, {"now": utcnow(), "limit": 50}
        )
        plan = "\n".join(r[0] for r in rows)
        db.session.rollback()
        db.session.remove()
    return round(statistics.median(times), 3), plan


def main() -> int:
    from tests.fakes.webhooks import WebhookReceiver

    receiver = WebhookReceiver().start()
    try:
        with postgres() as cluster:
            url = cluster.create_database("drain")
            app = make_app(url)
            migrate(app)
            set_up(app, receiver.url)
            with gunicorn(url, workers=4, threads=4) as hostport:
                run_load(hostport, 4, [("GET", "/healthz", None, {})] * 100)
                log(f"posting {ORDERS} orders on {len(SKUS)} SKUs from {CLIENTS} clients ...")
                burst = run_load(hostport, CLIENTS, order_requests())
            errors = sum(1 for o in burst.outcomes if o.status != 201)
            after_burst = pending(cluster, "drain")
            log(f"{after_burst} events pending; starting the worker ...")
            worker = start_worker(url)
            t0 = time.perf_counter()
            try:
                while pending(cluster, "drain") and time.perf_counter() - t0 < 600:
                    time.sleep(0.1)
                drain_s = time.perf_counter() - t0
            finally:
                worker.terminate()
                worker.wait(30)
            log(f"drained in {drain_s:.2f} s")
            left = pending(cluster, "drain")
            received = receiver.accepted()
            ids = [r["body"]["id"] for r in received]
            delivered = {
                int(i)
                for i in psql(
                    cluster, "drain", "SELECT id FROM outbox_events WHERE status = 'delivered'"
                ).split()
            }
            out_of_order = check_order_per_order(received)
            lost = left + len(delivered - set(ids))
            repeats = len(ids) - len(set(ids))
            differences = invariants(url)
            claim = {}
            for size in CLAIM_SIZES:
                ms, plan = time_claim(app, cluster, "drain", size)
                log(f"claim query with {size} pending: {ms} ms\n{plan}")
                claim[str(size)] = ms
    finally:
        receiver.stop()
    result = {
        "bench": "outbox_drain",
        "orders": ORDERS,
        "skus": len(SKUS),
        "order_errors": errors,
        "pending_after_burst": after_burst,
        "drain_s": round(drain_s, 2),
        "events_delivered": len(delivered),
        "events_per_s": round(len(delivered) / drain_s, 1) if drain_s else 0.0,
        "claim_ms": claim,
        "claim_ratio": round(claim[str(CLAIM_SIZES[1])] / claim[str(CLAIM_SIZES[0])], 2),
        "lost": lost,
        "out_of_order": out_of_order,
        "repeats": repeats,
        "errors": errors,
        "invariants": differences,
    }
    emit(result)
    return 1 if lost or out_of_order or errors or differences else 0


if __name__ == "__main__":
    sys.exit(main())
