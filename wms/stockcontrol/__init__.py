"""Keeping stock true: cycle counts on the handheld, adjustments and their value."""

from flask import Blueprint

bp = Blueprint("stockcontrol", __name__)

from wms.stockcontrol import routes, routes_desk  # noqa: E402,F401
