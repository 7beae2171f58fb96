"""Packing, labels and shipping: the pack station, carriers, prints and the manifest."""

from wms.shipping.routes import bp

__all__ = ["bp"]
