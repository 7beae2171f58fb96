"""Who gets which units: the allocation rules, as plain functions over plain data.

No Flask and no ORM here. Waiting lines are served by priority class (lower
first), then oldest ``placed_at``, then the line id so equal times still have
one answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class WaitingLine:
    line_id: int
    priority: int
    placed_at: datetime
    qty: int


@dataclass(frozen=True, slots=True)
class Arrival:
    """Units expected on a day (an open inbound line's outstanding quantity)."""

    ref: int
    on: date
    qty: int


@dataclass(frozen=True, slots=True)
class Fill:
    line_id: int
    qty: int


@dataclass(frozen=True, slots=True)
class Allocation:
    fills: tuple[Fill, ...]
    unfilled: tuple[Fill, ...]  # what each line still waits for afterwards
    units_left: int


def queue_key(line: WaitingLine) -> tuple[int, datetime, int]:
    return (line.priority, line.placed_at, line.line_id)


def in_queue_order(lines: Iterable[WaitingLine]) -> list[WaitingLine]:
    return sorted(lines, key=queue_key)


def allocate(lines: Iterable[WaitingLine], units: int) -> Allocation:
    """Give ``units`` to the waiting lines in queue order, each up to what it waits for."""
    if units < 0:
        raise ValueError("units cannot be negative")
    fills: list[Fill] = []
    unfilled: list[Fill] = []
    left = units
    for line in in_queue_order(lines):
        if line.qty <= 0:
            continue
        take = min(left, line.qty)
        if take:
            fills.append(Fill(line.line_id, take))
            left -= take
        if take < line.qty:
            unfilled.append(Fill(line.line_id, line.qty - take))
    return Allocation(tuple(fills), tuple(unfilled), left)


def project_fill_dates(
    lines: Iterable[WaitingLine],
    arrivals: Sequence[Arrival],
    on_hand: int = 0,
    today: date | None = None,
) -> dict[int, date | None]:
    """The day each waiting line can be filled, walking the queue against arrivals.

    ``on_hand`` units (available ``today``) serve the head of the queue first; then
    each arrival, earliest first, serves the next lines. A line whose units
    are not all covered by what is expected gets ``None``: no date can be
    promised.
    """
    supply_iter = iter(sorted((a for a in arrivals if a.qty > 0), key=lambda a: (a.on, a.ref)))
    supply = max(0, on_hand)
    supply_day: date | None = today
    demand = 0
    exhausted = False
    result: dict[int, date | None] = {}
    for line in in_queue_order(lines):
        demand += max(0, line.qty)
        while supply < demand and not exhausted:
            nxt = next(supply_iter, None)
            if nxt is None:
                exhausted = True
                break
            supply += nxt.qty
            supply_day = nxt.on
        if supply >= demand:
            result[line.line_id] = supply_day
        else:
            result[line.line_id] = None
    return result


def day_for_tail(demand_through_line: int, arrivals: Sequence[Arrival]) -> date | None:
    """Projected day for the line at the end of the queue, knowing the units waiting up to it."""
    supply = 0
    for arrival in sorted(arrivals, key=lambda a: (a.on, a.ref)):
        if arrival.qty <= 0:
            continue
        supply += arrival.qty
        if supply >= demand_through_line:
            return arrival.on
    return None
