"""Benchmark: every dashboard tile's server time at size.

PostgreSQL holds 1,000,000 ledger rows (the last day's share moving today)
and 100,000 orders with their lines (a fifth still waiting); the app runs
under gunicorn; a supervisor's session asks each tile 30 times. Prints one
JSON line with p50 and p99 server time per tile (Server-Timing) and the
slowest p99; ends with ``flask verify``'s check of every stored counter and exits 1 on
any error or difference.
"""

from __future__ import annotations

import http.client
import re
import statistics
import sys
from urllib.parse import urlencode

from _support import (
    counters_from_rows_sql,
    emit,
    gunicorn,
    invariants,
    log,
    make_app,
    migrate,
    postgres,
    psql,
)

ORDERS = 100_000
LEDGER_ROWS = 1_000_000
SKUS = 2_000
ROUNDS = 30
# Orders 3 and 4 of every 5 are shipped, three lines each.
SHIPPED_LINES = 3 * sum(1 for g in range(1, ORDERS + 1) if g % 5 in (3, 4))
TILES = ("backlog", "crossdock", "throughput", "orders", "preorders", "exceptions", "alerts")

SEED_SQL = f"""
INSERT INTO users (username, full_name, password_hash, badge_code, role, active, created_at)
VALUES ('boss', 'Boss', '{{hash}}', 'BB-1', 'supervisor', true, now());
INSERT INTO users (username, full_name, password_hash, badge_code, role, active, created_at)
SELECT 'op' || g, 'Operator ' || g, 'x', 'OB-' || g, 'operator', true, now()
  FROM generate_series(1, 20) g;
INSERT INTO channels (code, name, active, created_at) VALUES ('bench', 'Bench', true, now());
INSERT INTO locations (code, name, kind, zone, walk_seq, capacity, active, created_at)
SELECT 'L' || g, '', 'staging_lane', '', g, 6, true, now() FROM generate_series(1, 8) g;
INSERT INTO locations (code, name, kind, zone, walk_seq, capacity, active, created_at)
VALUES ('QUAR-1', '', 'quarantine', '', 100, NULL, true, now());
INSERT INTO locations (code, name, kind, zone, walk_seq, capacity, active, created_at)
SELECT 'B-' || g, '', 'bin', '', 1000 + g, 40, true, now() FROM generate_series(1, 3000) g;
INSERT INTO products (sku, name, weight_g, length_mm, width_mm, height_mm, unit_cost_cents,
                      allow_backorder, safety_stock, active, created_at, updated_at, release_on,
                      preorder_cap)
SELECT 'P' || g, 'Product ' || g, 100, 10, 10, 10, 100, true, 0, true, now(), now(),
       CASE WHEN g % 100 = 0 THEN current_date + 20 END,
       CASE WHEN g % 100 = 0 THEN 500 END
  FROM generate_series(1, {SKUS}) g;
INSERT INTO product_stock (product_id, qty_sellable, qty_reserved, qty_preordered, qty_waiting)
SELECT id, 50, 10, CASE WHEN id % 100 = 0 THEN 40 ELSE 0 END, 5 FROM products;
INSERT INTO orders (channel_id, external_id, body_hash, customer_name, customer_email, ship_to,
                    service_level, priority, placed_at, promised_on, partial_allowed,
                    capture_before_ship, status, created_at, updated_at, shipped_at)
SELECT 1, 'E' || g, '', 'c', '', '{{}}', 'standard', 1 + (g % 3 = 0)::int,
       now() - ((g % 43200) || ' minutes')::interval, current_date - (g % 30) + 2, false, false,
       (ARRAY['waiting','ready_to_pick','ready_to_pack','shipped','shipped'])[1 + g % 5],
       now() - ((g % 43200) || ' minutes')::interval, now(),
       CASE WHEN g % 5 IN (3, 4) THEN now() - ((g % 43200) || ' minutes')::interval END
  FROM generate_series(1, {ORDERS}) g;
INSERT INTO order_lines (order_id, line_no, product_id, kind, qty, qty_reserved, qty_waiting,
                         qty_shipped, qty_cancelled, priority, placed_at)
SELECT o.id, n, 1 + ((o.id * 7 + n) % {SKUS}),
       CASE WHEN o.status <> 'shipped' AND (o.id * 7 + n + 1) % 100 = 0 THEN 'preorder'
            WHEN o.status = 'waiting' THEN 'backorder' ELSE 'stock' END, 1,
       CASE WHEN o.status IN ('ready_to_pick', 'ready_to_pack') THEN 1 ELSE 0 END,
       CASE WHEN o.status = 'waiting' THEN 1 ELSE 0 END,
       CASE WHEN o.status = 'shipped' THEN 1 ELSE 0 END, 0, o.priority, o.placed_at
  FROM orders o, generate_series(1, 3) n;
INSERT INTO lane_assignments (order_id, lane_id, position, assigned_at, first_unit_at,
                              released_at)
SELECT o.id, 1 + (o.id % 8), 1, o.shipped_at - interval '5 hours',
       o.shipped_at - interval '4 hours', o.shipped_at
  FROM orders o WHERE o.status = 'shipped' AND o.id % 10 = 3;
-- Each shipped unit came off a shelf and left under its order's number.
INSERT INTO movements (product_id, qty, from_location_id, to_location_id, reason, reference,
                       user_id, created_at)
SELECT l.product_id, l.qty_shipped, s.from_id, s.to_id, s.reason,
       CASE WHEN s.reason = 'ship' THEN 'W-' || (10000 + o.id) ELSE 'hist' END, 2,
       o.shipped_at - s.before
  FROM order_lines l JOIN orders o ON o.id = l.order_id,
       (VALUES (NULL::int, 10, 'putaway', interval '1 day'),
               (10, NULL::int, 'ship', interval '0 s')) s (from_id, to_id, reason, before)
 WHERE l.qty_shipped > 0;
INSERT INTO movements (product_id, qty, from_location_id, to_location_id, reason, reference,
                       user_id, created_at)
SELECT 1 + (g % {SKUS}), 1 + g % 3, NULL, 10 + g % 3000,
       (ARRAY['receive','pick','pack','ship','putaway','cross_dock'])[1 + g % 6], 'hist',
       2 + g % 20, now() - ((g % 30 * 1440 + g % 1440) || ' minutes')::interval
  FROM generate_series(1, {LEDGER_ROWS - 2 * SHIPPED_LINES}) g;
INSERT INTO movements (product_id, qty, from_location_id, to_location_id, reason, reference,
                       created_at)
SELECT id, 2, NULL, 9, 'quarantine', 'hist', now() FROM products WHERE id % 50 = 0;
{counters_from_rows_sql()}
"""


def main() -> int:
    from werkzeug.security import generate_password_hash

    with postgres() as cluster:
        url = cluster.create_database("dash")
        migrate(make_app(url))
        log("loading 100,000 orders and 1,000,000 ledger rows ...")
        psql(cluster, "dash", SEED_SQL.replace("{hash}", generate_password_hash("bench-pass")))
        psql(cluster, "dash", "VACUUM ANALYZE")  # as autovacuum keeps a live database
        timings: dict[str, list[float]] = {t: [] for t in TILES}
        errors = 0
        with gunicorn(url, workers=2, threads=2) as hostport:
            host, port = hostport.split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            conn.request("GET", "/login")
            response = conn.getresponse()
            page = response.read().decode()
            cookie = response.getheader("Set-Cookie").split(";")[0]
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            conn.request(
                "POST",
                "/login",
                body=urlencode({"username": "boss", "password": "bench-pass", "csrf_token": token}),
                headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
            )
            response = conn.getresponse()
            response.read()
            cookie = response.getheader("Set-Cookie").split(";")[0]
            for round_no in range(ROUNDS + 2):
                for tile in TILES:
                    conn.request(
                        "GET",
                        f"/dashboard/tile/{tile}",
                        headers={"Cookie": cookie, "HX-Request": "true"},
                    )
                    r = conn.getresponse()
                    r.read()
                    if r.status != 200:
                        errors += 1
                        continue
                    if round_no >= 2:  # two rounds to warm up
                        timings[tile].append(float(r.getheader("Server-Timing").split("dur=")[1]))
        differences = invariants(url)
    per_tile = {
        t: {
            "p50_ms": round(statistics.median(v), 2),
            "p99_ms": round(sorted(v)[min(len(v) - 1, int(len(v) * 0.99))], 2),
        }
        for t, v in timings.items()
        if v
    }
    worst = max((v["p99_ms"] for v in per_tile.values()), default=0.0)
    emit(
        {
            "bench": "dashboard_tiles",
            "ledger_rows": LEDGER_ROWS,
            "orders": ORDERS,
            "tiles": per_tile,
            "slowest_p99_ms": worst,
            "target_ms": 100,
            "errors": errors,
            "invariants": differences,
        }
    )
    return 1 if errors or differences else 0


if __name__ == "__main__":
    sys.exit(main())
