"""Benchmark: a flash sale through the channel API on PostgreSQL under gunicorn.

32 keep-alive clients (wrk, a separate process) post orders for one hot SKU
holding a few thousand units for ten seconds (more orders than units: the
rest are refused, as those orders ask), then the same load spread over 1,000
SKUs. The ceiling is pgbench running the equivalent guarded UPDATE at the
same client count on the same cluster, with commits waiting for the disk.
Ends with ``flask verify``'s check of every stored counter. Prints one JSON line;
exits 1 if anything was oversold, lost or failed, or any counter differs from its rows.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from _support import (
    emit,
    gunicorn,
    invariants,
    log,
    make_app,
    migrate,
    pgbench,
    postgres,
    psql,
    run_load,
)

CLIENTS = 32
SECONDS = 10
HOT_UNITS = 3000  # fewer than the orders that arrive: the rest are refused, as they ask
SPREAD_SKUS = 1000
TOKEN = "bench-token-flash"
WORKERS, THREADS = 6, 2

HOT_CEILING_SQL = """
UPDATE bench_stock SET reserved = reserved + 1 WHERE sku = 'HOT' AND on_hand - reserved >= 1;
"""
SPREAD_CEILING_SQL = """
\\set n random(1, 1000)
UPDATE bench_stock SET reserved = reserved + 1
 WHERE sku = 'S' || :n AND on_hand - reserved >= 1;
"""


def set_up(app) -> None:  # type: ignore[no-untyped-def]
    from wms.channels.models import Channel
    from wms.channels.tokens import hash_token
    from wms.core.ledger import Reason, move_stock
    from wms.core.stock import ensure_product_stock
    from wms.extensions import db
    from wms.inventory.models import Location, LocationKind, Product

    with app.app_context():
        db.session.add(Channel(code="flash", name="Flash", token_hash=hash_token(TOKEN)))
        bin_ = Location(code="A-01-1", kind=LocationKind.BIN, walk_seq=1)
        db.session.add(bin_)
        products = [Product(sku="HOT", name="Hot item", allow_backorder=True)]
        products += [Product(sku=f"S{i}", name=f"Item {i}") for i in range(1, SPREAD_SKUS + 1)]
        db.session.add_all(products)
        db.session.flush()
        ensure_product_stock([p.id for p in products])
        move_stock(products[0].id, HOT_UNITS, None, bin_, Reason.OPENING)
        for p in products[1:]:
            move_stock(p.id, 1000, None, bin_, Reason.OPENING)
        db.session.commit()


def wrk(hostport: str, mode: str, seconds: int) -> dict:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CLIENTS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(Path(__file__).parent / "lua" / "orders.lua"),
            f"http://{hostport}",
            "--",
            mode,
            TOKEN,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main() -> int:
    # Commits wait for the disk, as in production: the ceiling is measured the same way.
    with postgres(fsync="on", synchronous_commit="on", full_page_writes="on") as cluster:
        url = cluster.create_database("flash")
        app = make_app(url)
        migrate(app)
        set_up(app)
        psql(
            cluster,
            "flash",
            """
            CREATE TABLE bench_stock (sku text PRIMARY KEY, on_hand int, reserved int);
            INSERT INTO bench_stock VALUES ('HOT', 1000000000, 0);
            INSERT INTO bench_stock SELECT 'S' || g, 1000000000, 0 FROM generate_series(1, 1000) g;
        """,
        )
        log("measuring the pgbench ceiling ...")
        hot_ceiling = pgbench(cluster, "flash", HOT_CEILING_SQL, CLIENTS)
        spread_ceiling = pgbench(cluster, "flash", SPREAD_CEILING_SQL, CLIENTS)
        with gunicorn(url, workers=WORKERS, threads=THREADS) as hostport:
            log("warming up ...")
            run_load(hostport, 4, [("GET", "/healthz", None, {})] * 200)
            log(f"hot SKU: {CLIENTS} clients for {SECONDS} s, {HOT_UNITS} units")
            hot = wrk(hostport, "hot", SECONDS)
            log(f"spread over {SPREAD_SKUS} SKUs: {CLIENTS} clients for {SECONDS} s")
            spread = wrk(hostport, "spread", SECONDS)
        reserved = int(
            psql(
                cluster,
                "flash",
                """
            SELECT qty_reserved FROM product_stock ps JOIN products p ON p.id = ps.product_id
             WHERE p.sku = 'HOT'""",
            )
        )
        stored_hot = int(
            psql(
                cluster,
                "flash",
                """
            SELECT count(*) FROM order_lines l JOIN products p ON p.id = l.product_id
             WHERE p.sku = 'HOT'""",
            )
        )
        stored_all = int(psql(cluster, "flash", "SELECT count(*) FROM orders"))
        differences = invariants(url)
    created = hot["created"] + spread["created"]
    lost = max(0, created - stored_all) + max(0, hot["created"] - stored_hot)
    oversold = max(0, reserved - HOT_UNITS)
    errors = hot["other"] + spread["other"] + hot["socket_errors"] + spread["socket_errors"]
    # Every stored hot order holds its unit. wrk stops at its deadline with one request
    # in flight per connection: the server takes those orders in, but their answers are
    # never read, so up to CLIENTS more orders are stored than wrk counted accepted.
    unread = stored_hot - hot["created"]
    if reserved != stored_hot or not 0 <= unread <= CLIENTS:
        log(f"hot SKU: {hot['created']} accepted, {stored_hot} stored, {reserved} reserved")
        errors += 1
    hot_rate = hot["requests"] / hot["seconds"]
    spread_rate = spread["requests"] / spread["seconds"]
    result = {
        "bench": "flash_sale",
        "clients": CLIENTS,
        "orders": hot["requests"],
        "accepted": hot["created"],
        "stored": stored_hot,
        "refused": hot["refused"],
        "orders_per_s": round(hot_rate, 1),
        "p50_ms": hot["p50_ms"],
        "p99_ms": hot["p99_ms"],
        "oversold": oversold,
        "lost": lost,
        "errors": errors,
        "invariants": differences,
        "ceiling_tps": round(hot_ceiling, 1),
        "ratio": round(hot_rate / hot_ceiling, 3),
        "spread": {
            "skus": SPREAD_SKUS,
            "orders": spread["requests"],
            "orders_per_s": round(spread_rate, 1),
            "p50_ms": spread["p50_ms"],
            "p99_ms": spread["p99_ms"],
            "ceiling_tps": round(spread_ceiling, 1),
            "ratio": round(spread_rate / spread_ceiling, 3),
        },
    }
    emit(result)
    return 1 if oversold or lost or errors or differences else 0


if __name__ == "__main__":
    sys.exit(main())
