"""The dashboard's lists show each query row in plain words, the same on the page and in CSV."""

from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace

from wms.base.numbers import order_number
from wms.dashboard.queries.lists import BACKORDERS, LABEL_FAILURES, LEDGER, LISTS, SHORT_PICKS

AT = datetime(2026, 3, 1, 9, 30)


def test_a_waiting_line_shows_its_order_number_priority_and_projected_day() -> None:
    row = SimpleNamespace(
        order_id=42,
        sku="SKU-1",
        name="Mug",
        kind="backorder",
        priority=1,
        placed_at=AT,
        qty_waiting=3,
        position=2,
        projected_fill_on=None,
    )

    shown = BACKORDERS.row(row)

    assert shown["order"] == order_number(42)
    assert shown["qty"] == 3 and shown["position"] == 2
    assert shown["projected"] == "no date"
    assert (
        BACKORDERS.row(SimpleNamespace(**{**vars(row), "projected_fill_on": date(2026, 3, 4)}))[
            "projected"
        ]
        == "2026-03-04"
    )


def test_a_movement_from_outside_by_no_one_says_so() -> None:
    row = SimpleNamespace(
        created_at=AT,
        username=None,
        sku="SKU-1",
        qty=5,
        from_code=None,
        to_code="A-01-1",
        reason="receive",
        reference="PO-1",
    )

    shown = LEDGER.row(row)

    assert (shown["user"], shown["from"], shown["to"]) == ("", "outside", "A-01-1")


def test_a_short_pick_shows_what_was_found_and_whether_a_count_is_asked() -> None:
    row = SimpleNamespace(
        created_at=AT,
        bin="B-02-1",
        sku="SKU-2",
        order_id=7,
        qty_short=2,
        qty_found=1,
        qty_on_hand=3,
        count_requested_at=AT,
        username="pat",
    )

    shown = SHORT_PICKS.row(row)

    assert shown == {
        "created_at": AT,
        "bin": "B-02-1",
        "sku": "SKU-2",
        "order": order_number(7),
        "short": 2,
        "found": 1,
        "ledger": 3,
        "count": "requested",
        "user": "pat",
    }
    assert (
        SHORT_PICKS.row(SimpleNamespace(**{**vars(row), "count_requested_at": None}))["count"]
        == "counted"
    )


def test_a_label_failure_shows_the_carrier_s_words() -> None:
    row = SimpleNamespace(
        label_attempted_at=AT,
        order_id=9,
        carrier_code="shippo",
        label_state="failed",
        label_attempts=3,
        label_error="Address not found",
    )

    assert LABEL_FAILURES.row(row) == {
        "attempted_at": AT,
        "order": order_number(9),
        "carrier": "shippo",
        "state": "failed",
        "attempts": 3,
        "error": "Address not found",
    }


def test_no_two_columns_of_a_list_share_a_key() -> None:
    for spec in LISTS.values():
        assert [c.key for c in spec.columns] == list(dict.fromkeys(c.key for c in spec.columns)), (
            spec.name
        )
