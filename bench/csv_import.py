"""Benchmark: a product CSV import (check every chunk, then write all rows at once) on PostgreSQL.

Runs at 1,000 and 10,000 rows. The ceiling is the bare write of the same rows
(products, barcodes, stock counters) with executemany in one transaction, in
the same run; ``ratio`` is ceiling / import at 10,000 rows. Exits non-zero
when a row is lost or the cost per row grows more than 2x between the sizes.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import emit, invariants, log, make_app, migrate, postgres

from wms.base.codes import gs1_check_digit

SIZES = (1_000, 10_000)


def ean(n: int, run: int) -> str:
    body = f"2{run:02d}{n:09d}"
    return body + str(gs1_check_digit(body))


def products_csv(count: int, run: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sku", "name", "weight_g", "unit_cost", "safety_stock", "barcodes"])
    for i in range(count):
        codes = f"ean13:{ean(i, run)}" + (f"; internal:C{run}-{i}:12" if i % 50 == 0 else "")
        writer.writerow(
            [f"B{run}-{i:06d}", f"Item {i}", 100 + i % 90, f"{i % 70}.95", i % 6, codes]
        )
    return out.getvalue()


def timed_import(app, content: str) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from wms.admin.services import imports
    from wms.extensions import db
    from wms.inventory.models import Product

    with app.app_context():
        job = imports.start_import("products", "bench.csv", content.encode(), None)
        db.session.commit()
        start = time.perf_counter()
        while imports.get_job(job.id).status == "checking":
            imports.check_next_chunk(job.id)
            db.session.commit()  # one poll, one transaction
        checked = time.perf_counter()
        imports.apply_import(job.id, None)
        db.session.commit()
        done = time.perf_counter()
        prefix = content.split("\n", 2)[1].split("-")[0]
        written = db.session.scalar(select(func.count()).where(Product.sku.like(f"{prefix}-%")))
        db.session.remove()
    return checked - start, done - checked, int(written or 0)


def bare_write(app, count: int, run: int) -> float:  # type: ignore[no-untyped-def]
    """The same rows written with no checking at all: the floor under any import."""
    from sqlalchemy import insert

    from wms.extensions import db
    from wms.inventory.models import Barcode, Product, ProductStock

    with app.app_context():
        start = time.perf_counter()
        rows = [
            {"sku": f"C{run}-{i:06d}", "name": f"Item {i}", "unit_cost_cents": 995}
            for i in range(count)
        ]
        table = Product.__table__
        ids = list(
            db.session.scalars(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
            )
        )
        db.session.execute(
            insert(Barcode.__table__),
            [
                {"product_id": pid, "code": ean(i, run), "kind": "ean13"}
                for i, pid in enumerate(ids)
            ],
        )
        db.session.execute(insert(ProductStock.__table__), [{"product_id": pid} for pid in ids])
        db.session.commit()
        elapsed = time.perf_counter() - start
        db.session.remove()
    return elapsed


def main() -> int:
    with postgres() as cluster:
        url = cluster.create_database("bench_import")
        app = make_app(url)
        migrate(app)
        results = {}
        for run, size in enumerate(SIZES, start=10):
            content = products_csv(size, run)
            log(f"importing {size} rows")
            check_s, write_s, written = timed_import(app, content)
            ceiling_s = bare_write(app, size, run + 50)
            results[size] = (check_s, write_s, written, ceiling_s)
        differences = invariants(url)
    small, large = results[SIZES[0]], results[SIZES[1]]
    per_row = [(r[0] + r[1]) / size for size, r in results.items()]
    growth = per_row[1] / per_row[0]
    lost = sum(size - r[2] for size, r in results.items())
    result = {
        "bench": "csv_import",
        "rows": SIZES[1],
        "check_s": round(large[0], 3),
        "write_s": round(large[1], 3),
        "rows_per_s": round(SIZES[1] / (large[0] + large[1]), 1),
        "rows_1k_s": round(small[0] + small[1], 3),
        "per_row_growth": round(growth, 2),
        "lost": lost,
        "ceiling_s": round(large[3], 3),
        "ratio": round(large[3] / (large[0] + large[1]), 3),
        "invariants": differences,
    }
    emit(result)
    return 1 if lost or growth > 2 or differences else 0


if __name__ == "__main__":
    sys.exit(main())
