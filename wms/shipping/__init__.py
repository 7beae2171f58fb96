"""Packing, labels and shipping: the pack station, carriers, prints and the manifest."""

from wms.shipping import desk  # noqa: F401  (its routes join the blueprint)
from wms.shipping.routes import bp

__all__ = ["bp"]
