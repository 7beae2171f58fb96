"""The same rooms in every area: a reader who knows one area finds their way in the next.

An area's modules are only rooms from ``ROOMS`` (see ARCHITECTURE.md), each a module or,
once it grows, a package of the same name whose modules are named by noun.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import wms
from wms.layers import LAYERS

SOURCE = Path(wms.__file__).parent

ROOMS = {
    "models",  # tables, and the status rules as their properties
    "rules",  # pure decisions: no session, no Flask
    "services",  # the area's actions: the only place that writes
    "queries",  # reads for screens and prints
    "routes",  # the floor's screens (or the one audience's)
    "desk",  # the supervisor's screens
    "schemas",  # API shapes, the one source of the answer and the OpenAPI document
    "prints",  # the documents the area prints, drawn through wms.prints
}
GROWN = {"services", "queries"}  # rooms that may become a package


def _row_of(member: str) -> tuple[str, ...]:
    return next(row for row in LAYERS if member in row)


# Every area: the two rows of areas in wms/layers.py and the screens over them. The API
# is shaped by resource instead (one module each, see ARCHITECTURE.md).
AREAS = tuple(sorted({*_row_of("orders"), *_row_of("inbounds"), *_row_of("desk")} - {"api"}))


def rooms_of(area: str) -> tuple[set[str], set[str]]:
    """The area's modules and its sub-packages, by name."""
    package = SOURCE / area
    modules = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    packages = {p.parent.name for p in package.glob("*/__init__.py")}
    return modules, packages


@pytest.mark.parametrize("area", AREAS)
def test_an_area_holds_only_rooms(area: str) -> None:
    modules, packages = rooms_of(area)
    assert modules <= ROOMS, f"{area}: not rooms: {sorted(modules - ROOMS)}"
    assert packages <= GROWN, f"{area}: not rooms: {sorted(packages - GROWN)}"
    assert not modules & packages, f"{area}: a room is both a module and a package"


@pytest.mark.parametrize("area", AREAS)
def test_a_grown_room_holds_plain_modules(area: str) -> None:
    for room in GROWN:
        package = SOURCE / area / room
        if package.is_dir():
            nested = [p for p in package.glob("*/__init__.py")]
            assert not nested, f"{area}.{room}: nested packages {nested}"


def test_every_area_is_a_package() -> None:
    assert all((SOURCE / area / "__init__.py").is_file() for area in AREAS), AREAS
