"""Picking on the handheld: "Pick", one scan field that leads the picker through a wave."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from wms.auth.decorators import role_required
from wms.base.errors import DomainError
from wms.extensions import db, htmx
from wms.picking.queries.screen import Screen
from wms.picking.services import scanning

bp = Blueprint("picking", __name__)


def _screen_response(screen: Screen, error: str = "", status: int = 200) -> ResponseReturnValue:
    template = "picking/_screen.html" if htmx else "picking/get_work.html"
    return render_template(template, screen=screen, error=error), status


@bp.get("/")
@role_required("operator")
def get_work() -> ResponseReturnValue:
    return _screen_response(scanning.current_screen(current_user.id))


@bp.post("/scan")
@role_required("operator")
def scan() -> ResponseReturnValue:
    try:
        screen = scanning.scan(current_user.id, request.form.get("code", ""))
    except DomainError as error:
        # The sentence, above the step the picker is still on.
        db.session.rollback()
        return _screen_response(
            scanning.current_screen(current_user.id), error.message, error.status
        )
    return _screen_response(screen)
