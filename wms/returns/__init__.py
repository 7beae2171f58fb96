"""Returns: authorisations, the returns bench on the handheld, decisions, queues and the report."""

from wms.returns import desk  # noqa: F401  (its routes join the blueprint)
from wms.returns.routes import bp

__all__ = ["bp"]
