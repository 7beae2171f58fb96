"""Reading what admins type and what CSV cells hold: plain sentences, exact round trips."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms.admin.rules import (
    LOCATION_COLUMNS,
    PRODUCT_COLUMNS,
    FileError,
    decode,
    plan_bins,
    read_row,
    read_table,
    write_csv,
)
from wms.base.codes import gs1_check_digit
from wms.inventory import fields


def ean(body12: str) -> str:
    return body12 + str(gs1_check_digit(body12))


def test_an_ean13_with_a_wrong_check_digit_is_refused_in_words() -> None:
    good = ean("400638133393")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert fields.barcode(good).kind == "ean13"
    with pytest.raises(fields.FieldError, match="not a valid EAN-13"):
        fields.barcode(bad, "ean13")


def test_a_upc_is_checked_and_a_kind_is_guessed_from_the_digits() -> None:
    upc = "036000291452"
    assert fields.barcode(upc).kind == "upc"
    with pytest.raises(fields.FieldError, match="not a valid UPC"):
        fields.barcode("036000291453", "upc")
    assert fields.barcode("CASE-77").kind == "internal"


def test_barcode_cells_hold_kinds_and_case_units() -> None:
    code = ean("200000000017")
    specs = fields.barcode_list(f"ean13:{code}; internal:CASE-1:12;vendor:V-9")
    assert [(b.code, b.kind, b.units) for b in specs] == [
        (code, "ean13", 1),
        ("CASE-1", "internal", 12),
        ("V-9", "vendor", 1),
    ]
    assert fields.format_barcodes(specs) == f"ean13:{code}; internal:CASE-1:12; vendor:V-9"
    with pytest.raises(fields.FieldError, match="listed twice"):
        fields.barcode_list("internal:X; vendor:X")


@pytest.mark.parametrize(
    ("typed", "cents"), [("12.50", 1250), ("12.5", 1250), ("12", 1200), ("0.07", 7), ("", 0)]
)
def test_money_is_read_to_the_cent(typed: str, cents: int) -> None:
    assert fields.money_cents(typed, "unit_cost") == cents


@pytest.mark.parametrize("typed", ["12.505", "-1", "ten", "1.2.3"])
def test_money_that_is_not_an_amount_is_refused(typed: str) -> None:
    with pytest.raises(fields.FieldError, match="must be an amount"):
        fields.money_cents(typed, "unit_cost")


@given(st.integers(min_value=0, max_value=10**9))
def test_money_round_trips(cents: int) -> None:
    assert fields.money_cents(fields.format_money(cents), "x") == cents


def test_location_codes_are_kept_in_capitals_and_plain() -> None:
    assert fields.location_code(" a-01-1 ") == "A-01-1"
    with pytest.raises(fields.FieldError, match="no spaces"):
        fields.location_code("A 01")


def test_a_csv_with_an_unknown_column_is_refused_as_a_whole() -> None:
    with pytest.raises(FileError, match="Unknown column 'colour'"):
        read_table("sku,name,colour\nA,B,red\n", "products")
    with pytest.raises(FileError, match="no name column"):
        read_table("sku\nA\n", "products")
    with pytest.raises(FileError, match="not UTF-8"):
        decode("sku,name\nA,Caf\xe9\n".encode("latin-1"))


def test_a_row_reports_every_problem_it_has() -> None:
    table = read_table("sku,name,weight_g,release_on\n,Mug,heavy,31/12/2025\n", "products")
    _, problems = read_row(table, table.rows[0][1])
    assert problems == [
        "SKU is missing.",
        "weight_g must be a whole number, not 'heavy'.",
        "release_on must be a date like 2025-03-31, not '31/12/2025'.",
    ]


def test_written_rows_read_back_to_the_same_values_even_formula_like_names() -> None:
    record = {
        "sku": "MUG-1",
        "name": "=HYPERLINK(evil)",
        "active": False,
        "weight_g": 350,
        "length_mm": 1,
        "width_mm": 2,
        "height_mm": 3,
        "unit_cost_cents": 1999,
        "allow_backorder": False,
        "safety_stock": 5,
        "release_on": date(2030, 1, 2),
        "preorder_cap": None,
        "estimated_ship_on": date(2030, 1, 9),
        "barcodes": fields.barcode_list(f"ean13:{ean('200000000024')}; internal:C-1:6"),
    }
    text = write_csv(PRODUCT_COLUMNS, [record])
    assert "'=HYPERLINK" in text  # a spreadsheet will not run it
    table = read_table(text, "products")
    values, problems = read_row(table, table.rows[0][1])
    assert problems == []
    assert values == record


def test_locations_round_trip() -> None:
    record = {
        "code": "B-02-3",
        "kind": "bin",
        "name": "Aisle B",
        "zone": "B",
        "walk_seq": 70,
        "capacity": None,
        "active": True,
    }
    table = read_table(write_csv(LOCATION_COLUMNS, [record]), "locations")
    assert read_row(table, table.rows[0][1]) == (record, [])


def test_bins_by_pattern_walk_up_one_aisle_and_down_the_next() -> None:
    plan = plan_bins("A-F", "01-20", "1-4")
    assert len(plan) == 6 * 20 * 4
    assert [p.code for p in plan[:5]] == ["A-01-1", "A-01-2", "A-01-3", "A-01-4", "A-02-1"]
    # aisle B is walked from bay 20 back to bay 01
    b = [p for p in plan if p.aisle == "B"]
    assert b[0].code == "B-20-1" and b[-1].code == "B-01-4"
    seqs = [p.walk_seq for p in plan]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert len({p.code for p in plan}) == len(plan)


def test_a_pattern_that_runs_backwards_or_is_too_big_is_refused() -> None:
    with pytest.raises(fields.FieldError, match="runs backwards"):
        plan_bins("F-A", "1-2", "1")
    # the limit is written the reader's way once the app has installed its number format
    with pytest.raises(fields.FieldError, match=r"at most 5,?000 at once"):
        plan_bins("A-Z", "1-99", "1-9")
    assert [p.code for p in plan_bins("A", "1-2", "1", serpentine=False, separator="")] == [
        "A11",
        "A21",
    ]


@pytest.mark.parametrize(
    ("typed", "cents"),
    [
        ("12,50", 1250),  # a French admin's decimal comma
        ("12,5", 1250),
        ("1 234,50", 123450),  # French thousands: a space, a no-break or a narrow no-break space
        ("1\u00a0234,50", 123450),
        ("1\u202f234", 123400),
        ("1,234.50", 123450),  # an English admin's thousands comma
        ("1,234", 123400),
    ],
)
def test_money_is_read_as_either_language_writes_it(typed: str, cents: int) -> None:
    assert fields.money_cents(typed, "unit_cost") == cents


@pytest.mark.parametrize("typed", ["1,5", "2,25", "1 23", "1,23,4"])
def test_a_number_that_reads_two_ways_is_refused_rather_than_guessed(typed: str) -> None:
    # '1,5' is one and a half in French: never fifteen units.
    with pytest.raises(fields.FieldError, match="must be a whole number"):
        fields.integer(typed, "qty")


@pytest.mark.parametrize(
    ("typed", "number"), [("1 234", 1234), ("1\u202f234", 1234), ("1,234", 1234)]
)
def test_whole_numbers_take_either_languages_thousands(typed: str, number: int) -> None:
    assert fields.integer(typed, "qty") == number
