from flask import Blueprint

bp = Blueprint("receiving", __name__)

from wms.receiving import routes  # noqa: E402,F401
