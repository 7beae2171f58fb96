"""Checking and writing the rows of each CSV format.

``check(table, start, end)`` reads rows ``start:end`` against the database and
the rows before them (a SKU twice in a file is an error wherever the two
rows fall) and says, per row, what is wrong in plain words and what the row
would do. ``apply`` writes rows that were all checked in the same transaction.
"""

from __future__ import annotations

from wms.admin.check_common import Checker, CheckResult
from wms.admin.check_places import LocationChecker, StockChecker
from wms.admin.check_products import ProductChecker

CHECKERS: dict[str, Checker] = {
    "products": ProductChecker(),
    "locations": LocationChecker(),
    "stock": StockChecker(),
}

__all__ = ["CHECKERS", "CheckResult"]
