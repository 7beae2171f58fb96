"""Picking: waves built at the desk, pick lists on paper, scan-to-pick on the handheld."""

from flask import Blueprint

bp = Blueprint("picking", __name__)

from wms.picking import routes  # noqa: E402,F401
