from wms.crossdock.routes import bp

__all__ = ["bp"]
