from wms.api import returns  # noqa: F401  (its routes join the blueprint)
from wms.api.routes import bp

__all__ = ["bp"]
