"""Picking: waves built at the desk, pick lists on paper, scan-to-pick on the handheld."""

from wms.picking import desk  # noqa: F401  (its routes join the blueprint)
from wms.picking.routes import bp

__all__ = ["bp"]
