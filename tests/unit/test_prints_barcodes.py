"""Barcode drawing: patterns, sizes, EAN-13 refusal, and symbols that really scan."""

from __future__ import annotations

import io
import re
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate, Table

from tests.scanning import decode_pdf, page_sizes
from wms.base.codes import gs1_check_digit
from wms.prints.barcodes import (
    CODE128,
    EAN13,
    MIN_MODULE_WIDTH,
    BarcodeFlowable,
    PrintCanvas,
    barcode_width,
    code128_pattern,
    draw_barcode,
    draw_code128,
    draw_ean13,
    ean13_pattern,
    fit_module_width,
    fit_text,
    module_count,
    page_size,
    pdf_text,
    product_symbology,
)

STOP = "1100011101011"
START_B = "11010010000"
START_C = "11010011100"


def ean(body12: str) -> str:
    return body12 + str(gs1_check_digit(body12))


def content_streams(pdf: bytes) -> list[bytes]:
    """The decompressed streams of a PDF written by PrintCanvas (Flate only)."""
    out = []
    for match in re.finditer(rb"/Length (\d+)\s*>>\s*stream\r?\n", pdf):
        raw = pdf[match.end() : match.end() + int(match.group(1))]
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


# ------------------------------------------------------------------ patterns


def test_code128_pattern_is_fresh_every_time() -> None:
    # One python-barcode object built twice may switch charset; ours must not drift.
    patterns = {code128_pattern("AB12345678C") for _ in range(20)}
    assert len(patterns) == 1


def test_code128_pattern_structure() -> None:
    letters = code128_pattern("W-10422")
    assert letters.startswith(START_B) and letters.endswith(STOP)
    digits = code128_pattern("12345678")
    assert digits.startswith(START_C)
    # Start C + 4 digit pairs + check = 6 symbols of 11 modules, plus the 13-module stop.
    assert len(digits) == 6 * 11 + 13


@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1))
@settings(max_examples=80, deadline=None)
def test_code128_patterns_are_well_formed(value: str) -> None:
    pattern = code128_pattern(value)
    assert set(pattern) <= {"0", "1"}
    assert pattern.endswith(STOP)
    assert len(pattern) % 11 == 2  # n symbols of 11 modules plus the 13-module stop
    assert pattern == code128_pattern(value)


@pytest.mark.parametrize("bad", ["", "café", "日本"])
def test_code128_refuses_what_it_cannot_carry(bad: str) -> None:
    with pytest.raises(ValueError):
        code128_pattern(bad)


def test_ean13_pattern_accepts_a_correct_check_digit() -> None:
    pattern = ean13_pattern("4006381333931")
    assert len(pattern) == 95
    assert pattern.startswith("101") and pattern.endswith("101")
    assert pattern[45:50] == "01010"  # centre guard


@pytest.mark.parametrize(
    "bad",
    ["4006381333932", "4006381333930", "400638133393", "40063813339310", "40063813339X1", ""],
)
def test_ean13_refuses_a_wrong_code(bad: str) -> None:
    with pytest.raises(ValueError):
        ean13_pattern(bad)


def test_draw_ean13_refuses_a_wrong_check_digit_and_draws_nothing() -> None:
    buffer = io.BytesIO()
    c = PrintCanvas(buffer)
    with pytest.raises(ValueError, match="EAN-13"):
        draw_ean13(c, "4006381333932", 10, 10, 40, module_width=1)
    with pytest.raises(ValueError, match="EAN-13"):
        draw_barcode(c, "4006381333932", 10, 10, 40, symbology=EAN13)
    draw_ean13(c, "4006381333931", 10, 100, 40, module_width=1)
    c.save()
    assert len(re.findall(rb" re f Q", b"".join(content_streams(buffer.getvalue())))) == 1


def test_product_symbology() -> None:
    assert product_symbology("4006381333931") == EAN13
    assert product_symbology("4006381333932") == CODE128
    assert product_symbology("SKU-1") == CODE128
    assert product_symbology("036000291452") == CODE128  # UPC-A is not drawn as EAN-13


# ------------------------------------------------------------------ sizes


def test_widths_follow_the_module_count() -> None:
    assert module_count("4006381333931", EAN13) == 95 + 2 * 11
    assert barcode_width("4006381333931", 0.5, EAN13) == pytest.approx(117 * 0.5)
    count = len(code128_pattern("W-10422")) + 20
    assert module_count("W-10422") == count
    assert barcode_width("W-10422", 0.8) == pytest.approx(count * 0.8)
    assert barcode_width("W-10422", 1.0, quiet_modules=0) == len(code128_pattern("W-10422"))


def test_fit_module_width() -> None:
    width = fit_module_width("W-10422", 150)
    assert barcode_width("W-10422", width) == pytest.approx(150)
    assert fit_module_width("W-10422", 500, max_module_width=1.0) == 1.0
    snapped = fit_module_width("1Z999AA10123456784", 268, snap_dpi=203)
    dots = snapped / (72 / 203)
    assert dots == pytest.approx(round(dots)) and round(dots) >= 2
    assert barcode_width("1Z999AA10123456784", snapped) <= 268
    # Too narrow for two dots per module: the exact fit is kept rather than one dot.
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGH"
    tight = fit_module_width(letters, 268, snap_dpi=203)
    assert tight == pytest.approx(268 / module_count(letters))
    assert tight < 2 * 72 / 203


def test_draw_returns_its_width_and_respects_a_target_width() -> None:
    c = Canvas(io.BytesIO())
    assert draw_code128(c, "W-10422", 0, 0, 30, width=200) == pytest.approx(200)
    assert draw_code128(c, "W-10422", 0, 0, 30, module_width=1) == module_count("W-10422")
    with pytest.raises(ValueError):
        draw_code128(c, "W-1", 0, 0, 8, module_width=1, text=True)  # no room for bars


def test_page_size() -> None:
    assert page_size("a4") == pytest.approx((595.2756, 841.8898), abs=0.01)
    assert page_size("Letter") == (612, 792)
    with pytest.raises(ValueError):
        page_size("A5")


# ------------------------------------------------------------------ drawing and scanning

CODE128_VALUES = [
    "W-10422",
    "A01-02-3",
    "12345678",
    "1234567",
    "SKU 42/b.c",
    "lower-case+MIX_9",
    "CMD-DAMAGED",
    "1Z999AA10123456784",
]
EAN_VALUES = [ean("400638133393"), ean("590123412345"), ean("001234567890")]


def _sample_sheet() -> bytes:
    buffer = io.BytesIO()
    c = PrintCanvas(buffer, pagesize=page_size("A4"))
    y = 780.0
    for value in CODE128_VALUES:
        draw_code128(c, value, 40, y, 40, module_width=0.8, text=True)
        y -= 60
    for i, value in enumerate(EAN_VALUES):
        draw_ean13(c, value, 330, 720 - 90 * i, 50, module_width=0.8, text=True)
    c.showPage()
    c.save()
    return buffer.getvalue()


def test_drawn_barcodes_scan_and_are_vector_paths() -> None:
    pdf = _sample_sheet()
    (found,) = decode_pdf(pdf)
    expected = {("CODE-128", v) for v in CODE128_VALUES} | {("EAN-13", v) for v in EAN_VALUES}
    assert set(found) == expected
    assert b"/Subtype /Image" not in pdf
    streams = b"".join(content_streams(pdf))
    # one filled path per symbol drawn
    assert len(re.findall(rb" re f Q", streams)) == len(CODE128_VALUES) + len(EAN_VALUES)


def test_small_modules_still_scan_at_200_dpi() -> None:
    buffer = io.BytesIO()
    c = PrintCanvas(buffer, pagesize=page_size("A4"))
    for i, value in enumerate(CODE128_VALUES):
        draw_code128(c, value, 40, 780 - 50 * i, 30, module_width=0.75)
    c.save()
    (found,) = decode_pdf(buffer.getvalue())
    assert {data for _, data in found} == set(CODE128_VALUES)


def test_flowable_in_a_table_scans() -> None:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=page_size("Letter"))
    rows = [[f"row {i}", BarcodeFlowable(v, height=26)] for i, v in enumerate(CODE128_VALUES[:5])]
    rows.append(["ean", BarcodeFlowable(EAN_VALUES[0], EAN13, height=40, text=True)])
    doc.build([Table(rows, colWidths=[80, 200])], canvasmaker=PrintCanvas)
    pdf = buffer.getvalue()
    assert page_sizes(pdf) == [(612.0, 792.0)]
    (found,) = decode_pdf(pdf)
    assert set(found) == {("CODE-128", v) for v in CODE128_VALUES[:5]} | {("EAN-13", EAN_VALUES[0])}


def test_flowable_fits_the_available_width() -> None:
    flow = BarcodeFlowable("W-10422", max_module_width=1.2)
    width, height = flow.wrap(100, 500)
    assert width == pytest.approx(100) and height == 28.0
    width, _ = flow.wrap(10_000, 500)
    assert width == pytest.approx(module_count("W-10422") * 1.2)
    with pytest.raises(ValueError):
        BarcodeFlowable("4006381333932", EAN13)


def test_same_input_same_bytes() -> None:
    assert _sample_sheet() == _sample_sheet()


# ------------------------------------------------------------------ text


def test_pdf_text_keeps_winansi_and_replaces_the_rest() -> None:
    winansi = "Café Grüße € \u201cquoted\u201d \u2013 ok"
    assert pdf_text(winansi) == winansi
    assert pdf_text("Łódź Kraków Đakovo") == "Lódz Kraków Dakovo"
    assert pdf_text("Őrség Şişli") == "Orség Sisli"
    assert pdf_text("日本\tx\ny") == "?? x y"
    odd = "Ærøskøbing ŁŻŚĆŃ \u0131 \u0149 \u2713 \U0001d518"
    for ch in pdf_text(odd):
        ch.encode("cp1252")  # everything left is drawable with the built-in fonts


def test_fit_text() -> None:
    assert fit_text("short", "Helvetica", 10, 200) == "short"
    long = "A product name that will certainly not fit in sixty points"
    cut = fit_text(long, "Helvetica", 10, 60)
    assert cut.endswith("…") and len(cut) < len(long)
    assert stringWidth(cut, "Helvetica", 10) <= 60
    assert fit_text("Łódź", "Helvetica", 10, 100) == "Lódz"


def test_a_barcode_never_prints_below_the_minimum_module() -> None:
    canvas = Canvas(io.BytesIO())
    assert draw_barcode(canvas, "A-01-1", 0, 0, 30, module_width=MIN_MODULE_WIDTH) > 0
    with pytest.raises(ValueError, match=r"under the 0\.709 pt that scans"):
        draw_barcode(canvas, "A-01-1", 0, 0, 30, module_width=0.6)
    with pytest.raises(ValueError, match="under the"):
        draw_barcode(canvas, "OVERFLOW-DOCK-WEST-00012", 0, 0, 30, width=150)
