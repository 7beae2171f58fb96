"""Reading what a scanner typed."""

from __future__ import annotations

import pytest

from wms.base.codes import (
    command_of,
    is_valid_ean13,
    is_valid_upc,
    parse_gs1,
    parse_short_code,
    product_code_forms,
    screen_command_of,
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


def test_gs1_human_readable_form_with_spaces() -> None:
    scan = parse_gs1("(01) 02000000001616 (37) 2")
    assert scan is not None and scan.gtin == "02000000001616" and scan.count == 2


def test_a_bare_gtin14_gives_its_ean13() -> None:
    forms = product_code_forms("02000000001616")
    assert forms is not None and "2000000001616" in forms.barcodes and forms.count is None


def test_a_upc_gives_its_ean13_and_gtin14() -> None:
    forms = product_code_forms("036000291452")
    assert forms is not None and set(forms.barcodes) == {"0036000291452", "00036000291452"}


def test_a_gs1_scan_gives_every_form_of_its_gtin_and_its_count() -> None:
    forms = product_code_forms("(01)00036000291452(37)6")
    assert forms is not None and forms.count == 6
    assert set(forms.barcodes) == {"00036000291452", "0036000291452", "036000291452"}


@pytest.mark.parametrize("code", ["2000000001617", "SKU-1", "W-10204", ""])
def test_what_is_not_a_gtin_has_no_other_forms(code: str) -> None:
    assert product_code_forms(code) is None


@pytest.mark.parametrize(
    ("code", "word"), [("CMD-PICK", "PICK"), ("menu", "MENU"), ("CMD-DONE", None), ("PICKS", None)]
)
def test_screen_commands(code: str, word: str | None) -> None:
    assert screen_command_of(code) == word
