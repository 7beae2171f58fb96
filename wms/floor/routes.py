"""The floor's home: the menu scanned by command barcodes, and scan anything."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from wms.auth.services import set_language
from wms.base.codes import language_command_of, screen_command_of
from wms.base.errors import InvalidInput
from wms.base.i18n import N_, Text, _, n_
from wms.core.recognise import recognise
from wms.extensions import htmx
from wms.floor import queries
from wms.i18n import current_language
from wms.navigation import go_to, screen_url

bp = Blueprint("floor", __name__)


# Sent by the floor script with every scan, so a screen's command barcode opens
# that screen whichever scan field took it. A custom header: no other site can
# make a browser send it.
FLOOR_SCAN_HEADER = "X-Floor-Scan"
MENU_HINT = N_("scan a screen's command from the command sheet: RECEIVE, PICK, PACK…")


def _forms(sentence: Text) -> dict[str, str]:
    # The script picks the form by the reader's plural rule (Intl.PluralRules):
    # "one" is the form a catalog gives for 1, "other" the one it gives for many;
    # the placeholders stay for the script to fill.
    keep = {"num": "%(num)s", "codes": "%(codes)s"}
    return {
        "one": str(Text(sentence.msgid, keep, sentence.plural, 1)),
        "other": str(Text(sentence.msgid, keep, sentence.plural, 5)),
    }


@bp.app_template_global()
def floor_words() -> dict[str, object]:
    """The sentences static/js/floor.js says itself, in the reader's language;
    ``%(name)s`` is filled in by the script."""
    said: dict[str, Text] = {
        "refused": _("That was refused (%(status)s). Scan again or ask a supervisor."),
        "refused_button": _("That was refused (%(status)s). Try again or ask a supervisor."),
        "no_answer_button": _("The server could not answer. Nothing was saved; try again."),
        "badge_refused": _("That badge was not accepted."),
        "signing_in": _("Signing in…"),
        "scan_badge_after": _("%(error)s Scan your badge."),
        "badge_no_answer": _("The server did not answer. Scan your badge again."),
    }
    return {
        "lang": current_language(),
        **{key: str(sentence) for key, sentence in said.items()},
        "queue": _forms(
            n_(
                "%(num)s scan waiting for the server: %(codes)s",
                "%(num)s scans waiting for the server: %(codes)s",
                0,
            )
        ),
        "waiting": _forms(
            n_(
                "Waiting for the server… %(num)s scan kept, to be sent in order. Keep scanning.",
                "Waiting for the server… %(num)s scans kept, to be sent in order. Keep scanning.",
                0,
            )
        ),
        "session_ended": _forms(
            n_(
                "Your session has ended. Scan your badge to carry on: "
                "%(num)s scan will be sent then.",
                "Your session has ended. Scan your badge to carry on: "
                "%(num)s scans will be sent then.",
                0,
            )
        ),
        "not_sent": _forms(
            n_(
                "Not sent, the server did not answer: %(codes)s. Scan it again.",
                "Not sent, the server did not answer: %(codes)s. Scan them again.",
                0,
            )
        ),
        "signed_in": _forms(
            n_(
                "Signed in. Sending %(num)s scan…",
                "Signed in. Sending %(num)s scans…",
                0,
            )
        ),
    }


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
    return go_to(here if here.startswith("/") else url_for("floor.home", floor=1))


def open_screen(word: str) -> ResponseReturnValue:
    if word == "LOGOUT":
        logout_user()
        return go_to(url_for("auth.login"))
    url = screen_url(word, current_user)
    if url is None:
        raise InvalidInput(_("%(screen)s is not a screen you may open.", screen=word))
    return go_to(url)


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
