"""Inbound purchase orders and advance shipping notices."""

from wms.inbounds.routes import bp

__all__ = ["bp"]
