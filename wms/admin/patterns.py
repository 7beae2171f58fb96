"""Bins in bulk: aisles x bays x levels -> codes and a walking sequence. Pure.

The walk is a serpentine, as a picker walks: up the bays of the first
aisle, down the bays of the next, levels bottom to top in each bay, so the
sequence of a pick list never sends anyone back along an aisle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wms.inventory.fields import FieldError

MAX_LOCATIONS = 5000


@dataclass(frozen=True)
class PlannedBin:
    code: str
    aisle: str
    bay: str
    level: str
    walk_seq: int


def parse_range(value: str, label: str, *, letters: bool) -> list[str]:
    """'A-F' or 'A,C,E' (letters); '1-20', '01-20' or '1,3,5' (numbers, padding kept)."""
    value = (value or "").strip().upper().replace(" ", "")
    if not value:
        raise FieldError(f"{label} is missing.")
    out: list[str] = []
    for part in value.split(","):
        if not part:
            continue
        if letters:
            out += _letters(part, label)
        else:
            out += _numbers(part, label)
    if len(set(out)) != len(out):
        raise FieldError(f"{label} lists the same one twice.")
    return out


def _letters(part: str, label: str) -> list[str]:
    match = re.fullmatch(r"([A-Z]{1,2})(?:-([A-Z]{1,2}))?", part)
    if not match:
        raise FieldError(f"{label} must be letters like A-F or A,B,C, not '{part}'.")
    first, last = match.group(1), match.group(2) or match.group(1)
    if len(first) != len(last) or len(first) != 1:
        if first == last:
            return [first]
        raise FieldError(f"{label}: a range runs between single letters, like A-F.")
    if last < first:
        raise FieldError(f"{label}: {first}-{last} runs backwards.")
    return [chr(c) for c in range(ord(first), ord(last) + 1)]


def _numbers(part: str, label: str) -> list[str]:
    match = re.fullmatch(r"(\d{1,4})(?:-(\d{1,4}))?", part)
    if not match:
        raise FieldError(f"{label} must be numbers like 1-20 or 01-20, not '{part}'.")
    first_text, last_text = match.group(1), match.group(2) or match.group(1)
    first, last = int(first_text), int(last_text)
    if last < first:
        raise FieldError(f"{label}: {first_text}-{last_text} runs backwards.")
    # '01-20' pads to two digits; '1-20' does not.
    width = max(len(first_text), len(last_text)) if first_text.startswith("0") else 0
    return [str(n).zfill(width) for n in range(first, last + 1)]


def plan_bins(
    aisles: str,
    bays: str,
    levels: str,
    *,
    separator: str = "-",
    first_seq: int = 10,
    step: int = 10,
    serpentine: bool = True,
) -> list[PlannedBin]:
    """Every bin of the pattern in walking order, with its code and sequence number."""
    aisle_list = parse_range(aisles, "Aisles", letters=True)
    bay_list = parse_range(bays, "Bays", letters=False)
    level_list = parse_range(levels, "Levels", letters=False)
    total = len(aisle_list) * len(bay_list) * len(level_list)
    if total > MAX_LOCATIONS:
        raise FieldError(f"That makes {total} locations; at most {MAX_LOCATIONS} at once.")
    if separator not in ("-", ".", "_", ""):
        raise FieldError("The separator must be -, ., _ or nothing.")
    if step < 1:
        raise FieldError("The step must be at least 1.")
    out: list[PlannedBin] = []
    seq = first_seq
    for index, aisle in enumerate(aisle_list):
        walk = bay_list if not serpentine or index % 2 == 0 else list(reversed(bay_list))
        for bay in walk:
            for level in level_list:
                code = separator.join((aisle, bay, level))
                out.append(PlannedBin(code, aisle, bay, level, seq))
                seq += step
    return out
