from wms.auth.routes import bp

__all__ = ["bp"]
