from flask import Blueprint

from wms.auth.decorators import require_role_for_blueprint

bp = Blueprint("dashboard", __name__)
bp.before_request(require_role_for_blueprint("supervisor"))

from wms.dashboard import routes  # noqa: E402,F401
