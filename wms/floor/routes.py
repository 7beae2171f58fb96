"""The floor's home: the menu scanned by command barcodes, and scan anything."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from wms.auth.services import set_language
from wms.base.codes import language_command_of, screen_command_of
from wms.base.errors import InvalidInput
from wms.base.i18n import N_, _
from wms.core.recognise import recognise
from wms.extensions import htmx
from wms.floor import queries
from wms.navigation import screen_url

bp = Blueprint("floor", __name__)


# Sent by the floor script with every scan, so a screen's command barcode opens
# that screen whichever scan field took it. A custom header: no other site can
# make a browser send it.
FLOOR_SCAN_HEADER = "X-Floor-Scan"
MENU_HINT = N_("scan a screen's command from the command sheet: RECEIVE, PICK, PACK…")


@bp.get("/")
def home() -> ResponseReturnValue:
    if current_user.has_role("supervisor") and request.args.get("floor") is None:
        return redirect(url_for("desk.home"))
    return render_template("floor/home.html")


@bp.post("/floor/menu")
def menu_scan() -> ResponseReturnValue:
    """The menu's scan field: a screen's command opens it; anything else is named."""
    code = request.form.get("code", "").strip()
    if not code:
        raise InvalidInput(_("Scan a screen's command from the command sheet."))
    word = screen_command_of(code)
    if word is not None:
        return open_screen(word)
    seen = recognise(code)
    if seen.known:
        raise seen.refusal(_(MENU_HINT))
    raise InvalidInput(
        _("No command has the code %(code)s: %(hint)s", code=code, hint=_(MENU_HINT))
    )


@bp.before_app_request
def screen_command() -> ResponseReturnValue | None:
    """A screen's command barcode (RECEIVE, PICK, MENU, LOGOUT...) scanned on any
    floor screen opens that screen, before the screen's own scan handling."""
    if request.headers.get(FLOOR_SCAN_HEADER) != "1" or not current_user.is_authenticated:
        return None
    source = request.form if request.method == "POST" else request.args
    code = source.get("code", "")
    language = language_command_of(code)
    if language is not None:
        return _speak(language)
    word = screen_command_of(code)
    return open_screen(word) if word is not None else None


def _speak(language: str) -> ResponseReturnValue:
    """A language's command barcode: the operator's screens speak it from now on,
    and the screen they are on is drawn again in it."""
    set_language(current_user.id, language)
    came_from = urlsplit(request.referrer or "")
    here = came_from.path + (f"?{came_from.query}" if came_from.query else "")
    return _go(here if here.startswith("/") else url_for("floor.home", floor=1))


def open_screen(word: str) -> ResponseReturnValue:
    if word == "LOGOUT":
        logout_user()
        return _go(url_for("auth.login"))
    url = screen_url(word, current_user)
    if url is None:
        raise InvalidInput(_("%(screen)s is not a screen you may open.", screen=word))
    return _go(url)


def _go(url: str) -> ResponseReturnValue:
    if htmx:
        response = Response(status=204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)


@bp.get("/floor/scan")
def scan_anything() -> ResponseReturnValue:
    code = request.args.get("code", "")
    if not code.strip():
        if htmx:
            return render_template("_message.html", message=_("Scan or type a code."), kind="info")
        return render_template("floor/scan_anything.html", result=None)
    result = queries.scan_anything(code)
    if htmx:
        return render_template("floor/_scan_result.html", result=result)
    return render_template("floor/scan_anything.html", result=result)
