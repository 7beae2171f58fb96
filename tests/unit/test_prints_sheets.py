"""Label sheets, the command sheet and badges: page counts, sizes, and scans."""

from __future__ import annotations

import math

import pytest

from tests.scanning import decode_pdf, page_sizes, pdf_pages, pdf_text
from wms.base.codes import (
    COMMANDS,
    SCREEN_COMMANDS,
    command_code,
    command_of,
    gs1_check_digit,
    language_command_of,
    screen_command_of,
)
from wms.prints.sheets import (
    Badge,
    LocationLabel,
    ProductLabel,
    badges_per_page,
    labels_per_page,
    product_label_symbol,
    render_badges,
    render_command_sheet,
    render_location_labels,
    render_product_labels,
)

A4 = pytest.approx((595.28, 841.89), abs=0.01)
LETTER = (612.0, 792.0)


def ean(n: int) -> str:
    body = f"590{n:09d}"
    return body + str(gs1_check_digit(body))


def chunks(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


# ------------------------------------------------------------------ locations


def locations(count: int) -> list[LocationLabel]:
    return [
        LocationLabel(
            code=f"A{i // 40:02d}-{i % 40:02d}-{i % 5 + 1}",
            name=f"Aisle {i // 40}, bay {i % 40}",
            kind="pick" if i % 2 else "reserve",
        )
        for i in range(count)
    ]


@pytest.mark.parametrize(("size", "per_page", "box"), [("A4", 21, A4), ("Letter", 30, LETTER)])
def test_location_labels_fill_sheets_and_scan(size: str, per_page: int, box: object) -> None:
    locs = locations(per_page + 5)
    assert labels_per_page(size) == per_page
    pdf = render_location_labels(locs, size)
    assert pdf_pages(pdf) == 2
    assert page_sizes(pdf) == [box, box]
    codes = [loc.code for loc in locs]
    for found, expected in zip(decode_pdf(pdf), chunks(codes, per_page), strict=True):
        assert sorted(found) == sorted(("CODE-128", code) for code in expected)
    text = pdf_text(pdf)
    assert codes[0] in text and "Aisle 0, bay 1 - PICK" in text


def test_location_labels_refuse_bad_input() -> None:
    with pytest.raises(ValueError):
        render_location_labels([])
    with pytest.raises(ValueError):
        render_location_labels([LocationLabel("BIN-É")])  # Code128 carries ASCII only
    with pytest.raises(ValueError):
        render_location_labels(locations(2), "A5")


# ------------------------------------------------------------------ products


def products() -> list[ProductLabel]:
    good = ean(4242)
    wrong = good[:-1] + str((int(good[-1]) + 3) % 10)
    return [
        ProductLabel("SKU-00001", "Tea cup, blue", ean(1)),
        ProductLabel("SKU-00002", "Saucer \u2013 Größe L", ""),
        ProductLabel("SKU-00003", "Spoon", wrong),  # not a valid EAN-13: Code128 of it
        ProductLabel("SKU-00004", "Fork", "SUP-FORK-9"),
        ProductLabel("SKU-00005", "Knife", "036000291452"),  # UPC-A: Code128 of it
        ProductLabel("SKU-00006", "A very long product name that will not fit " * 3, ean(6)),
    ]


def test_product_label_symbol() -> None:
    items = products()
    assert product_label_symbol(items[0]) == ("ean13", ean(1))
    assert product_label_symbol(items[1]) == ("code128", "SKU-00002")
    assert product_label_symbol(items[2]) == ("code128", items[2].barcode)


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_product_labels_scan(size: str) -> None:
    items = products()
    pdf = render_product_labels(items, size)
    assert pdf_pages(pdf) == 1
    (found,) = decode_pdf(pdf)
    assert sorted(found) == sorted(
        [
            ("EAN-13", ean(1)),
            ("CODE-128", "SKU-00002"),
            ("CODE-128", items[2].barcode),
            ("CODE-128", "SUP-FORK-9"),
            ("CODE-128", "036000291452"),
            ("EAN-13", ean(6)),
        ]
    )
    text = pdf_text(pdf)
    assert "SKU-00001" in text and "Tea cup, blue" in text and ean(1) in text


def test_product_labels_pages() -> None:
    items = [ProductLabel(f"SKU-{i:05d}", f"Item {i}", ean(i)) for i in range(50)]
    pdf = render_product_labels(items, "A4")
    assert pdf_pages(pdf) == math.ceil(50 / labels_per_page("A4"))
    last = decode_pdf(pdf, pages=[pdf_pages(pdf)])[0]
    assert sorted(last) == sorted(("EAN-13", ean(i)) for i in range(42, 50))


# ------------------------------------------------------------------ commands


@pytest.mark.parametrize(("size", "box"), [("A4", A4), ("Letter", LETTER)])
def test_command_sheet_scans_every_command(size: str, box: object) -> None:
    pdf = render_command_sheet(size)
    assert pdf_pages(pdf) == 2 and page_sizes(pdf) == [box, box]
    screens, actions = decode_pdf(pdf)
    languages = ("CMD-LANG-EN", "CMD-LANG-FR")
    assert sorted(screens) == sorted(
        [("CODE-128", command_code(w)) for w in SCREEN_COMMANDS]
        + [("CODE-128", code) for code in languages]
    )
    assert sorted(actions) == sorted(("CODE-128", command_code(w)) for w in COMMANDS)
    # what the floor screens make of each scan
    assert {screen_command_of(data) for _, data in screens} - {None} == set(SCREEN_COMMANDS)
    assert {language_command_of(data) for _, data in screens} - {None} == {"en", "fr"}
    assert {command_of(data) for _, data in actions} == set(COMMANDS)
    text = pdf_text(pdf)
    for word in ("RECEIVE", "PICK", "PACK", "MENU", "LOGOUT", "DONE", "UNDO", "NEW", "BLIND"):
        assert word in text
    # each language's command is captioned with the language's own name
    assert "LANG-FR" in text and "Français" in text and "English" in text


# ------------------------------------------------------------------ badges


@pytest.mark.parametrize(("size", "per_page"), [("A4", 10), ("Letter", 8)])
def test_badges(size: str, per_page: int) -> None:
    people = [
        Badge(f"Worker {i} Łęcka", "Picker" if i % 2 else "Lead", f"B-{1000 + i}")
        for i in range(12)
    ]
    assert badges_per_page(size) == per_page
    pdf = render_badges(people, size)
    assert pdf_pages(pdf) == math.ceil(12 / per_page)
    codes = [b.badge_code for b in people]
    for found, expected in zip(decode_pdf(pdf), chunks(codes, per_page), strict=True):
        assert sorted(found) == sorted(("CODE-128", code) for code in expected)
    text = pdf_text(pdf)
    assert "Worker 0 Lecka" in text and "Picker" in text
    with pytest.raises(ValueError):
        render_badges([])


# ------------------------------------------------------------------ long codes

LONG_CODES = [
    "MEZZ-A-01-02-03",  # 15
    "COLD-ROOM-2-RACK-7",  # 18 ... too long for the bars at the minimum module
    "ZONE-B-AISLE-14-BAY-3",  # 21
    "OVERFLOW-DOCK-WEST-00012",  # 24
]


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_long_bin_codes_scan_at_150_dpi(size: str) -> None:
    labels = [
        LocationLabel(code=code, name="Long one", short=f"-L{i + 1}")
        for i, code in enumerate(LONG_CODES)
    ]
    pdf = render_location_labels(labels, size)
    [found] = decode_pdf(pdf, dpi=150)
    decoded = {value for _, value in found}
    assert len(found) == len(labels)
    for label in labels:
        assert label.code in decoded or label.short in decoded, label.code
    assert "MEZZ-A-01-02-03" in decoded  # widened to the label, it still fits
    assert "-L4" in decoded  # 24 characters: the short code, which scans as the bin
    text = pdf_text(pdf)
    assert all(code in text for code in LONG_CODES)  # the real code is always the text


@pytest.mark.parametrize("size", ["A4", "Letter"])
def test_long_skus_scan_at_150_dpi(size: str) -> None:
    labels = [
        ProductLabel(sku=code.replace("-", "/", 1), name="Long one", short=f"-P{i + 1}")
        for i, code in enumerate(LONG_CODES)
    ]
    pdf = render_product_labels(labels, size)
    [found] = decode_pdf(pdf, dpi=150)
    decoded = {value for _, value in found}
    assert len(found) == len(labels)
    for label in labels:
        assert label.sku in decoded or label.short in decoded, label.sku
    assert "-P4" in decoded
    text = pdf_text(pdf)
    assert all(label.sku in text for label in labels)


def test_a_code_too_long_with_no_short_code_is_refused() -> None:
    with pytest.raises(ValueError, match="too long to print as a barcode that scans"):
        render_location_labels([LocationLabel(code="OVERFLOW-DOCK-WEST-00012")])
