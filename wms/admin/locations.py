"""Locations: one at a time or a whole pattern of bins; never deleted, only deactivated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, or_, select

from wms.admin.formats import LOCATION_COLUMNS, Table, read_row
from wms.admin.patterns import PlannedBin
from wms.admin.products import FormProblems
from wms.auth import audit
from wms.auth.audit import changes
from wms.base.errors import Conflict, NotFound
from wms.database import PER_PAGE, Page, like_pattern, paginate
from wms.extensions import db
from wms.inventory.models import Location, LocationKind, Stock

places_t = Location.__table__

EDITABLE = tuple(c for c in LOCATION_COLUMNS if c.name != "code")


def location_values(location: Location) -> dict[str, Any]:
    return {c.attr: getattr(location, c.attr) for c in LOCATION_COLUMNS}


def read_location_form(form: Mapping[str, str], *, creating: bool) -> dict[str, Any]:
    columns = LOCATION_COLUMNS if creating else EDITABLE
    values, problems = read_row(Table(columns, []), {c.name: form.get(c.name, "") for c in columns})
    if problems:
        raise FormProblems(problems)
    return values


def units_held(location_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(Stock.qty_on_hand), 0)).where(
                Stock.location_id == location_id
            )
        )
        or 0
    )


def change_problem(location: Location, new: Mapping[str, Any], held: int) -> str | None:
    """Why a change may not be made while the location holds stock, if it may not."""
    if not held:
        return None
    if "kind" in new and new["kind"] != location.kind:
        # Stock counts as sellable by the kind of its location: the counters would lie.
        return f"{location.code} holds {held} units; empty it before changing its kind."
    if new.get("active") is False and location.active:
        return f"{location.code} holds {held} units; empty it before deactivating it."
    return None


def get_location(location_id: int) -> Location:
    location = db.session.get(Location, location_id)
    if location is None:
        raise NotFound("There is no such location.")
    return location


def create_location(values: dict[str, Any], user_id: int | None) -> Location:
    if db.session.scalar(select(func.count()).where(Location.code == values["code"])):
        raise Conflict(f"Location {values['code']} already exists.")
    location = Location(**values)
    db.session.add(location)
    db.session.flush()
    audit.record(
        user_id, "location.create", "location", location.id, code=location.code, kind=location.kind
    )
    return location


def update_location(
    location_id: int, values: dict[str, Any], user_id: int | None
) -> dict[str, list[Any]]:
    location = get_location(location_id)
    before = location_values(location)
    changed = changes(before, {k: v for k, v in values.items() if k in before and k != "code"})
    if not changed:
        return {}
    problem = change_problem(location, values, units_held(location.id))
    if problem:
        raise Conflict(problem)
    for key in changed:
        setattr(location, key, values[key])
    db.session.flush()
    audit.record(user_id, "location.update", "location", location.id, changes=changed)
    return changed


def set_location_active(location_id: int, active: bool, user_id: int | None) -> None:
    if not update_location(location_id, {"active": active}, user_id):
        raise Conflict("The location is already " + ("active." if active else "inactive."))


def existing_codes(codes: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(codes), 500):
        found.update(
            db.session.scalars(select(Location.code).where(Location.code.in_(codes[i : i + 500])))
        )
    return found


@dataclass(frozen=True)
class BulkResult:
    created: int
    skipped: list[str]


def create_bins(
    plan: list[PlannedBin],
    *,
    kind: str,
    zone: str,
    zone_by_aisle: bool,
    capacity: int | None,
    user_id: int | None,
) -> BulkResult:
    """Create the planned locations that do not exist yet, in one statement."""
    taken = existing_codes([p.code for p in plan])
    rows = [
        {
            "code": p.code,
            "name": f"Aisle {p.aisle}, bay {p.bay}, level {p.level}",
            "kind": kind,
            "zone": p.aisle if zone_by_aisle else zone,
            "walk_seq": p.walk_seq,
            "capacity": capacity,
            "active": True,
        }
        for p in plan
        if p.code not in taken
    ]
    if rows:
        ids = list(
            db.session.scalars(
                insert(places_t).returning(places_t.c.id, sort_by_parameter_order=True), rows
            )
        )
        audit.record_many(
            user_id,
            "location.create",
            "location",
            [
                (location_id, {"code": row["code"], "kind": kind, "pattern": True})
                for location_id, row in zip(ids, rows, strict=True)
            ],
        )
    return BulkResult(len(rows), sorted(taken))


@dataclass(frozen=True)
class LocationFilter:
    q: str = ""
    kind: str = ""
    zone: str = ""
    status: str = "active"
    flagged: bool = False


def filtered_locations(flt: LocationFilter) -> Any:
    stmt = select(Location)
    if flt.q.strip():
        pattern = like_pattern(flt.q)
        stmt = stmt.where(
            or_(
                func.lower(Location.code).like(pattern, escape="\\"),
                func.lower(Location.name).like(pattern, escape="\\"),
            )
        )
    if flt.kind in {k.value for k in LocationKind}:
        stmt = stmt.where(Location.kind == flt.kind)
    if flt.zone.strip():
        stmt = stmt.where(Location.zone == flt.zone.strip())
    if flt.status in ("active", "inactive"):
        stmt = stmt.where(Location.active.is_(flt.status == "active"))
    if flt.flagged:
        stmt = stmt.where(Location.count_requested_at.is_not(None))
    return stmt.order_by(Location.walk_seq, Location.code)


def search_locations(flt: LocationFilter, number: int, per_page: int = PER_PAGE) -> Page:
    return paginate(filtered_locations(flt), number, per_page)


def units_by_location(location_ids: list[int]) -> dict[int, int]:
    if not location_ids:
        return {}
    rows = db.session.execute(
        select(Stock.location_id, func.sum(Stock.qty_on_hand))
        .where(Stock.location_id.in_(location_ids))
        .group_by(Stock.location_id)
    ).all()
    return {location_id: int(units or 0) for location_id, units in rows}


def zones() -> list[str]:
    return [
        z for z in db.session.scalars(select(Location.zone).distinct().order_by(Location.zone)) if z
    ]
