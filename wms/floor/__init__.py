from wms.floor.routes import bp

__all__ = ["bp"]
