from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.extensions import htmx
from wms.floor import bp
from wms.floor.services import scan_anything as lookup


@bp.get("/")
def home() -> ResponseReturnValue:
    if current_user.has_role("supervisor") and request.args.get("floor") is None:
        return redirect(url_for("desk.home"))
    return render_template("floor/home.html")


@bp.get("/floor/scan")
def scan_anything() -> ResponseReturnValue:
    code = request.args.get("code", "")
    if not code.strip():
        if htmx:
            return render_template("_message.html", message="Scan or type a code.", kind="info")
        return render_template("floor/scan_anything.html", result=None)
    result = lookup(code)
    if htmx:
        return render_template("floor/_scan_result.html", result=result)
    return render_template("floor/scan_anything.html", result=result)
