from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from wms.auth import bp
from wms.auth.services import authenticate, authenticate_badge


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/"):
        return target
    return url_for("floor.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("floor.home"))
    error = None
    if request.method == "POST":
        badge = request.form.get("badge", "").strip()
        if badge:
            user = authenticate_badge(badge)
            error = None if user else "That badge is not known or not active."
        else:
            user = authenticate(
                request.form.get("username", "").strip(), request.form.get("password", "")
            )
            error = None if user else "Wrong username or password."
        if user:
            login_user(user, remember=False)
            return redirect(_safe_next(request.args.get("next")))
        return render_template("auth/login.html", error=error), 401
    return render_template("auth/login.html", error=error)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    logout_user()
    return redirect(url_for("auth.login"))
