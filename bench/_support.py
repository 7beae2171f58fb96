"""Shared pieces of the server benchmarks: a throwaway PostgreSQL, the app under
gunicorn, pgbench for the ceiling, and a keep-alive HTTP load generator."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from wms.devtools.pgcluster import Cluster  # noqa: E402


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def postgres(**settings: str) -> Iterator[Cluster]:
    cluster = Cluster(settings=settings).start()
    try:
        yield cluster
    finally:
        cluster.stop()


def make_app(url: str) -> Any:
    os.environ["WMS_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="wms-bench-")
    from wms import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})


def migrate(app: Any) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        from wms.extensions import db

        upgrade()
        db.session.remove()
        db.engine.dispose()  # no idle connection left behind (a template copy needs none)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(url: str, workers: int = 4, threads: int = 8) -> Iterator[str]:
    """The app with production settings on 127.0.0.1; yields host:port."""
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
            "-c",
            "python:wms.gunicorn_conf",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            "wms:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield f"127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def pgbench(cluster: Cluster, dbname: str, script: str, clients: int, seconds: int = 5) -> float:
    """Transactions per second of ``script`` at ``clients`` connections."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
        path = f.name
    out = subprocess.run(
        [
            str(cluster.bindir / "pgbench"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            cluster.superuser,
            "-n",
            "-c",
            str(clients),
            "-j",
            str(min(clients, 2)),
            "-T",
            str(seconds),
            "-f",
            path,
            dbname,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(path)
    match = re.search(r"tps = ([\d.]+)", out)
    if not match:
        raise RuntimeError(out)
    return float(match.group(1))


def psql(cluster: Cluster, dbname: str, sql: str) -> str:
    return subprocess.run(
        [
            str(cluster.bindir / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            cluster.superuser,
            "-d",
            dbname,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAt",
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@dataclass
class Outcome:
    status: int
    ms: float
    body: Any = None
    at: float = 0.0  # time.monotonic() when the answer was read
    index: int = 0  # the request's place in the list sent


@dataclass
class LoadResult:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_s(self) -> float:
        return len(self.outcomes) / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        times = sorted(o.ms for o in self.outcomes)
        if not times:
            return 0.0
        return round(times[min(len(times) - 1, int(len(times) * p))], 2)

    @property
    def median(self) -> float:
        return round(statistics.median(o.ms for o in self.outcomes), 2) if self.outcomes else 0.0


def run_load(
    hostport: str,
    clients: int,
    requests: list[tuple[str, str, bytes | None, dict[str, str]]],
    keep: Callable[[int, Any], Any] | None = None,
    timeout: float = 30,
) -> LoadResult:
    """Send ``requests`` (method, path, body, headers) from ``clients`` keep-alive connections."""
    host, port = hostport.split(":")
    chunks = [list(enumerate(requests))[i::clients] for i in range(clients)]
    results: list[list[Outcome]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        out = results[i]
        barrier.wait()
        for index, (method, path, body, headers) in chunks[i]:
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
                status, data = 0, b""
            ms = (time.perf_counter() - t0) * 1000
            kept = keep(status, data) if keep else None
            out.append(Outcome(status, ms, kept, time.monotonic(), index))
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    result = LoadResult([o for r in results for o in r], time.perf_counter() - t0)
    return result


def lanes_and_bins_sql() -> str:
    """40 unbounded staging lanes and 6,000 bins, after whatever locations came first."""
    return """
INSERT INTO locations (code, name, kind, zone, walk_seq, capacity, active, created_at)
SELECT 'L' || g, 'Lane ' || g, 'staging_lane', '', 100 + g, NULL, true, now()
  FROM generate_series(1, 40) g;
INSERT INTO locations (code, name, kind, zone, walk_seq, capacity, active, created_at)
SELECT 'B-' || lpad(g::text, 5, '0'), '', 'bin', '', 1000 + g, NULL, true, now()
  FROM generate_series(1, 6000) g;
"""


def backlog_sql(
    skus: int, waiting_lines: int, ledger_rows: int, ledger_location_id: int, history_seconds: int
) -> str:
    """Products with barcodes BC<id>, one waiting backorder line per order spread evenly
    over them (an expedited one in three), and a ledger history that nets to nothing:
    each unit received is shipped again, product by product."""
    return f"""
INSERT INTO channels (code, name, active, created_at) VALUES ('bench', 'Bench', true, now());
INSERT INTO products (sku, name, weight_g, length_mm, width_mm, height_mm, unit_cost_cents,
                      allow_backorder, safety_stock, active, created_at, updated_at)
SELECT 'R' || g, 'Product ' || g, 100, 10, 10, 10, 100, true, 0, true, now(), now()
  FROM generate_series(1, {skus}) g;
INSERT INTO barcodes (product_id, code, kind, units)
SELECT id, 'BC' || id, 'internal', 1 FROM products;
INSERT INTO product_stock (product_id, qty_sellable, qty_reserved, qty_preordered, qty_waiting)
SELECT id, 0, 0, 0, {waiting_lines // skus} FROM products;
INSERT INTO orders (channel_id, external_id, body_hash, customer_name, customer_email, ship_to,
                    service_level, priority, placed_at, partial_allowed, capture_before_ship,
                    status, line_count, backordered_lines, created_at, updated_at)
SELECT 1, 'E' || g, '', 'c', '', '{{}}', 'standard', 1 + (g % 3 = 0)::int,
       now() - (g || ' seconds')::interval, false, false, 'waiting', 1, 1, now(), now()
  FROM generate_series(1, {waiting_lines}) g;
INSERT INTO order_lines (order_id, line_no, product_id, kind, qty, qty_reserved, qty_waiting,
                         qty_shipped, qty_cancelled, priority, placed_at)
SELECT o.id, 1, 1 + (o.id % {skus}), 'backorder', 1, 0, 1, 0, 0, o.priority, o.placed_at
  FROM orders o;
INSERT INTO movements (product_id, qty, from_location_id, to_location_id, reason, reference,
                       created_at)
SELECT 1 + (g / 2 % {skus}), 1,
       CASE WHEN g % 2 = 0 THEN NULL ELSE {ledger_location_id} END,
       CASE WHEN g % 2 = 0 THEN {ledger_location_id} ELSE NULL END,
       CASE WHEN g % 2 = 0 THEN 'receive' ELSE 'ship' END, 'history',
       now() - ((g % {history_seconds}) || ' seconds')::interval
  FROM generate_series(0, {ledger_rows} - 1) g;
"""


def counters_from_rows_sql() -> str:
    """Every stored counter set from the rows it counts, as the app keeps them: on hand
    from the ledger, the product counters from stock and the order lines, each order's
    line counts from its lines. Seeds write rows in bulk, then run this once."""
    from wms.inventory.models import SELLABLE_KINDS

    sellable = ", ".join(f"'{kind.value}'" for kind in sorted(SELLABLE_KINDS))
    return f"""
DELETE FROM stock;
INSERT INTO stock (product_id, location_id, qty_on_hand)
SELECT product_id, location_id, sum(qty) FROM (
  SELECT product_id, to_location_id AS location_id, qty FROM movements
   WHERE to_location_id IS NOT NULL
  UNION ALL
  SELECT product_id, from_location_id, -qty FROM movements WHERE from_location_id IS NOT NULL
) m GROUP BY product_id, location_id HAVING sum(qty) <> 0;
INSERT INTO product_stock (product_id, qty_sellable, qty_reserved, qty_preordered, qty_waiting)
SELECT id, 0, 0, 0, 0 FROM products ON CONFLICT (product_id) DO NOTHING;
WITH lines AS (
  SELECT product_id, sum(qty_reserved) AS reserved, sum(qty_waiting) AS waiting,
         sum(CASE WHEN kind = 'preorder' THEN qty - qty_cancelled ELSE 0 END) AS preordered
    FROM order_lines GROUP BY product_id),
sellable AS (
  SELECT s.product_id, sum(s.qty_on_hand) AS qty FROM stock s
    JOIN locations l ON l.id = s.location_id
   WHERE l.kind IN ({sellable}) GROUP BY s.product_id)
UPDATE product_stock ps
   SET qty_sellable = coalesce(sellable.qty, 0),
       qty_reserved = coalesce(lines.reserved, 0),
       qty_waiting = coalesce(lines.waiting, 0),
       qty_preordered = coalesce(lines.preordered, 0)
  FROM products p
  LEFT JOIN lines ON lines.product_id = p.id
  LEFT JOIN sellable ON sellable.product_id = p.id
 WHERE p.id = ps.product_id;
WITH counts AS (
  SELECT order_id, count(*) AS n, count(*) FILTER (WHERE kind = 'backorder') AS back
    FROM order_lines GROUP BY order_id)
UPDATE orders o SET line_count = counts.n, backordered_lines = counts.back
  FROM counts WHERE counts.order_id = o.id;
"""


def invariants(url: str) -> int:
    """Run ``flask verify``'s check against the benchmark's database; log each difference
    and return how many there are. Every benchmark with a database ends with it."""
    from wms.extensions import db
    from wms.invariants import check_invariants

    app = make_app(url)
    started = time.perf_counter()
    with app.app_context():
        try:
            found = check_invariants()
        finally:
            db.session.remove()
            db.engine.dispose()
    log(
        f"flask verify's check: {len(found)} difference(s) in {time.perf_counter() - started:.1f} s"
    )
    for difference in found[:20]:
        log(f"invariant: {difference}")
    if len(found) > 20:
        log(f"invariant: ... and {len(found) - 20} more")
    return len(found)


class FloorClient:
    """A signed-in user on one keep-alive connection, as a handheld is."""

    def __init__(self, hostport: str, username: str, password: str = "bench-pass") -> None:
        host, port = hostport.split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=30)
        self.cookie = ""
        self.csrf = ""
        page = self.request("GET", "/login")[1]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        status, _, _ = self.request(
            "POST", "/login", {"username": username, "password": password, "csrf_token": token}
        )
        if status != 302:
            raise RuntimeError(f"login failed: {status}")
        page = self.request("GET", "/floor/scan")[1]
        self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)  # type: ignore[union-attr]
        self.n = 0

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None, hx: bool = False
    ) -> tuple[int, str, float]:
        """(status, body, server milliseconds from Server-Timing)."""
        # The benches' handhelds read English: they check a few words of some answers.
        headers = {"Accept-Language": "en"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if hx:
            headers["HX-Request"] = "true"
            headers["X-CSRFToken"] = self.csrf
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";")[0]
        timing = response.getheader("Server-Timing") or "app;dur=0"
        return response.status, text, float(timing.split("dur=")[1])


def emit(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)
