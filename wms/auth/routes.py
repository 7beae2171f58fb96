from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from wms.auth.services import (
    PasswordNeeded,
    SignInRefused,
    set_language,
    sign_in_with_badge,
    sign_in_with_password,
)
from wms.auth.throttle import TooManyFailures
from wms.database import commit_early

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("floor.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("floor.home"))
        return render_template("auth/login.html")
    form = request.form
    badge = form.get("badge", "").strip()
    try:
        if badge:
            user = sign_in_with_badge(
                badge, form.get("password"), request.remote_addr, commit_early
            )
        else:
            user = sign_in_with_password(
                form.get("username", "").strip(),
                form.get("password", ""),
                request.remote_addr,
                commit_early,
            )
    except PasswordNeeded as refused:
        # The badge is kept for the next step: the password, typed on the handheld.
        return render_template("auth/login.html", error=refused.message, badge=badge), 401
    except TooManyFailures as locked:
        return render_template("auth/login.html", error=locked.message), 429, locked.headers
    except SignInRefused as refused:
        return render_template("auth/login.html", error=refused.message), 401
    login_user(user, remember=False)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language() -> ResponseReturnValue:
    """The signed-in user's language, chosen on the desk; empty follows the device."""
    chosen = request.form.get("language", "").strip().lower() or None
    set_language(current_user.id, chosen)
    return redirect(_safe_next(request.form.get("next")))
