"""What a place holds and which place of a kind comes first: one answer for every area."""

from __future__ import annotations

from flask import Flask

from tests.factories import Factories
from wms.inventory.models import LocationKind
from wms.inventory.queries import first_active_location, units_in_location, units_of_product_in


def test_the_first_place_of_a_kind_is_first_on_the_walk_then_by_code(fresh_app: Flask) -> None:
    make = Factories(fresh_app)
    make.location(LocationKind.QUARANTINE, code="QUAR-9", walk_seq=5)
    make.location(LocationKind.QUARANTINE, code="QUAR-B", walk_seq=2)
    # Made after QUAR-B, at the same point of the walk: chosen by its code, not its id.
    make.location(LocationKind.QUARANTINE, code="QUAR-A", walk_seq=2)
    make.location(LocationKind.QUARANTINE, code="QUAR-0", walk_seq=1, active=False)
    with fresh_app.app_context():
        found = first_active_location(LocationKind.QUARANTINE)
        assert found is not None and found.code == "QUAR-A"


def test_the_first_place_comes_from_the_first_kind_that_has_one(fresh_app: Flask) -> None:
    make = Factories(fresh_app)
    make.location(LocationKind.QUARANTINE, code="QUAR-1", walk_seq=1)
    make.location(LocationKind.EXCEPTIONS, code="EXC-2", walk_seq=9)
    with fresh_app.app_context():
        assert first_active_location(LocationKind.RECEIVING) is None
        preferred = first_active_location(LocationKind.EXCEPTIONS, LocationKind.QUARANTINE)
        assert preferred is not None and preferred.code == "EXC-2"
        fallback = first_active_location(LocationKind.RECEIVING, LocationKind.QUARANTINE)
        assert fallback is not None and fallback.code == "QUAR-1"


def test_a_place_holds_the_units_of_every_product_in_it(fresh_app: Flask) -> None:
    make = Factories(fresh_app)
    bin_, other, empty = make.location(), make.location(), make.location()
    first, second = make.product(), make.product()
    make.stock(first, bin_, 3)
    make.stock(second, bin_, 4)
    make.stock(first, other, 5)
    with fresh_app.app_context():
        assert units_in_location(bin_.id) == 7
        assert units_in_location(empty.id) == 0
        assert units_of_product_in(first.id, bin_.id) == 3
        assert units_of_product_in(second.id, other.id) == 0
