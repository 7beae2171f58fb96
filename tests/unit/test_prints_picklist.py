"""Pick list PDF: walking order, page furniture, and every barcode on a page scans."""

from __future__ import annotations

import math
import random
from datetime import datetime

import pytest

from tests.scanning import decode_pdf, page_sizes, pdf_pages, pdf_text
from wms.base.codes import gs1_check_digit, is_valid_ean13
from wms.prints.picklist import PickListLine, render_pick_list, rows_per_page, walk_order

WAVE = "WAVE-2024-0042"


def ean(n: int) -> str:
    body = f"400{n:09d}"
    return body + str(gs1_check_digit(body))


def make_lines(count: int, seed: int = 7) -> list[PickListLine]:
    """Lines in a shuffled order; a third without EAN, some with a wrong check digit."""
    rnd = random.Random(seed)
    lines = []
    for i in range(count):
        aisle, bay, level = rnd.randrange(1, 30), rnd.randrange(1, 40), rnd.randrange(1, 6)
        product = rnd.randrange(1, 5000)
        if product % 3 == 0:
            barcode = ""
        elif product % 7 == 0:
            good = ean(product)
            barcode = good[:-1] + str((int(good[-1]) + 1) % 10)  # wrong check digit
        else:
            barcode = ean(product)
        lines.append(
            PickListLine(
                bin_code=f"A{aisle:02d}-{bay:02d}-{level}",
                walk_seq=aisle * 1000 + (bay if aisle % 2 else 100 - bay) * 10 + level,
                sku=f"SKU-{product:05d}",
                product_name=f"Product {product} \u2013 Größe {rnd.choice('SML')} Żółty",
                product_barcode=barcode,
                qty=rnd.randrange(1, 9),
                order_number=f"W-{10000 + rnd.randrange(600)}",
                tote=f"T{rnd.randrange(80)}" if i % 3 else "",
            )
        )
    return lines


def expected_symbols(wave: str, lines: list[PickListLine]) -> set[tuple[str, str]]:
    """What the floor must be able to scan on a page holding ``lines``."""
    found = {("CODE-128", wave)}
    for line in lines:
        found.add(("CODE-128", line.bin_code))
        found.add(("CODE-128", line.order_number))
        if is_valid_ean13(line.product_barcode):
            found.add(("EAN-13", line.product_barcode))
        else:
            found.add(("CODE-128", line.sku))
    return found


def page_lines(lines: list[PickListLine], page: int, page_size: str) -> list[PickListLine]:
    per = rows_per_page(page_size)
    ordered = walk_order(lines)
    return ordered[(page - 1) * per : page * per]


# ------------------------------------------------------------------ order


def test_walk_order_sorts_by_walk_then_bin_then_sku_and_is_stable() -> None:
    def line(bin_code: str, seq: int, sku: str, order: str) -> PickListLine:
        return PickListLine(bin_code, seq, sku, "x", "", 1, order)

    lines = [
        line("B-1", 20, "S2", "o1"),
        line("A-9", 10, "S1", "o2"),
        line("C-1", 10, "S1", "o3"),
        line("C-1", 10, "S0", "o4"),
        line("A-9", 10, "S1", "o5"),  # same key as o2: keeps its place after o2
        line("Z-0", 5, "S9", "o6"),
    ]
    assert [x.order_number for x in walk_order(lines)] == ["o6", "o2", "o5", "o4", "o3", "o1"]


def test_lines_print_in_walking_order() -> None:
    names = ["Z-01", "M-07", "A-03", "Q-11", "B-02", "K-05"]
    seqs = [1, 2, 3, 4, 5, 6]
    lines = [
        PickListLine(b, s, f"SKU-{i}", "thing", "", 1, f"W-{i}")
        for i, (b, s) in enumerate(zip(names, seqs, strict=True))
    ]
    random.Random(3).shuffle(lines)
    text = pdf_text(render_pick_list(WAVE, lines))
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)


# ------------------------------------------------------------------ pages


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_small_list_every_barcode_scans_on_every_page(page_size: str) -> None:
    lines = make_lines(40)
    pdf = render_pick_list(WAVE, lines, page_size, datetime(2024, 5, 1, 9, 30), "Ann")
    pages = math.ceil(40 / rows_per_page(page_size))
    assert pdf_pages(pdf) == pages
    decoded = decode_pdf(pdf)
    for number, found in enumerate(decoded, start=1):
        on_page = page_lines(lines, number, page_size)
        assert set(found) == expected_symbols(WAVE, on_page), number
        assert len(found) >= 1 + len(on_page)


def test_header_and_footer_on_every_page() -> None:
    lines = make_lines(40)
    units = sum(line.qty for line in lines)
    pdf = render_pick_list(WAVE, lines, "Letter", datetime(2024, 5, 1, 9, 30), "Ann")
    texts = pdf_text(pdf).split("\f")[:-1]
    assert len(texts) == pdf_pages(pdf) == math.ceil(40 / rows_per_page("Letter"))
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
        assert text.count(WAVE) >= 2  # header and footer
        assert f"40 lines, {units} units" in text
        assert "Created May 1, 2024, 9:30" in text and "Picker: Ann" in text
    # bin, SKU, quantity and order of a line are on its page
    first = walk_order(lines)[0]
    assert first.bin_code in texts[0] and first.sku in texts[0] and first.order_number in texts[0]
    assert "Größe" in texts[0] and "Zólty" in texts[0]


def test_page_sizes() -> None:
    lines = make_lines(60)
    a4 = render_pick_list(WAVE, lines, "A4")
    letter = render_pick_list(WAVE, lines, "letter")
    assert rows_per_page("A4") != rows_per_page("Letter")
    assert page_sizes(a4) == [pytest.approx((595.28, 841.89), abs=0.01)] * math.ceil(
        60 / rows_per_page("A4")
    )
    assert page_sizes(letter) == [(612.0, 792.0)] * math.ceil(60 / rows_per_page("Letter"))
    with pytest.raises(ValueError):
        render_pick_list(WAVE, lines, "A3")


def test_empty_wave_prints_one_page() -> None:
    pdf = render_pick_list(WAVE, [])
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert "No lines in this wave." in text and "Page 1 of 1" in text
    assert decode_pdf(pdf) == [[("CODE-128", WAVE)]]


def test_same_input_same_bytes_whatever_the_input_order() -> None:
    lines = [
        PickListLine(f"B-{i:02d}", 100 - i, f"SKU-{i}", "thing", ean(i), i % 4 + 1, f"W-{i}")
        for i in range(30)
    ]
    stamp = datetime(2024, 5, 1, 9, 30)
    once = render_pick_list(WAVE, lines, created_at=stamp)
    assert once == render_pick_list(WAVE, lines, created_at=stamp)
    assert once == render_pick_list(WAVE, list(reversed(lines)), created_at=stamp)
    assert once != render_pick_list(WAVE, lines[:-1], created_at=stamp)


# ------------------------------------------------------------------ a full wave


@pytest.fixture(scope="module")
def big_wave() -> tuple[list[PickListLine], bytes]:
    # How fast it renders is measured by `make bench NAME=pick_list_pdf`, not here.
    lines = make_lines(1000, seed=11)
    pdf = render_pick_list(WAVE, lines, "A4", datetime(2024, 5, 1, 6, 0), "Night shift")
    return lines, pdf


def test_thousand_lines_pages_and_sampled_scans(
    big_wave: tuple[list[PickListLine], bytes],
) -> None:
    lines, pdf = big_wave
    pages = math.ceil(1000 / rows_per_page("A4"))
    assert pdf_pages(pdf) == pages
    texts = pdf_text(pdf).split("\f")[:-1]
    assert len(texts) == pages
    units = sum(line.qty for line in lines)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text
        assert f"1,000 lines, {units:,} units" in text
    sample = [1, pages // 2, pages]
    for number, found in zip(sample, decode_pdf(pdf, pages=sample), strict=True):
        assert set(found) == expected_symbols(WAVE, page_lines(lines, number, "A4")), number
    # The walking order holds across pages: bins appear in walk order in the text.
    ordered = walk_order(lines)
    last_page_bins = [line.bin_code for line in ordered[(pages - 1) * rows_per_page("A4") :]]
    text = texts[-1]
    positions = [text.index(b) for b in dict.fromkeys(last_page_bins)]
    assert positions == sorted(positions)


# ------------------------------------------------------------------ long codes, EAN digits

LONG_BINS = [
    "A-12-03-4",
    "MEZZ-A-01-02-03",
    "COLD-ROOM-2-RACK-07",
    "ZONE-B-AISLE-14-BAY-3",
    "OVERFLOW-DOCK-WEST-0012",
]
LONG_SKUS = ["TSHIRT-BLUE-XL-01", "JACKET-WINTER-RED-M-24", "SHOE-RUNNING-BLACK-44-2024"]


def test_long_bins_and_skus_scan_at_150_dpi_or_carry_their_short_code() -> None:
    lines = [
        PickListLine(
            bin_code=bin_code,
            walk_seq=i,
            sku=LONG_SKUS[i % len(LONG_SKUS)],
            product_name="Long one",
            product_barcode="",
            qty=1,
            order_number=f"W-{20000 + i}",
            bin_short=f"-L{i + 1}",
            product_short=f"-P{i % len(LONG_SKUS) + 1}",
        )
        for i, bin_code in enumerate(LONG_BINS)
    ]
    pdf = render_pick_list(WAVE, lines)
    [found] = decode_pdf(pdf, dpi=150)
    decoded = {value for _, value in found}
    for line in lines:
        assert line.bin_code in decoded or line.bin_short in decoded, line.bin_code
        assert line.sku in decoded or line.product_short in decoded, line.sku
        assert line.order_number in decoded
    assert "A-12-03-4" in decoded  # a usual bin code is its own barcode
    assert "-L5" in decoded and "OVERFLOW-DOCK-WEST-0012" not in decoded
    text = pdf_text(pdf)
    assert all(line.bin_code in text for line in lines)


def test_ean13_digits_are_printed_beside_the_bars() -> None:
    lines = [
        PickListLine("A-01-1", 1, "SKU-1", "One", ean(17), 2, "W-1"),
        PickListLine("A-01-2", 2, "SKU-2", "Two", ean(4242), 1, "W-2"),
    ]
    pdf = render_pick_list(WAVE, lines)
    text = pdf_text(pdf)
    assert ean(17) in text and ean(4242) in text
    assert {("EAN-13", ean(17)), ("EAN-13", ean(4242))} <= set(decode_pdf(pdf, dpi=150)[0])
