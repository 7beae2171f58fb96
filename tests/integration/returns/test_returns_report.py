"""The returns report: by reason, by product, and return rates against what shipped."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from tests.integration.returns.conftest import Site
from wms.base.clock import today, travel, utcnow


def cells(page: str, sku: str) -> list[str]:
    row = re.search(rf'<tr data-sku="{sku}"[^>]*>(.*?)</tr>', page, re.S)
    assert row, f"no row for {sku}"
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    ]


def test_return_rates_are_returned_over_shipped_and_high_ones_are_flagged(site: Site) -> None:
    often, seldom = site.make.product(), site.make.product()
    first = site.rma(site.shipped((often, 10)), (often, 3), reason="defective")
    second = site.rma(site.shipped((seldom, 10)), (seldom, 1))
    site.scan(first)
    for grade in ("1", "3"):
        site.scan(often.barcodes[0].code)
        site.scan(grade)
    site.scan("CMD-DONE")
    site.scan(second)
    site.scan(seldom.barcodes[0].code)
    site.scan("2")

    page = site.desk.get("/returns/report").get_data(as_text=True)
    assert cells(page, often.sku)[2:] == ["3", "2", "1", "0", "1", "10", "20.0%", "above 10.0%"]
    assert cells(page, seldom.sku)[2:] == ["1", "1", "0", "1", "0", "10", "10.0%", ""]
    assert f"1 product returned more than 10.0% of what shipped: {often.sku}." in page
    reasons = re.findall(r'<tr data-reason="(\w+)"><td>[^<]*</td>(.*?)</tr>', page, re.S)
    figures = {r: re.findall(r">(\d+)<", rest) for r, rest in reasons}
    assert figures == {"defective": ["1", "3", "2"], "changed_mind": ["1", "1", "1"]}

    stricter = site.desk.get("/returns/report?threshold=5").get_data(as_text=True)
    assert "2 products returned more than 5.0%" in stricter

    before = (today() - timedelta(days=40)).isoformat()
    past = site.desk.get(f"/returns/report?from={before}&to={before}").get_data(as_text=True)
    assert "Nothing returned in this period." in past
    assert "No returns authorised in this period." in past


def test_a_day_of_the_report_is_the_warehouses_day(site: Site) -> None:
    # 00:30 on 12 December in the warehouse (Europe/Paris) is 23:30 on the 11th in UTC.
    product = site.make.product()
    now = utcnow()
    day = date(now.year + 1, 12, 12)
    with travel(datetime(day.year, 12, 11, 23, 30) - now):
        rma = site.rma(site.shipped((product, 4)), (product, 1))
        site.scan(rma)
        site.scan(product.barcodes[0].code)
        site.scan("1")
    that_day = site.desk.get(f"/returns/report?from={day}&to={day}").get_data(as_text=True)
    assert cells(that_day, product.sku)[2:] == [
        "1",
        "1",
        "1",
        "0",
        "0",
        "4",
        "25.0%",
        "above 10.0%",
    ]
    eve = day - timedelta(days=1)
    day_before = site.desk.get(f"/returns/report?from={eve}&to={eve}").get_data(as_text=True)
    assert f'data-sku="{product.sku}"' not in day_before
