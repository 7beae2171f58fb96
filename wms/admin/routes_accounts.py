"""Admin screens for users (roles, passwords, badges) and channels (webhooks, API tokens)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from wms.admin import accounts as svc
from wms.admin.products import FormProblems
from wms.admin.routes import bp, ids_arg, list_or_partial, pdf_response
from wms.auth.audit import history
from wms.auth.decorators import role_required
from wms.auth.models import Role, User
from wms.base.errors import DomainError, InvalidInput
from wms.database import page_number
from wms.extensions import db
from wms.prints.sheets import Badge, render_badges

# ---------------------------------------------------------------------- users


@bp.get("/users")
@role_required("admin")
def users() -> ResponseReturnValue:
    q, role, status = (
        request.args.get("q", "")[:100],
        request.args.get("role", ""),
        request.args.get("status", "active"),
    )
    page = svc.search_users(q, role, status, page_number(request.args.get("page")))
    return list_or_partial(
        "admin/users.html",
        "admin/_users_table.html",
        page=page,
        q=q,
        role=role,
        status=status,
        roles=Role,
    )


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def user_new() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template(
            "admin/user_new.html", form={"role": "operator"}, problems=[], roles=Role
        )
    try:
        user = svc.create_user(svc.read_user_form(request.form, creating=True), current_user.id)
    except FormProblems as error:
        return render_template(
            "admin/user_new.html", form=request.form, problems=error.problems, roles=Role
        ), 422
    except DomainError as error:
        return render_template(
            "admin/user_new.html", form=request.form, problems=[error.message], roles=Role
        ), error.status
    flash(f"User {user.username} created with badge {user.badge_code}.", "ok")
    return redirect(url_for("admin.user", user_id=user.id))


def _user_page(
    user_id: int, problems: list[str] | None = None, status: int = 200
) -> ResponseReturnValue:
    user = svc.get_user(user_id)
    return (
        render_template(
            "admin/user.html",
            user=user,
            problems=problems or [],
            events=history("user", user.id),
            roles=Role,
        ),
        status,
    )


@bp.get("/users/<int:user_id>")
@role_required("admin")
def user(user_id: int) -> ResponseReturnValue:
    return _user_page(user_id)


@bp.post("/users/<int:user_id>")
@role_required("admin")
def user_update(user_id: int) -> ResponseReturnValue:
    try:
        changed = svc.update_user(
            user_id, svc.read_user_form(request.form, creating=False), current_user.id
        )
    except FormProblems as error:
        return _user_page(user_id, error.problems, 422)
    except DomainError as error:
        return _user_page(user_id, [error.message], error.status)
    flash("Saved." if changed else "Nothing changed.", "ok")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
@role_required("admin")
def user_password(user_id: int) -> ResponseReturnValue:
    try:
        svc.set_password(user_id, request.form.get("password", ""), current_user.id)
    except DomainError as error:
        return _user_page(user_id, [error.message], error.status)
    flash("Password changed.", "ok")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
@role_required("admin")
def user_active(user_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    try:
        svc.set_user_active(user_id, active, current_user.id)
    except DomainError as error:
        return _user_page(user_id, [error.message], error.status)
    flash("User reactivated." if active else "User deactivated: they can no longer log in.", "ok")
    return redirect(url_for("admin.user", user_id=user_id))


@bp.get("/users/badges.pdf")
@role_required("admin")
def user_badges() -> ResponseReturnValue:
    """Printable badges (Code128 of the badge code) for the users picked, or one user."""
    ids = ids_arg()
    found = (
        list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.username)))
        if ids
        else []
    )
    found = [u for u in found if u.badge_code]
    if not found:
        raise InvalidInput("Pick users who have a badge code.")
    badges = [Badge(u.display_name, u.role.capitalize(), u.badge_code or "") for u in found]
    page_size = "LETTER" if request.args.get("page_size", "").upper() == "LETTER" else "A4"
    return pdf_response(render_badges(badges, page_size), "badges.pdf")


# ------------------------------------------------------------------- channels


@bp.get("/channels")
@role_required("admin")
def channels() -> ResponseReturnValue:
    return render_template("admin/channels.html", channels=svc.list_channels())


def _issued(issued: svc.Issued, what: str) -> ResponseReturnValue:
    """Secrets are shown in this answer only (if the change cannot be saved, the
    request answers with an error instead)."""
    return render_template("admin/channel_secrets.html", issued=issued, what=what)


@bp.route("/channels/new", methods=["GET", "POST"])
@role_required("admin")
def channel_new() -> ResponseReturnValue:
    if request.method == "GET":
        return render_template("admin/channel_new.html", form={}, problems=[])
    try:
        issued = svc.create_channel(
            svc.read_channel_form(request.form, creating=True), current_user.id
        )
    except FormProblems as error:
        return render_template(
            "admin/channel_new.html", form=request.form, problems=error.problems
        ), 422
    except DomainError as error:
        return render_template(
            "admin/channel_new.html", form=request.form, problems=[error.message]
        ), error.status
    return _issued(issued, "created")


def _channel_page(
    channel_id: int, problems: list[str] | None = None, form: Any = None, status: int = 200
) -> ResponseReturnValue:
    channel = svc.get_channel(channel_id)
    return (
        render_template(
            "admin/channel.html",
            channel=channel,
            form=form,
            problems=problems or [],
            events=history("channel", channel.id),
        ),
        status,
    )


@bp.get("/channels/<int:channel_id>")
@role_required("admin")
def channel(channel_id: int) -> ResponseReturnValue:
    return _channel_page(channel_id)


@bp.post("/channels/<int:channel_id>")
@role_required("admin")
def channel_update(channel_id: int) -> ResponseReturnValue:
    try:
        issued = svc.update_channel(
            channel_id, svc.read_channel_form(request.form, creating=False), current_user.id
        )
    except FormProblems as error:
        return _channel_page(channel_id, error.problems, request.form, 422)
    if issued.webhook_secret:
        return _issued(issued, "webhook")
    flash("Saved.", "ok")
    return redirect(url_for("admin.channel", channel_id=channel_id))


@bp.post("/channels/<int:channel_id>/token")
@role_required("admin")
def channel_token(channel_id: int) -> ResponseReturnValue:
    return _issued(svc.rotate_token(channel_id, current_user.id), "token")


@bp.post("/channels/<int:channel_id>/secret")
@role_required("admin")
def channel_secret(channel_id: int) -> ResponseReturnValue:
    try:
        issued = svc.rotate_webhook_secret(channel_id, current_user.id)
    except DomainError as error:
        return _channel_page(channel_id, [error.message], status=error.status)
    return _issued(issued, "secret")


@bp.post("/channels/<int:channel_id>/active")
@role_required("admin")
def channel_active(channel_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "1"
    try:
        svc.set_channel_active(channel_id, active, current_user.id)
    except DomainError as error:
        return _channel_page(channel_id, [error.message], status=error.status)
    flash(
        "Channel reactivated." if active else "Channel deactivated: its token no longer works.",
        "ok",
    )
    return redirect(url_for("admin.channel", channel_id=channel_id))
