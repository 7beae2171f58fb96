from flask import Blueprint

from wms.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # channels authenticate with bearer tokens, not cookies

from wms.api import routes  # noqa: E402,F401
from wms.returns import api as returns_api  # noqa: E402,F401
