"""The count screen on the handheld."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.extensions import htmx
from wms.stockcontrol.queries import screen
from wms.stockcontrol.services.counting import count_scan

bp = Blueprint("stockcontrol", __name__)


@bp.get("/count")
def count_start() -> ResponseReturnValue:
    return render_template("stockcontrol/count.html", shown=screen(current_user.id))


@bp.post("/count/scan")
def count_scan_post() -> ResponseReturnValue:
    shown = count_scan(current_user.id, request.form.get("code", ""))
    if htmx:
        return render_template("stockcontrol/_count_answer.html", shown=shown)
    return render_template("stockcontrol/count.html", shown=shown)
