"""Reading what a scanner typed."""

from __future__ import annotations

import pytest

from wms.core.codes import (
    command_of,
    is_valid_ean13,
    is_valid_upc,
    parse_gs1,
    parse_short_code,
    short_code,
)


@pytest.mark.parametrize("code", ["4006381333931", "5901234123457", "2000000000015"])
def test_valid_ean13(code: str) -> None:
    assert is_valid_ean13(code)


@pytest.mark.parametrize("code", ["4006381333932", "400638133393", "40063813339A1", ""])
def test_invalid_ean13(code: str) -> None:
    assert not is_valid_ean13(code)


def test_upc_check_digit() -> None:
    assert is_valid_upc("036000291452")
    assert not is_valid_upc("036000291453")


def test_gs1_with_group_separator_gives_gtin_and_count() -> None:
    scan = parse_gs1("0104006381333931\x1d3712\x1d10LOT7")
    assert scan is not None and scan.gtin == "04006381333931" and scan.count == 12


def test_gs1_human_readable_form() -> None:
    scan = parse_gs1("(01)04006381333931(30)6")
    assert scan is not None and scan.gtin == "04006381333931" and scan.count == 6


def test_gs1_with_dates_before_the_count() -> None:
    scan = parse_gs1("]C1010400638133393117261231376")
    assert scan is not None and scan.count == 6


def test_gs1_with_a_wrong_check_digit_is_not_read() -> None:
    assert parse_gs1("0104006381333932") is None


def test_plain_barcode_is_not_gs1() -> None:
    assert parse_gs1("4006381333931") is None


@pytest.mark.parametrize(("code", "word"), [("CMD-UNDO", "UNDO"), ("done", "DONE"), ("X", None)])
def test_command_barcodes(code: str, word: str | None) -> None:
    assert command_of(code) == word


def test_short_codes_read_back_and_never_look_like_a_real_code() -> None:
    assert short_code("L", 100) == "-L2S"
    assert parse_short_code("-L2S") == ("L", 100)
    assert parse_short_code(" -p1 ") == ("P", 1)
    for code in ("L2S", "A-01-1", "-X2S", "-L", "-L0", "-L2S!", "SKU-1"):
        assert parse_short_code(code) is None, code
