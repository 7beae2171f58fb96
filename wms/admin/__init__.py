"""Warehouse set-up: products and barcodes, locations, users, channels, CSV import and export."""

from flask import Blueprint

from wms.auth.decorators import require_role_for_blueprint

bp = Blueprint("admin", __name__)
# Supervisors may read the catalogue; every change needs an admin (checked per route).
bp.before_request(require_role_for_blueprint("supervisor"))

from wms.admin import routes  # noqa: E402,F401
