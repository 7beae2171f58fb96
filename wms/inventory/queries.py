"""Reads about places every area asks: what a place holds (of every product, or of one),
which place of a kind comes first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select

from wms.database import prebuilt
from wms.extensions import db
from wms.inventory.models import Location, Stock


def units_in_location(location_id: int) -> int:
    """The units of every product a place holds (0 for an empty one)."""
    return int(db.session.scalar(_units_in_location(), {"lid": location_id}) or 0)


@prebuilt
def _units_in_location() -> Any:
    # Built once: the receive scan asks it of each bin it considers.
    return select(func.coalesce(func.sum(Stock.qty_on_hand), 0)).where(
        Stock.location_id == bindparam("lid")
    )


def units_of_product_in(product_id: int, location_id: int) -> int:
    """The units of one product a place holds (0 when it holds none)."""
    return int(
        db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product_id, Stock.location_id == location_id
            )
        )
        or 0
    )


def first_active_location(*kinds: str) -> Location | None:
    """The first active place of the first kind that has one, in walking order.

    Places at the same point of the walk are taken by code, as the floor lists
    them, so the one a screen names first is the one chosen.
    """
    for kind in kinds:
        found = db.session.scalar(_first_of_kind(), {"kind": kind})
        if found is not None:
            return found  # type: ignore[no-any-return]
    return None


@prebuilt
def _first_of_kind() -> Any:
    return (
        select(Location)
        .where(Location.kind == bindparam("kind"), Location.active.is_(True))
        .order_by(Location.walk_seq, Location.code)
        .limit(1)
    )
