"""Pure decisions about a shop's order: which product each line is, at which service
level it ships, and how an order read from a platform is kept to be taken in later."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from wms.channels.connectors import PlatformLine, PlatformOrder
from wms.core.models import Priority

SERVICE_LEVELS = ("express", "priority", "standard", "economy")
DEFAULT_SERVICE_LEVEL = "standard"
PRIORITY_OF = {
    "express": Priority.EXPEDITED,
    "priority": Priority.EXPEDITED,
    "standard": Priority.STANDARD,
    "economy": Priority.ECONOMY,
}

# What the caller knows of the channel's mapping: a product's SKU for a line's
# platform ids, for its platform SKU, or for the SKU as the warehouse spells it.
ByIds = Callable[[str, str], str | None]
BySku = Callable[[str], str | None]


@dataclass(frozen=True)
class MappedLines:
    lines: tuple[tuple[str, int], ...]  # (warehouse SKU, qty), in the platform's order
    unmapped: tuple[str, ...]  # one sentence per line that maps to no product


def map_lines(lines: tuple[PlatformLine, ...], by_ids: ByIds, by_sku: BySku) -> MappedLines:
    """Each line's product: the channel's mapping of its ids first (the merchant said
    so), then of its SKU, then the warehouse's own product of that SKU."""
    mapped: list[tuple[str, int]] = []
    unmapped: list[str] = []
    for position, line in enumerate(lines, start=1):
        if line.qty <= 0:
            continue
        sku = None
        if line.product_id or line.variant_id:
            sku = by_ids(line.product_id, line.variant_id)
        if sku is None and line.sku:
            sku = by_sku(line.sku)
        if sku is None:
            unmapped.append(f"Line {position} ({describe(line)}) matches no product.")
        else:
            mapped.append((sku, line.qty))
    return MappedLines(tuple(mapped), tuple(unmapped))


def describe(line: PlatformLine) -> str:
    """How the desk names a shop's line: its SKU, title and ids."""
    parts = [f"SKU {line.sku}" if line.sku else "no SKU"]
    if line.title:
        parts.append(f"“{line.title}”")
    if line.product_id:
        parts.append(f"product {line.product_id}")
    if line.variant_id:
        parts.append(f"variant {line.variant_id}")
    return ", ".join(parts)


def service_level(code: str, title: str, table: Mapping[str, str]) -> str:
    """The level a shipping method ships at: by its code, else its title, else standard."""
    for key in (code, title):
        if key and key in table:
            return table[key]
    return DEFAULT_SERVICE_LEVEL


def needs_payment_first(order: PlatformOrder) -> bool:
    """Anything not paid yet waits for its payment before the parcel leaves: an
    authorisation is captured, a pending payment (bank transfer, on hold) arrives."""
    return order.payment != "paid"


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def to_data(order: PlatformOrder) -> dict[str, Any]:
    """An order read from a platform, as JSON to keep (and take in later from)."""
    data = asdict(order)
    data["placed_at"] = order.placed_at.isoformat()
    data["total"] = None if order.total is None else str(order.total)
    data["ship_to"] = dict(order.ship_to)
    return data


def from_data(data: Mapping[str, Any]) -> PlatformOrder:
    values = dict(data)
    values["lines"] = tuple(PlatformLine(**line) for line in values["lines"])
    values["placed_at"] = datetime.fromisoformat(values["placed_at"])
    values["total"] = None if values.get("total") is None else Decimal(values["total"])
    return PlatformOrder(**values)
