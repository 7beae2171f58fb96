"""Which bins a wave takes its units from, without a database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from wms.picking.rules import (
    BinStock,
    CandidateOrder,
    NeedLine,
    Take,
    choose_bins,
    plan_wave,
)


def bin_(location_id: int, walk_seq: int, free: int) -> BinStock:
    return BinStock(location_id, f"B-{location_id:03d}", walk_seq, free)


bins_st = st.lists(
    st.builds(
        BinStock,
        location_id=st.integers(1, 10_000),
        code=st.text("ABC-0123", min_size=1, max_size=6),
        walk_seq=st.integers(0, 500),
        free=st.integers(0, 30),
    ),
    max_size=12,
    unique_by=lambda b: b.location_id,
)


def test_prefers_the_first_bin_on_the_walk_that_holds_everything() -> None:
    bins = [bin_(1, 30, 9), bin_(2, 10, 2), bin_(3, 20, 5)]
    assert choose_bins(4, bins) == [Take(3, 4)]


def test_splits_across_bins_in_walking_order_when_none_holds_enough() -> None:
    bins = [bin_(1, 30, 3), bin_(2, 10, 2), bin_(3, 20, 2)]
    assert choose_bins(6, bins) == [Take(2, 2), Take(3, 2), Take(1, 2)]


def test_says_none_when_the_bins_do_not_hold_enough() -> None:
    assert choose_bins(5, [bin_(1, 10, 2), bin_(2, 20, 2)]) is None


@given(bins=bins_st, need=st.integers(1, 60))
def test_takes_exactly_what_is_needed_and_never_more_than_a_bin_holds(
    bins: list[BinStock], need: int
) -> None:
    takes = choose_bins(need, bins)
    free = {b.location_id: b.free for b in bins}
    if takes is None:
        assert sum(free.values()) < need
        return
    assert sum(t.qty for t in takes) == need
    assert all(0 < t.qty <= free[t.location_id] for t in takes)
    assert len({t.location_id for t in takes}) == len(takes)
    if any(b.free >= need for b in bins):
        assert len(takes) == 1


def order(order_id: int, *lines: tuple[int, int]) -> CandidateOrder:
    return CandidateOrder(
        order_id,
        tuple(NeedLine(order_id * 10 + i, pid, qty) for i, (pid, qty) in enumerate(lines)),
    )


def test_orders_are_taken_whole_or_left_out_with_the_product_short() -> None:
    bins = {1: [bin_(1, 10, 5)], 2: [bin_(2, 20, 1)]}
    plan = plan_wave([order(1, (1, 2), (2, 2)), order(2, (1, 3))], bins, 10, 10)
    assert plan.order_ids == [2]
    assert plan.left_out == [(1, 2)]
    assert [(t.order_id, t.location_id, t.qty) for t in plan.tasks] == [(2, 1, 3)]


def test_a_later_order_cannot_count_on_units_an_earlier_one_took() -> None:
    bins = {1: [bin_(1, 10, 4), bin_(2, 20, 5)]}
    orders = [order(i, (1, 3)) for i in (1, 2, 3, 4)]
    plan = plan_wave(orders, bins, 10, 10)
    assert [(t.order_id, t.location_id, t.qty) for t in plan.tasks] == [
        (1, 1, 3),
        (2, 2, 3),
        (3, 1, 1),
        (3, 2, 2),
    ]
    assert plan.left_out == [(4, 1)]


def test_two_lines_of_one_order_for_the_same_product_share_the_bins() -> None:
    bins = {1: [bin_(1, 10, 3)]}
    plan = plan_wave([order(1, (1, 2), (1, 2))], bins, 10, 10)
    assert plan.order_ids == [] and plan.left_out == [(1, 1)]


@given(
    orders=st.lists(
        st.lists(st.tuples(st.integers(1, 3), st.integers(1, 6)), min_size=1, max_size=3),
        max_size=8,
    ),
    frees=st.lists(st.integers(0, 12), min_size=6, max_size=6),
    max_orders=st.integers(1, 8),
    max_lines=st.integers(1, 20),
)
def test_a_plan_never_promises_a_bin_more_than_it_holds(
    orders: list[list[tuple[int, int]]], frees: list[int], max_orders: int, max_lines: int
) -> None:
    bins = {
        pid: [bin_(pid * 10 + i, i, frees[(pid - 1) * 2 + i]) for i in range(2)]
        for pid in (1, 2, 3)
    }
    candidates = [order(i + 1, *lines) for i, lines in enumerate(orders)]
    plan = plan_wave(candidates, bins, max_orders, max_lines)
    assert len(plan.order_ids) <= max_orders
    if len(plan.order_ids) > 1:
        assert len(plan.tasks) <= max_lines
    taken: dict[int, int] = {}
    for t in plan.tasks:
        taken[t.location_id] = taken.get(t.location_id, 0) + t.qty
    free = {b.location_id: b.free for rows in bins.values() for b in rows}
    assert all(qty <= free[loc] for loc, qty in taken.items())
    # every planned order gets exactly what its lines need
    for c in candidates:
        if c.order_id in plan.order_ids:
            got = sum(t.qty for t in plan.tasks if t.order_id == c.order_id)
            assert got == sum(line.qty for line in c.lines)
