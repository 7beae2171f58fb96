"""Benchmark: a 1,000-line pick list PDF, and 10,000 lines to check the cost per line.

Prints one JSON object as the last line of stdout; exits non-zero when the PDF is
wrong (page count, not a PDF).  ``seconds`` is the best of three renders; the data
is generated before the clock starts.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wms.base.codes import gs1_check_digit
from wms.prints.picklist import PickListLine, render_pick_list, rows_per_page

WAVE = "WAVE-BENCH-0001"
RUNS = 3


def synthetic_lines(count: int, seed: int = 42) -> list[PickListLine]:
    rnd = random.Random(seed)
    lines = []
    for i in range(count):
        aisle, bay, level = rnd.randrange(1, 40), rnd.randrange(1, 60), rnd.randrange(1, 6)
        product = rnd.randrange(1, 20_000)
        body = f"400{product:09d}"
        barcode = body + str(gs1_check_digit(body)) if product % 3 else ""
        lines.append(
            PickListLine(
                bin_code=f"A{aisle:02d}-{bay:02d}-{level}",
                walk_seq=aisle * 1000 + bay * 10 + level,
                sku=f"SKU-{product:05d}",
                product_name=f"Synthetic product {product} in size {rnd.choice('SMLX')}",
                product_barcode=barcode,
                qty=rnd.randrange(1, 12),
                order_number=f"W-{100000 + rnd.randrange(count // 3 + 1)}",
                tote=f"T{rnd.randrange(120)}" if i % 2 else "",
            )
        )
    return lines


def pdf_page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page(?!s)\b", pdf))


def best_render(lines: list[PickListLine], runs: int) -> tuple[float, bytes]:
    best = math.inf
    pdf = b""
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render_pick_list(WAVE, lines, "A4", datetime(2024, 5, 1, 6, 0), "Bench")
        best = min(best, time.perf_counter() - start)
    return best, pdf


def check(pdf: bytes, lines: int) -> list[str]:
    problems = []
    expected = max(1, math.ceil(lines / rows_per_page("A4")))
    pages = pdf_page_count(pdf)
    if pages != expected:
        problems.append(f"{lines} lines: {pages} pages, expected {expected}")
    if not pdf.startswith(b"%PDF-") or not pdf.rstrip().endswith(b"%%EOF"):
        problems.append(f"{lines} lines: output is not a complete PDF")
    return problems


def main() -> int:
    small = synthetic_lines(1_000)
    large = synthetic_lines(10_000, seed=43)
    seconds, pdf = best_render(small, RUNS)
    seconds_10x, pdf_10x = best_render(large, RUNS)
    problems = check(pdf, len(small)) + check(pdf_10x, len(large))
    result = {
        "bench": "pick_list_pdf",
        "lines": len(small),
        "seconds": round(seconds, 4),
        "pages": pdf_page_count(pdf),
        "bytes": len(pdf),
        "lines_10x": len(large),
        "seconds_10x": round(seconds_10x, 4),
        "per_line_growth": round((seconds_10x / len(large)) / (seconds / len(small)), 3),
    }
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    print(json.dumps(result))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
