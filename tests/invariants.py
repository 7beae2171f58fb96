"""The invariants, for tests: every stored counter agrees with the rows it counts."""

from __future__ import annotations

from flask import Flask

from wms.extensions import db
from wms.invariants import check_invariants


def assert_invariants(app: Flask) -> None:
    """Fail with every difference, one per line, if any counter disagrees with its rows."""
    with app.app_context():
        try:
            differences = check_invariants()
        finally:
            db.session.remove()
    assert differences == [], "\n".join(differences)
