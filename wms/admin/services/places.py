"""Locations: create one or a pattern of bins, change, deactivate; every change audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from wms.admin.queries import existing_codes
from wms.admin.rules import LOCATION_COLUMNS, PlannedBin, Table, plan_bins, read_row
from wms.auth import audit
from wms.auth.audit import changes
from wms.base.errors import Conflict, FormProblems
from wms.base.i18n import Number, Text, _
from wms.database import existing, insert_many
from wms.extensions import db
from wms.inventory import fields
from wms.inventory.models import Location
from wms.inventory.queries import units_in_location

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


def change_problem(location: Location, new: Mapping[str, Any], held: int) -> Text | None:
    """Why a change may not be made while the location holds stock, if it may not."""
    if not held:
        return None
    if "kind" in new and new["kind"] != location.kind:
        # Stock counts as sellable by the kind of its location: the counters would lie.
        return _(
            "%(code)s holds %(num)s units; empty it before changing its kind.",
            code=location.code,
            num=Number(held),
        )
    if new.get("active") is False and location.active:
        return _(
            "%(code)s holds %(num)s units; empty it before deactivating it.",
            code=location.code,
            num=Number(held),
        )
    return None


def get_location(location_id: int) -> Location:
    return existing(Location, location_id, _("There is no such location."))


def create_location(values: dict[str, Any], user_id: int | None) -> Location:
    if db.session.scalar(select(func.count()).where(Location.code == values["code"])):
        raise Conflict(_("Location %(code)s already exists.", code=values["code"]))
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
    problem = change_problem(location, values, units_in_location(location.id))
    if problem:
        raise Conflict(problem)
    for key in changed:
        setattr(location, key, values[key])
    db.session.flush()
    audit.record(user_id, "location.update", "location", location.id, changes=changed)
    return changed


def set_location_active(location_id: int, active: bool, user_id: int | None) -> None:
    if not update_location(location_id, {"active": active}, user_id):
        raise Conflict(
            _("The location is already active.")
            if active
            else _("The location is already inactive.")
        )


@dataclass(frozen=True)
class BinPattern:
    """Bins in bulk as the pattern form describes them."""

    plan: list[PlannedBin]
    kind: str
    zone: str
    zone_by_aisle: bool
    capacity: int | None


def read_pattern_form(form: Mapping[str, str]) -> BinPattern:
    """The pattern form's bins and settings; a FieldError names the first bad field."""
    plan = plan_bins(
        form.get("aisles", ""),
        form.get("bays", ""),
        form.get("levels", ""),
        separator=form.get("separator", "-"),
        first_seq=fields.required_integer(form.get("first_seq"), _("The first sequence number")),
        step=fields.required_integer(form.get("step"), _("The step"), minimum=1),
        serpentine=form.get("serpentine") == "1",
    )
    kind = fields.location_kind(form.get("kind") or "bin")
    capacity = fields.integer(form.get("capacity"), _("Capacity"), default=None)
    zone = fields.text(form.get("zone"), _("Zone"), max_len=20)
    for planned in plan:
        fields.location_code(planned.code)
    return BinPattern(plan, kind, zone, form.get("zone_by_aisle") == "1", capacity)


@dataclass(frozen=True)
class BulkResult:
    created: int
    skipped: list[str]


def create_bins(pattern: BinPattern, user_id: int | None) -> BulkResult:
    """Create the planned locations that do not exist yet, in one statement."""
    plan, kind, zone = pattern.plan, pattern.kind, pattern.zone
    taken = existing_codes([p.code for p in plan])
    rows = [
        {
            "code": p.code,
            # The name is data, written once in the language of the admin who made the bins.
            "name": str(
                _(
                    "Aisle %(aisle)s, bay %(bay)s, level %(level)s",
                    aisle=p.aisle,
                    bay=p.bay,
                    level=p.level,
                )
            ),
            "kind": kind,
            "zone": p.aisle if pattern.zone_by_aisle else zone,
            "walk_seq": p.walk_seq,
            "capacity": pattern.capacity,
            "active": True,
        }
        for p in plan
        if p.code not in taken
    ]
    if rows:
        ids = insert_many(places_t, rows)
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
