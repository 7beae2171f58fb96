"""The rules of a count, as plain functions over plain data (no Flask, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MAX_TYPED_QTY = 99_999
TYPED_QTY_DIGITS = 5


@dataclass(frozen=True)
class Tolerance:
    units: int = 0
    pct: int = 0

    def allowed(self, expected: int) -> int:
        """The largest difference adjusted at once for a bin that should hold ``expected``."""
        return max(self.units, expected * self.pct // 100)


@dataclass(frozen=True)
class Verdict:
    product_id: int
    expected: int
    counted: int

    @property
    def diff(self) -> int:
        return self.counted - self.expected


MATCHED, ADJUST, REVIEW = "matched", "adjust", "review"


def judge(verdict: Verdict, tolerance: Tolerance) -> str:
    if verdict.diff == 0:
        return MATCHED
    if abs(verdict.diff) <= tolerance.allowed(verdict.expected):
        return ADJUST
    return REVIEW


def compare_count(expected: dict[int, int], counted: dict[int, int]) -> list[Verdict]:
    """Every product the bin should hold or was found in it, in product id order.

    A product expected but never scanned was counted as zero.
    """
    return [
        Verdict(pid, expected.get(pid, 0), counted.get(pid, 0))
        for pid in sorted(set(expected) | set(counted))
    ]


def typed_quantity(code: str) -> int | None:
    """A short number typed on the handheld is a quantity; anything longer is a barcode."""
    code = code.strip()
    if code.isascii() and code.isdigit() and len(code) <= TYPED_QTY_DIGITS:
        return int(code)
    return None


@dataclass(frozen=True)
class ReservedLine:
    """A line holding reserved units that are still on the shelf (not staged anywhere)."""

    line_id: int
    priority: int
    placed_at: datetime
    unstaged: int


def units_to_requeue(sellable: int, reserved: int, loss: int) -> int:
    """Reserved units that a loss of ``loss`` sellable units leaves without stock."""
    return max(0, reserved - (sellable - loss))


def lines_to_requeue(lines: list[ReservedLine], needed: int) -> list[tuple[int, int]]:
    """Which lines give up how many units: the back of the queue first.

    The queue serves priority class first, then the oldest; so the lines that
    would be served last (lowest class, most recently placed) give their units
    back first, and the oldest orders keep theirs.
    """
    out: list[tuple[int, int]] = []
    for line in sorted(lines, key=lambda ln: (ln.priority, ln.placed_at, ln.line_id), reverse=True):
        if needed <= 0:
            break
        take = min(line.unstaged, needed)
        if take > 0:
            out.append((line.line_id, take))
            needed -= take
    return out
