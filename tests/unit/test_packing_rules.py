"""What a scale's or a packer's typing means as a weight, and which scanned items fit a parcel."""

from __future__ import annotations

import pytest

from wms.base.errors import InvalidInput
from wms.shipping.rules import (
    ExtraItem,
    LineToPack,
    WrongItem,
    check_weight,
    line_for_scan,
    looks_like_weight,
    parse_weight,
    units_left,
)


@pytest.mark.parametrize(
    ("typed", "grams"),
    [
        ("1250", 1250),
        ("1.25", 1250),
        ("1,250", 1250),
        ("1.250 kg", 1250),
        ("0.4KG", 400),
        ("950 g", 950),
        ("2 lb", 907),
        ("16oz", 454),
        (" 75 ", 75),
    ],
)
def test_a_weight_is_read_in_grams(typed: str, grams: int) -> None:
    assert looks_like_weight(typed)
    assert parse_weight(typed) == grams


@pytest.mark.parametrize("code", ["4006381333931", "12345670", "W-10001", "BOX-M", "1.2.3", ""])
def test_barcodes_and_codes_are_not_weights(code: str) -> None:
    assert not looks_like_weight(code)
    with pytest.raises(InvalidInput):
        parse_weight(code)


def test_nothing_on_the_scale_and_too_heavy_are_refused() -> None:
    with pytest.raises(InvalidInput, match="The scale read nothing"):
        parse_weight("0")
    with pytest.raises(
        InvalidInput, match="75\u00a0kg is more than one parcel may weigh \\(70\u00a0kg\\)"
    ):
        parse_weight("75 kg")


def test_a_parcel_weighs_more_than_its_empty_box() -> None:
    check_weight(151, 150, "BOX-S")
    with pytest.raises(InvalidInput, match="150\u00a0g is no more than the empty BOX-S"):
        check_weight(150, 150, "BOX-S")


LINES = [
    LineToPack(line_id=1, product_id=10, sku="MUG-1", qty=2, qty_verified=1),
    LineToPack(line_id=2, product_id=20, sku="CAP-1", qty=1, qty_verified=1),
]


def test_an_item_counts_against_its_line() -> None:
    assert line_for_scan(LINES, 10, "MUG-1", 1, "W-1").line_id == 1
    assert units_left(LINES) == 1


def test_an_item_not_on_the_order_is_wrong() -> None:
    with pytest.raises(WrongItem, match=r"^HAT-1 is not on order W-1; put it aside\.$"):
        line_for_scan(LINES, 30, "HAT-1", 1, "W-1")


def test_an_item_already_all_packed_is_extra() -> None:
    expected = r"^CAP-1 is extra: all 1 for W-1 are already in the box\.$"
    with pytest.raises(ExtraItem, match=expected):
        line_for_scan(LINES, 20, "CAP-1", 1, "W-1")


def test_a_case_holding_more_than_is_needed_is_refused() -> None:
    with pytest.raises(ExtraItem, match="That scan counts 12 of MUG-1, but only 1 more is needed"):
        line_for_scan(LINES, 10, "MUG-1", 12, "W-1")


def test_the_same_product_on_two_lines_fills_them_in_turn() -> None:
    lines = [
        LineToPack(1, 10, "MUG-1", 1, 1),
        LineToPack(2, 10, "MUG-1", 2, 0),
    ]
    assert line_for_scan(lines, 10, "MUG-1", 1, "W-1").line_id == 2
