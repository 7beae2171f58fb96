"""Returns: authorisations, the returns bench on the handheld, decisions, queues and the report."""

from flask import Blueprint

bp = Blueprint("returns", __name__)

from wms.returns import desk, routes  # noqa: E402,F401
