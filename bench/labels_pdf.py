"""Benchmark: 500 4x6 shipping labels in one PDF, and 5,000 for the cost per label.

Prints one JSON object as the last line of stdout; exits non-zero when the PDF is
wrong (page count, page size, not a PDF).  ``seconds`` is the best of three
renders; the labels are built before the clock starts.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wms.base.address import Address
from wms.prints.shipping_label import (
    ShippingLabelData,
    render_labels_pdf,
)

RUNS = 3
SHIP_FROM = Address(
    name="WMS Fulfilment",
    street1="12 Dock Road",
    street2="Gate 4",
    city="Springfield",
    state="IL",
    zip="62701",
    company="WMS Inc",
)
CITIES = [
    ("Kraków", "", "30-001", "PL"),
    ("Lyon", "", "69001", "FR"),
    ("Austin", "TX", "73301", "US"),
]


def synthetic_labels(count: int, seed: int = 42) -> list[ShippingLabelData]:
    rnd = random.Random(seed)
    labels = []
    for i in range(count):
        city, state, zip_code, country = rnd.choice(CITIES)
        labels.append(
            ShippingLabelData(
                carrier="WMS Local",
                service=rnd.choice(["Express", "Ground", "Next Day"]),
                tracking_number=f"1Z{rnd.randrange(16**6):06X}{i:010d}",
                ship_from=SHIP_FROM,
                ship_to=Address(
                    name=f"Customer {i} Müller-Łęcka",
                    street1=f"{rnd.randrange(1, 300)} Long Street Name",
                    street2="Apt 5" if i % 4 == 0 else "",
                    city=city,
                    state=state,
                    zip=zip_code,
                    country=country,
                ),
                weight_g=rnd.randrange(100, 30_000),
                order_number=f"W-{100000 + i}",
                reference=f"BOX-{rnd.choice('SML')}",
                shipped_on=date(2024, 5, 1),
            )
        )
    return labels


def best_render(labels: list[ShippingLabelData], runs: int) -> tuple[float, bytes]:
    best = math.inf
    pdf = b""
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render_labels_pdf(labels)
        best = min(best, time.perf_counter() - start)
    return best, pdf


def check(pdf: bytes, count: int) -> list[str]:
    problems = []
    pages = len(re.findall(rb"/Type /Page(?!s)\b", pdf))
    if pages != count:
        problems.append(f"{count} labels: {pages} pages")
    boxes = set(re.findall(rb"/MediaBox \[ ([^\]]*) \]", pdf))
    if boxes != {b"0 0 288 432"}:
        problems.append(f"{count} labels: page boxes {sorted(boxes)}")
    if not pdf.startswith(b"%PDF-") or not pdf.rstrip().endswith(b"%%EOF"):
        problems.append(f"{count} labels: output is not a complete PDF")
    return problems


def main() -> int:
    small = synthetic_labels(500)
    large = synthetic_labels(5_000, seed=43)
    seconds, pdf = best_render(small, RUNS)
    seconds_10x, pdf_10x = best_render(large, RUNS)
    problems = check(pdf, len(small)) + check(pdf_10x, len(large))
    result = {
        "bench": "labels_pdf",
        "labels": len(small),
        "seconds": round(seconds, 4),
        "labels_per_s": round(len(small) / seconds, 1),
        "bytes": len(pdf),
        "labels_10x": len(large),
        "seconds_10x": round(seconds_10x, 4),
        "labels_per_s_10x": round(len(large) / seconds_10x, 1),
        "bytes_10x": len(pdf_10x),
        "per_label_growth": round((seconds_10x / len(large)) / (seconds / len(small)), 3),
    }
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    print(json.dumps(result))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
