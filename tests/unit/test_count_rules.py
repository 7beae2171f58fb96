"""The rules of a cycle count, on plain data."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wms.stockcontrol.models import CountTask, TaskStatus
from wms.stockcontrol.rules import (
    ADJUST,
    MATCHED,
    REVIEW,
    ReservedLine,
    Tolerance,
    Verdict,
    compare_count,
    judge,
    lines_to_requeue,
    typed_quantity,
    units_to_requeue,
)


def test_a_product_expected_but_never_scanned_was_counted_as_zero() -> None:
    verdicts = compare_count({1: 10, 2: 4}, {2: 4, 3: 1})
    assert [(v.product_id, v.expected, v.counted, v.diff) for v in verdicts] == [
        (1, 10, 0, -10),
        (2, 4, 4, 0),
        (3, 0, 1, 1),
    ]


def test_tolerance_is_the_larger_of_units_and_a_share_of_expected() -> None:
    tol = Tolerance(units=1, pct=5)
    assert judge(Verdict(1, 40, 40), tol) == MATCHED
    assert judge(Verdict(1, 40, 38), tol) == ADJUST  # 5% of 40 is 2
    assert judge(Verdict(1, 40, 37), tol) == REVIEW
    assert judge(Verdict(1, 3, 4), tol) == ADJUST  # 1 unit
    assert judge(Verdict(1, 0, 5), tol) == REVIEW
    assert judge(Verdict(1, 9, 8), Tolerance()) == REVIEW


def test_short_numbers_are_quantities_and_long_ones_barcodes() -> None:
    assert typed_quantity("12") == 12
    assert typed_quantity("0") == 0
    assert typed_quantity("4006381333931") is None
    assert typed_quantity("12a") is None


def test_a_loss_requeues_only_what_the_remaining_stock_cannot_cover() -> None:
    assert units_to_requeue(sellable=10, reserved=6, loss=3) == 0
    assert units_to_requeue(sellable=10, reserved=6, loss=5) == 1
    assert units_to_requeue(sellable=10, reserved=10, loss=10) == 10


def test_the_back_of_the_queue_gives_up_its_units_first() -> None:
    t0 = datetime(2025, 1, 1)
    lines = [
        ReservedLine(1, priority=2, placed_at=t0, unstaged=2),  # oldest standard
        ReservedLine(2, priority=2, placed_at=t0 + timedelta(hours=1), unstaged=2),
        ReservedLine(3, priority=1, placed_at=t0 + timedelta(hours=2), unstaged=2),  # expedited
    ]
    assert lines_to_requeue(lines, 3) == [(2, 2), (1, 1)]


@given(
    st.lists(st.integers(min_value=0, max_value=5), min_size=0, max_size=12),
    st.integers(min_value=0, max_value=40),
)
def test_requeued_units_add_up_and_no_line_gives_more_than_it_holds(
    units: list[int], needed: int
) -> None:
    t0 = datetime(2025, 1, 1)
    lines = [ReservedLine(i, 2, t0 + timedelta(minutes=i), u) for i, u in enumerate(units)]
    taken = lines_to_requeue(lines, needed)
    assert sum(q for _, q in taken) == min(needed, sum(units))
    held = {ln.line_id: ln.unstaged for ln in lines}
    assert all(0 < q <= held[i] for i, q in taken)
    # the newest lines give first: every line that gave is newer than every line that kept all
    gave = {i for i, _ in taken}
    kept = [i for i, u in enumerate(units) if u and i not in gave]
    assert not gave or not kept or min(gave) > max(kept) or len(gave) == 0


def test_only_a_task_waiting_for_review_is_approved_and_every_unfinished_one_cancelled() -> None:
    shown = {
        s: (CountTask(status=s).awaits_review, CountTask(status=s).is_active) for s in TaskStatus
    }
    assert shown == {
        TaskStatus.OPEN: (False, True),
        TaskStatus.COUNTING: (False, True),
        TaskStatus.REVIEW: (True, True),
        TaskStatus.DONE: (False, False),
        TaskStatus.RECOUNTED: (False, False),
        TaskStatus.CANCELLED: (False, False),
    }
