from flask import Blueprint

bp = Blueprint("floor", __name__)

from wms.floor import routes  # noqa: E402,F401
