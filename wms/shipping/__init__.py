"""Packing, labels and shipping: the pack station, carriers, prints and the manifest."""

from flask import Blueprint

bp = Blueprint("shipping", __name__)

from wms.shipping import routes  # noqa: E402,F401
