from wms.desk.routes import bp

__all__ = ["bp"]
