"""Benchmark: receive scans (scan a unit, get its routing, confirm its destination).

PostgreSQL holds 100,000 waiting backorder lines over 5,000 SKUs and
1,000,000 ledger rows; the app runs under gunicorn; 1, 4 and 16 receivers,
each logged in on its own connection, scan units of random SKUs and confirm
the destination each answer names, through the real endpoints. Server time
per scan is the sum of the two requests' Server-Timing. The ceiling is
pgbench running the statements of a scan at the same concurrency, as one
transaction each; its mean time per transaction is printed too.

Two floors are measured in the same run, at the same concurrency, as pairs
of requests (a scan is two): "signed_in", two empty scans, which the app
answers "Scan a unit" after signing the receiver in and loading their
receiving session, writing nothing; and "bare", two GET /healthz (one
SELECT 1, no sign-in, no template). A pair's server time and the pairs per
second are what the stack costs before a scan does any work. Ends with ``flask verify``'s check of
every stored counter. Prints one JSON line; exits 1 on any error or difference.
"""

from __future__ import annotations

import random
import re
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
CONCURRENCY = (1, 4, 16)
SECONDS = 8
FLOOR_SECONDS = 4
ASN = "ASN-BENCH"

SEED_SQL = f"""
INSERT INTO users (username, full_name, password_hash, badge_code, role, active, created_at)
SELECT 'r' || g, 'Receiver ' || g, '{{hash}}', 'RB-' || g, 'operator', true, now()
  FROM generate_series(1, 16) g;
INSERT INTO locations (code, name, kind, zone, walk_seq, capacity, active, created_at)
VALUES ('RCV-1', 'Dock', 'receiving', '', 1, NULL, true, now()),
       ('QUAR-1', 'Quarantine', 'quarantine', '', 2, NULL, true, now());
{lanes_and_bins_sql()}
{backlog_sql(SKUS, WAITING_LINES, LEDGER_ROWS, ledger_location_id=3, history_seconds=10**9)}
INSERT INTO inbounds (reference, kind, supplier, expected_at, status, created_at)
VALUES ('{ASN}', 'asn', 'Bench', now(), 'receiving', now());
INSERT INTO inbound_lines (inbound_id, product_id, qty_expected, qty_received, qty_damaged)
SELECT 1, id, 100000, 0, 0 FROM products;
{counters_from_rows_sql()}
ANALYZE;
"""

# The statements of one scan and its confirmation, for pgbench.
CEILING_SQL = f"""
\\set p random(1, {SKUS})
BEGIN;
SELECT id FROM barcodes WHERE code = 'BC' || :p;
UPDATE inbound_lines SET qty_received = qty_received + 1 WHERE inbound_id = 1 AND product_id = :p;
INSERT INTO stock (product_id, location_id, qty_on_hand) VALUES (:p, 1, 1)
  ON CONFLICT (product_id, location_id) DO UPDATE SET qty_on_hand = stock.qty_on_hand + 1;
UPDATE product_stock SET qty_sellable = qty_sellable + 1, qty_reserved = qty_reserved + 1,
  qty_waiting = qty_waiting - 1 WHERE product_id = :p;
INSERT INTO movements (product_id, qty, to_location_id, reason, reference, created_at)
  VALUES (:p, 1, 1, 'receive', 'x', now());
SELECT id FROM order_lines WHERE product_id = :p AND qty_waiting > 0
  ORDER BY priority, placed_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
UPDATE stock SET qty_on_hand = qty_on_hand - 1 WHERE product_id = :p AND location_id = 1;
INSERT INTO movements (product_id, qty, from_location_id, to_location_id, reason, reference,
  created_at) VALUES (:p, 1, 1, 4, 'cross_dock', 'x', now());
END;
"""


_reported: list[str] = []


def _report(message: str) -> None:
    """The first few failures, so a broken run says why."""
    if len(_reported) < 5:
        _reported.append(message)
        log(message)


class Receiver(FloorClient):
    def __init__(self, hostport: str, username: str) -> None:
        super().__init__(hostport, username)
        status, body, _ = self.request("POST", "/receive/start", {"code": ASN}, hx=True)
        if status != 204:
            raise RuntimeError(f"start failed: {status} {body[:200]}")

    def scan_once(self, rng: random.Random) -> tuple[bool, float, float]:
        """Scan a unit and confirm where it goes: (ok, server ms, wall ms)."""
        self.n += 1
        t0 = time.perf_counter()
        code = f"BC{rng.randint(1, SKUS)}"
        status, page, server1 = self.request(
            "POST", "/receive/scan", {"code": code, "scan_id": f"{id(self)}-{self.n}-u"}, hx=True
        )
        where = re.search(r'<p class="dest-where">\s*\w+ ([^<\s]+)', page)
        if status != 200 or where is None:
            _report(f"scan {code}: {status} {page[:300]!r}")
            return False, 0.0, 0.0
        status2, page2, server2 = self.request(
            "POST",
            "/receive/scan",
            {"code": where.group(1), "scan_id": f"{id(self)}-{self.n}-c"},
            hx=True,
        )
        if status2 != 200:
            _report(f"confirm {where.group(1)}: {status2} {page2[:300]!r}")
        return status2 == 200, server1 + server2, (time.perf_counter() - t0) * 1000

    def signed_in_pair(self, rng: random.Random) -> tuple[bool, float, float]:
        """Two empty scans, refused before any work: the app's floor under a scan."""
        t0 = time.perf_counter()
        server = 0.0
        for _ in range(2):
            self.n += 1
            status, page, ms = self.request(
                "POST", "/receive/scan", {"code": "", "scan_id": f"{id(self)}-{self.n}-e"}, hx=True
            )
            if status != 422 or "Scan a unit" not in page:
                _report(f"empty scan: {status} {page[:300]!r}")
                return False, 0.0, 0.0
            server += ms
        return True, server, (time.perf_counter() - t0) * 1000

    def bare_pair(self, rng: random.Random) -> tuple[bool, float, float]:
        """Two health checks: the web stack's floor, with one statement and no sign-in."""
        t0 = time.perf_counter()
        server = 0.0
        for _ in range(2):
            status, page, ms = self.request("GET", "/healthz")
            if status != 200:
                _report(f"healthz: {status} {page[:300]!r}")
                return False, 0.0, 0.0
            server += ms
        return True, server, (time.perf_counter() - t0) * 1000


def run(hostport: str, receivers: list[Receiver], seconds: float, step: str = "scan_once") -> dict:
    results: list[list[tuple[bool, float, float]]] = [[] for _ in receivers]
    stop = time.monotonic() + seconds
    barrier = threading.Barrier(len(receivers))

    def work(i: int) -> None:
        rng = random.Random(i)
        barrier.wait()
        while time.monotonic() < stop:
            results[i].append(getattr(receivers[i], step)(rng))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(receivers))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    flat = [r for rs in results for r in rs]
    server = sorted(r[1] for r in flat if r[0])
    return {
        "scans": len(flat),
        "errors": sum(1 for r in flat if not r[0]),
        "per_s": len(flat) / elapsed,
        "p50": statistics.median(server) if server else 0.0,
        "p99": server[min(len(server) - 1, int(len(server) * 0.99))] if server else 0.0,
    }


def main() -> int:
    from werkzeug.security import generate_password_hash

    with postgres(fsync="on", synchronous_commit="on", full_page_writes="on") as cluster:
        url = cluster.create_database("receive")
        migrate(make_app(url))
        log("loading 100,000 waiting lines, 5,000 SKUs and 1,000,000 ledger rows ...")
        psql(cluster, "receive", SEED_SQL.replace("{hash}", generate_password_hash("bench-pass")))
        # The ceiling runs on a copy, so its writes never mix with the app's.
        cluster.create_database("ceiling", template="receive")
        ceilings = {c: pgbench(cluster, "ceiling", CEILING_SQL, c, seconds=4) for c in CONCURRENCY}
        figures = {}
        with gunicorn(url, workers=4, threads=4) as hostport:
            receivers = [Receiver(hostport, f"r{i}") for i in range(1, max(CONCURRENCY) + 1)]
            run(hostport, receivers[:2], 2)  # warm up
            for c in CONCURRENCY:
                log(f"{c} receiver(s) for {SECONDS} s ...")
                figures[c] = run(hostport, receivers[:c], SECONDS)
            floors: dict[str, dict[int, dict]] = {"signed_in": {}, "bare": {}}
            for kind, runs in floors.items():
                for c in CONCURRENCY:
                    log(f"{c} receiver(s), {kind} floor, for {FLOOR_SECONDS} s ...")
                    runs[c] = run(hostport, receivers[:c], FLOOR_SECONDS, step=f"{kind}_pair")
        differences = invariants(url)
    floor_runs = [f for runs in floors.values() for f in runs.values()]
    errors = sum(f["errors"] for f in [*figures.values(), *floor_runs])
    result = {
        "bench": "receive_scan",
        "waiting_lines": WAITING_LINES,
        "skus": SKUS,
        "ledger_rows": LEDGER_ROWS,
        "p50_ms": {str(c): round(f["p50"], 2) for c, f in figures.items()},
        "p99_ms": {str(c): round(f["p99"], 2) for c, f in figures.items()},
        "scans_per_s": {str(c): round(f["per_s"], 1) for c, f in figures.items()},
        "errors": errors,
        "ceiling_tps": {str(c): round(t, 1) for c, t in ceilings.items()},
        "ratio": {str(c): round(figures[c]["per_s"] / ceilings[c], 3) for c in CONCURRENCY},
        # pgbench's mean time for one scan's statements, committed once (the app commits twice).
        "ceiling_latency_ms": {str(c): round(c / t * 1000, 2) for c, t in ceilings.items()},
        # Pairs of requests that do no work, through the same server.
        "floor": {
            kind: {
                "p50_ms": {str(c): round(f["p50"], 2) for c, f in runs.items()},
                "pairs_per_s": {str(c): round(f["per_s"], 1) for c, f in runs.items()},
            }
            for kind, runs in floors.items()
        },
    }
    result["invariants"] = differences
    emit(result)
    return 1 if errors or differences else 0


if __name__ == "__main__":
    sys.exit(main())
