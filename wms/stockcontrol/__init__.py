"""Keeping stock true: cycle counts on the handheld, adjustments and their value."""

from wms.stockcontrol import desk  # noqa: F401  (its routes join the blueprint)
from wms.stockcontrol.routes import bp

__all__ = ["bp"]
