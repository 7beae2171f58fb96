"""Benchmark: grading returned items on the returns bench, and the returns report.

PostgreSQL holds 100,000 waiting backorder lines over 5,000 SKUs and
1,000,000 ledger rows, like the receive benchmark, plus a history of
returns. The app runs under gunicorn. 1 and 4 clerks, each with an RMA of
300 lines on the bench, scan an item of it and grade it (half resellable,
which goes to the lane of a waiting order; the rest to rework or
quarantine) through the real endpoints; server time per item is the sum of
the two requests' Server-Timing. The ceiling is pgbench running the
statements of a resellable grade at the same concurrency. The report (30
days) is timed with 10,000 and with 100,000 returns in the history.
Ends with ``flask verify``'s check of every stored counter. Prints one JSON
line; exits 1 on any error or difference.
"""

from __future__ import annotations

import random
import statistics
import sys
import threading
import time

from _support import (
    FloorClient,
    backlog_sql,
    counters_from_rows_sql,
    emit,
    gunicorn,
    invariants,
    lanes_and_bins_sql,
    log,
    make_app,
    migrate,
    pgbench,
    postgres,
    psql,
)

SKUS = 5_000
WAITING_LINES = 100_000
LEDGER_ROWS = 1_000_000
CLERKS = (1, 4)
LINES_PER_RMA = 300
SECONDS = 8
HISTORY = (10_000, 100_000)


def shipped_sql(which_lines: str) -> str:
    """The ledger of the shipped lines ``which_lines`` picks: each unit was on a shelf (the
    first bin) and left the building under its order's number."""
    return f"""
INSERT INTO movements (product_id, qty, from_location_id, to_location_id, reason, reference,
                       created_at)
SELECT product_id, qty_shipped, NULL, 45, 'opening', 'history', placed_at
  FROM order_lines WHERE {which_lines}
UNION ALL
SELECT product_id, qty_shipped, 45, NULL, 'ship', 'W-' || (10000 + order_id), placed_at
  FROM order_lines WHERE {which_lines};
"""


# Ids: locations RET-1 = 1, RWK-1 = 2, QUAR-1 = 3, EXC-1 = 4, lanes 5-44, bins after;
# orders: the waiting ones first, then one shipped order per clerk, then the history.
SEED_SQL = f"""
INSERT INTO users (username, full_name, password_hash, badge_code, role, active, created_at)
SELECT 'c' || g, 'Clerk ' || g, '{{hash}}', 'CB-' || g,
       CASE WHEN g = 0 THEN 'supervisor' ELSE 'operator' END, true, now()
  FROM generate_series(0, {max(CLERKS)}) g;
INSERT INTO locations (code, name, kind, zone, walk_seq, capacity, active, created_at)
VALUES ('RET-1', '', 'returns', '', 1, NULL, true, now()),
       ('RWK-1', '', 'rework', '', 2, NULL, true, now()),
       ('QUAR-1', '', 'quarantine', '', 3, NULL, true, now()),
       ('EXC-1', '', 'exceptions', '', 4, NULL, true, now());
{lanes_and_bins_sql()}
{backlog_sql(SKUS, WAITING_LINES, LEDGER_ROWS, ledger_location_id=45, history_seconds=2500000)}

-- One shipped order and one RMA of {LINES_PER_RMA} lines per clerk: R-10001, R-10002, ...
INSERT INTO orders (channel_id, external_id, body_hash, customer_name, customer_email, ship_to,
                    service_level, priority, placed_at, partial_allowed, capture_before_ship,
                    status, created_at, updated_at, shipped_at)
SELECT 1, 'S' || g, '', 'c', '', '{{}}', 'standard', 2, now(), false, false, 'shipped',
       now(), now(), now()
  FROM generate_series(1, {max(CLERKS)}) g;
INSERT INTO order_lines (order_id, line_no, product_id, kind, qty, qty_reserved, qty_waiting,
                         qty_shipped, qty_cancelled, priority, placed_at)
SELECT {WAITING_LINES} + c, n, 1 + ((c * {LINES_PER_RMA} + n) % {SKUS}), 'stock', 1000, 0, 0,
       1000, 0, 2, now()
  FROM generate_series(1, {max(CLERKS)}) c, generate_series(1, {LINES_PER_RMA}) n;
INSERT INTO return_authorisations (channel_id, external_id, body_hash, order_id, status, note,
    created_at, updated_at, label_status, label_key, label_error, label_format, carrier,
    tracking_url)
SELECT 1, 'RMA-' || c, '', {WAITING_LINES} + c, 'authorised', '', now(), now(), 'none', '',
       '', '', '', ''
  FROM generate_series(1, {max(CLERKS)}) c;
INSERT INTO return_lines (rma_id, line_no, order_line_id, product_id, qty_authorised,
    qty_received, reason, wish, decision_qty, decision_note)
SELECT l.order_id - {WAITING_LINES}, l.line_no, l.id, l.product_id, 1000, 0, 'defective',
       'refund', 0, ''
  FROM order_lines l WHERE l.order_id > {WAITING_LINES};
{shipped_sql(f"order_id > {WAITING_LINES}")}
{counters_from_rows_sql()}
ANALYZE;
"""


def history_sql(first: int, count: int) -> str:
    """``count`` past returns of one unit each, made and received over the last 30 days."""
    return f"""
WITH o AS (
  INSERT INTO orders (channel_id, external_id, body_hash, customer_name, customer_email,
                      ship_to, service_level, priority, placed_at, partial_allowed,
                      capture_before_ship, status, line_count, created_at, updated_at, shipped_at)
  SELECT 1, 'H' || g, '', 'c', '', '{{}}', 'standard', 2, now(), false, false, 'shipped',
         1, now(), now(), now()
    FROM generate_series({first}, {first + count - 1}) g
  RETURNING id),
l AS (
  INSERT INTO order_lines (order_id, line_no, product_id, kind, qty, qty_reserved, qty_waiting,
                           qty_shipped, qty_cancelled, priority, placed_at)
  SELECT id, 1, 1 + (id % {SKUS}), 'stock', 1, 0, 0, 1, 0, 2, now() FROM o
  RETURNING id, order_id, product_id),
shipped AS (
  INSERT INTO movements (product_id, qty, from_location_id, to_location_id, reason, reference,
                         created_at)
  SELECT product_id, 1, NULL, 45, 'opening', 'history', now() FROM l
  UNION ALL
  SELECT product_id, 1, 45, NULL, 'ship', 'W-' || (10000 + order_id), now() FROM l),
r AS (
  INSERT INTO return_authorisations (channel_id, external_id, body_hash, order_id, status, note,
      created_at, updated_at, label_status, label_key, label_error, label_format, carrier,
      tracking_url)
  SELECT 1, NULL, '', id, 'received', '', now() - ((id % 2500000) || ' seconds')::interval,
         now(), 'none', '', '', '', '', ''
    FROM o
  RETURNING id, order_id, created_at),
rl AS (
  INSERT INTO return_lines (rma_id, line_no, order_line_id, product_id, qty_authorised,
      qty_received, reason, wish, decision_qty, decision_note)
  SELECT r.id, 1, l.id, l.product_id, 1, 1,
         (ARRAY['damaged_in_transit','defective','wrong_item','not_as_described',
                'changed_mind','other'])[1 + r.id % 6], 'refund', 0, ''
    FROM r JOIN l ON l.order_id = r.order_id
  RETURNING id, rma_id, product_id),
items AS (
  INSERT INTO return_items (rma_id, return_line_id, product_id, scanned_code, qty, grade,
      location_id, note, received_by, received_at, outcome, outcome_note)
  SELECT rl.rma_id, rl.id, rl.product_id, 'BC' || rl.product_id, 1,
         (ARRAY['resellable','rework','damaged'])[1 + rl.id % 3], 1 + rl.id % 3, '', 1,
         r.created_at, '', ''
    FROM rl JOIN r ON r.id = rl.rma_id
  RETURNING rma_id, product_id, qty, location_id, received_at),
returned AS (
  -- Each item entered at the returns bench (RET-1) and went on to its grade's place.
  INSERT INTO movements (product_id, qty, from_location_id, to_location_id, reason, reference,
                         created_at)
  SELECT product_id, qty, NULL, 1, 'return', 'R-' || (10000 + rma_id), received_at FROM items
  UNION ALL
  SELECT product_id, qty, 1, location_id, 'return', 'R-' || (10000 + rma_id), received_at
    FROM items WHERE location_id <> 1)
INSERT INTO stock (product_id, location_id, qty_on_hand)
SELECT product_id, location_id, sum(qty) FROM items GROUP BY product_id, location_id
ON CONFLICT (product_id, location_id)
   DO UPDATE SET qty_on_hand = stock.qty_on_hand + excluded.qty_on_hand;
ANALYZE;
"""


# The statements of a resellable grade, for pgbench.
CEILING_SQL = f"""
\\set c random(1, {max(CLERKS)})
\\set n random(1, {LINES_PER_RMA})
\\set p 1 + ((:c * {LINES_PER_RMA} + :n) % {SKUS})
BEGIN;
SELECT id FROM barcodes WHERE code = 'BC' || :p;
SELECT id FROM return_lines WHERE rma_id = :c AND product_id = :p;
UPDATE return_lines SET qty_received = qty_received + 1
 WHERE rma_id = :c AND product_id = :p AND qty_received + 1 <= qty_authorised;
INSERT INTO stock (product_id, location_id, qty_on_hand) VALUES (:p, 1, 1)
  ON CONFLICT (product_id, location_id) DO UPDATE SET qty_on_hand = stock.qty_on_hand + 1;
INSERT INTO movements (product_id, qty, to_location_id, reason, reference, created_at)
  VALUES (:p, 1, 1, 'return', 'x', now());
UPDATE product_stock SET qty_sellable = qty_sellable + 1, qty_reserved = qty_reserved + 1,
  qty_waiting = qty_waiting - 1 WHERE product_id = :p;
SELECT id FROM order_lines WHERE product_id = :p AND qty_waiting > 0
  ORDER BY priority, placed_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
UPDATE stock SET qty_on_hand = qty_on_hand - 1 WHERE product_id = :p AND location_id = 1;
INSERT INTO movements (product_id, qty, from_location_id, to_location_id, reason, reference,
  created_at) VALUES (:p, 1, 1, 5, 'return', 'x', now());
INSERT INTO return_items (rma_id, product_id, scanned_code, qty, grade, location_id, note,
  received_by, received_at, outcome, outcome_note)
  VALUES (:c, :p, 'x', 1, 'resellable', 5, '', 1, now(), '', '');
END;
"""


# Put back what pgbench changed, so the app starts from the seeded state.
UNDO_CEILING_SQL = f"""
DELETE FROM return_items WHERE scanned_code = 'x';
DELETE FROM movements WHERE reference = 'x';
UPDATE return_lines SET qty_received = 0 WHERE rma_id <= {max(CLERKS)};
{counters_from_rows_sql()}
ANALYZE;
"""


class Client(FloorClient):
    def scan(self, code: str) -> tuple[int, str, float]:
        self.n += 1
        return self.request(
            "POST", "/returns/receive/scan", {"code": code, "scan_id": f"{id(self)}-{self.n}"}, True
        )


class Clerk(Client):
    def __init__(self, hostport: str, number: int) -> None:
        super().__init__(hostport, f"c{number}")
        self.products = [1 + ((number * LINES_PER_RMA + n) % SKUS) for n in range(1, 301)]
        status, body, _ = self.scan(f"R-{10000 + number}")
        if status != 200:
            raise RuntimeError(f"start failed: {status} {body[:200]}")

    def grade_once(self, rng: random.Random) -> tuple[bool, float]:
        """Scan an item and grade it: (ok, server ms)."""
        status, page, first = self.scan(f"BC{rng.choice(self.products)}")
        if status != 200 or 'data-state="grade"' not in page:
            return False, 0.0
        status, page, second = self.scan(rng.choice("1112223"))
        return status == 200 and "dest-where" in page, first + second


def run(clerks: list[Clerk], seconds: float) -> dict:
    results: list[list[tuple[bool, float]]] = [[] for _ in clerks]
    stop = time.monotonic() + seconds
    barrier = threading.Barrier(len(clerks))

    def work(i: int) -> None:
        rng = random.Random(i)
        barrier.wait()
        while time.monotonic() < stop:
            results[i].append(clerks[i].grade_once(rng))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clerks))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    flat = [r for rs in results for r in rs]
    server = sorted(r[1] for r in flat if r[0])
    return {
        "items": len(flat),
        "errors": sum(1 for r in flat if not r[0]),
        "per_s": len(flat) / elapsed,
        "p50": statistics.median(server) if server else 0.0,
        "p99": server[min(len(server) - 1, int(len(server) * 0.99))] if server else 0.0,
    }


def time_report(supervisor: Client, times: int = 15) -> tuple[float, int]:
    """(median server ms of the 30-day report, errors)."""
    server, errors = [], 0
    for _ in range(times):
        status, page, ms = supervisor.request("GET", "/returns/report")
        if status != 200 or "By product" not in page:
            errors += 1
        server.append(ms)
    return round(statistics.median(server), 2), errors


def main() -> int:
    from werkzeug.security import generate_password_hash

    with postgres(fsync="on", synchronous_commit="on", full_page_writes="on") as cluster:
        url = cluster.create_database("returns")
        migrate(make_app(url))
        log("loading 100,000 waiting lines, 5,000 SKUs, 1,000,000 ledger rows and RMAs ...")
        psql(cluster, "returns", SEED_SQL.replace("{hash}", generate_password_hash("bench-pass")))
        psql(cluster, "returns", history_sql(1, HISTORY[0]))
        ceilings = {c: pgbench(cluster, "returns", CEILING_SQL, c, seconds=4) for c in CLERKS}
        psql(cluster, "returns", UNDO_CEILING_SQL)
        figures = {}
        report_ms = {}
        report_errors = 0
        with gunicorn(url, workers=4, threads=4) as hostport:
            supervisor = Client(hostport, "c0")
            report_ms[str(HISTORY[0])], errs = time_report(supervisor)
            report_errors += errs
            clerks = [Clerk(hostport, i) for i in range(1, max(CLERKS) + 1)]
            run(clerks[:1], 2)  # warm up
            for c in CLERKS:
                log(f"{c} clerk(s) for {SECONDS} s ...")
                figures[c] = run(clerks[:c], SECONDS)
            log(f"growing the history to {HISTORY[1]:,} returns ...")
            psql(cluster, "returns", history_sql(HISTORY[0] + 1, HISTORY[1] - HISTORY[0]))
            # Loading took longer than the server keeps an idle connection: sign in again.
            supervisor = Client(hostport, "c0")
            report_ms[str(HISTORY[1])], errs = time_report(supervisor)
            report_errors += errs
        differences = invariants(url)
    errors = sum(f["errors"] for f in figures.values()) + report_errors
    emit(
        {
            "bench": "returns_grade",
            "waiting_lines": WAITING_LINES,
            "ledger_rows": LEDGER_ROWS,
            "p50_ms": {str(c): round(f["p50"], 2) for c, f in figures.items()},
            "p99_ms": {str(c): round(f["p99"], 2) for c, f in figures.items()},
            "items_per_s": {str(c): round(f["per_s"], 1) for c, f in figures.items()},
            "errors": errors,
            "ceiling_tps": {str(c): round(t, 1) for c, t in ceilings.items()},
            "ratio": {str(c): round(figures[c]["per_s"] / ceilings[c], 3) for c in CLERKS},
            "report_ms_by_returns": report_ms,
            "invariants": differences,
        }
    )
    return 1 if errors or differences else 0


if __name__ == "__main__":
    sys.exit(main())
