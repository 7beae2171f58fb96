"""The allocation rules, without a database: who gets which units."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wms.core.allocation import (
    Arrival,
    WaitingLine,
    allocate,
    day_for_tail,
    in_queue_order,
    project_fill_dates,
)

T0 = datetime(2026, 1, 1, 8)
D0 = date(2026, 1, 5)

lines_st = st.lists(
    st.builds(
        WaitingLine,
        line_id=st.integers(1, 10_000),
        priority=st.integers(1, 3),
        placed_at=st.integers(0, 500).map(lambda m: T0 + timedelta(minutes=m)),
        qty=st.integers(0, 20),
    ),
    max_size=40,
    unique_by=lambda ln: ln.line_id,
)
arrivals_st = st.lists(
    st.builds(
        Arrival,
        ref=st.integers(1, 1000),
        on=st.integers(0, 60).map(lambda d: D0 + timedelta(days=d)),
        qty=st.integers(0, 30),
    ),
    max_size=8,
)


def line(line_id: int, qty: int, priority: int = 2, minutes: int = 0) -> WaitingLine:
    return WaitingLine(line_id, priority, T0 + timedelta(minutes=minutes), qty)


def test_expedited_lines_are_served_before_older_standard_lines() -> None:
    old_standard = line(1, 2, priority=2, minutes=0)
    new_expedited = line(2, 2, priority=1, minutes=90)
    result = allocate([old_standard, new_expedited], 3)
    assert [(f.line_id, f.qty) for f in result.fills] == [(2, 2), (1, 1)]
    assert [(f.line_id, f.qty) for f in result.unfilled] == [(1, 1)]


def test_within_a_class_the_oldest_line_is_served_first() -> None:
    result = allocate([line(5, 1, minutes=30), line(9, 1, minutes=10)], 1)
    assert [f.line_id for f in result.fills] == [9]


def test_units_left_over_when_nobody_waits_for_them() -> None:
    result = allocate([line(1, 2)], 5)
    assert result.units_left == 3 and result.unfilled == ()


@given(lines_st, st.integers(0, 200))
def test_quantities_are_conserved(lines: list[WaitingLine], units: int) -> None:
    result = allocate(lines, units)
    assert sum(f.qty for f in result.fills) + result.units_left == units
    wanted = sum(ln.qty for ln in lines)
    assert sum(f.qty for f in result.fills) + sum(f.qty for f in result.unfilled) == wanted


@given(lines_st, st.integers(0, 200))
def test_no_line_gets_more_than_it_waits_for(lines: list[WaitingLine], units: int) -> None:
    asked = {ln.line_id: ln.qty for ln in lines}
    for fill in allocate(lines, units).fills:
        assert 0 < fill.qty <= asked[fill.line_id]


@given(lines_st, st.integers(0, 200))
def test_a_line_is_served_only_once_everyone_ahead_is_full(
    lines: list[WaitingLine], units: int
) -> None:
    result = allocate(lines, units)
    got = {f.line_id: f.qty for f in result.fills}
    queue = [ln for ln in in_queue_order(lines) if ln.qty > 0]
    for i, ln in enumerate(queue):
        if got.get(ln.line_id):
            for ahead in queue[:i]:
                assert got.get(ahead.line_id) == ahead.qty


@given(lines_st, st.integers(0, 200))
def test_same_input_same_answer_in_any_order(lines: list[WaitingLine], units: int) -> None:
    assert allocate(lines, units) == allocate(list(reversed(lines)), units)


def test_projection_walks_the_queue_against_arrivals_in_date_order() -> None:
    lines = [line(1, 4, minutes=0), line(2, 3, minutes=5), line(3, 10, minutes=9)]
    arrivals = [Arrival(7, D0 + timedelta(days=7), 5), Arrival(3, D0, 5)]
    dates = project_fill_dates(lines, arrivals)
    assert dates == {1: D0, 2: D0 + timedelta(days=7), 3: None}


def test_projection_gives_an_expedited_line_the_first_arrival() -> None:
    lines = [line(1, 5, priority=2), line(2, 5, priority=1, minutes=60)]
    arrivals = [Arrival(1, D0, 5), Arrival(2, D0 + timedelta(days=3), 5)]
    dates = project_fill_dates(lines, arrivals)
    assert dates[2] == D0 and dates[1] == D0 + timedelta(days=3)


@given(lines_st, arrivals_st)
def test_projected_dates_never_go_backwards_along_the_queue(
    lines: list[WaitingLine], arrivals: list[Arrival]
) -> None:
    dates = project_fill_dates(lines, arrivals)
    seen_none = False
    previous = None
    for ln in in_queue_order(lines):
        d = dates[ln.line_id]
        if ln.qty == 0:
            continue
        if d is None:
            seen_none = True
            continue
        assert not seen_none, "a line behind an undated line cannot have a date"
        if previous is not None:
            assert d >= previous
        previous = d


@given(lines_st, arrivals_st)
def test_the_tail_shortcut_agrees_with_the_full_walk(
    lines: list[WaitingLine], arrivals: list[Arrival]
) -> None:
    queue = [ln for ln in in_queue_order(lines) if ln.qty > 0]
    if not queue:
        return
    dates = project_fill_dates(queue, arrivals)
    assert day_for_tail(sum(ln.qty for ln in queue), arrivals) == dates[queue[-1].line_id]
