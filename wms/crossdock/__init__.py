from flask import Blueprint

bp = Blueprint("crossdock", __name__)

from wms.crossdock import routes  # noqa: E402,F401
