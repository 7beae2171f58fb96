"""Warehouse set-up: products and barcodes, locations, users, channels, CSV import and export."""

from wms.admin.routes import bp

__all__ = ["bp"]
