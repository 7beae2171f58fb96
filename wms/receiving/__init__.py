from wms.receiving.routes import bp

__all__ = ["bp"]
