from wms.dashboard.routes import bp

__all__ = ["bp"]
