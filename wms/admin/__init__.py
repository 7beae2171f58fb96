"""Warehouse set-up: products and barcodes, locations, users, channels, CSV import and export."""

from wms.admin import routes_accounts, routes_csv, routes_locations  # noqa: F401  (their routes join the blueprint)
from wms.admin.routes import bp

__all__ = ["bp"]
