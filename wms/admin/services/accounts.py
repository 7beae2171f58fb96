"""Users (roles, passwords, badges) and channels (webhooks, API tokens); every change audited."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from wms.auth import audit
from wms.auth.audit import changes
from wms.auth.models import Role, User
from wms.base.errors import Conflict, FormProblems, InvalidInput
from wms.base.i18n import Text, _
from wms.channels import outbox
from wms.channels.models import Channel
from wms.channels.shops import forget_shops
from wms.channels.tokens import forget_tokens, new_token
from wms.database import after_commit, existing
from wms.extensions import db
from wms.i18n import available_languages, language_name
from wms.inventory import fields

MIN_PASSWORD = 8


USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


CHANNEL_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class UserForm:
    username: str
    full_name: str
    role: str
    badge_code: str | None
    password: str
    language: str | None = None  # None: the user's screens follow their device


def read_user_form(form: Any, *, creating: bool) -> UserForm:
    problems: list[str] = []
    username = (form.get("username") or "").strip().lower()
    if creating and not USERNAME_RE.fullmatch(username):
        problems.append(
            _("The username needs 2 to 64 lower-case letters, digits or . _ - (no spaces).")
        )
    role = (form.get("role") or "").strip()
    if role not in {r.value for r in Role}:
        problems.append(_("Choose a role: operator, supervisor or admin."))
    try:
        full_name = fields.text(form.get("full_name"), _("The full name"), max_len=120)
    except fields.FieldError as error:
        problems.append(str(error))
        full_name = ""
    try:
        badge = fields.badge_code(form.get("badge_code"))
    except fields.FieldError as error:
        problems.append(str(error))
        badge = None
    password = form.get("password") or ""
    if creating and len(password) < MIN_PASSWORD:
        problems.append(short_password())
    language = (form.get("language") or "").strip().lower() or None
    if language is not None and language not in available_languages():
        names = ", ".join(language_name(code) for code in available_languages())
        problems.append(
            _("Choose a language (%(languages)s), or let the device decide.", languages=names)
        )
    if problems:
        raise FormProblems(problems)
    return UserForm(username, full_name, role, badge, password, language)


def short_password() -> Text:
    return _("The password needs at least %(num)s characters.", num=MIN_PASSWORD)


def get_user(user_id: int) -> User:
    return existing(User, user_id, _("There is no such user."))


def _badge_taken(code: str, other_than: int | None = None) -> bool:
    stmt = select(func.count()).where(User.badge_code == code)
    if other_than is not None:
        stmt = stmt.where(User.id != other_than)
    return bool(db.session.scalar(stmt))


def new_badge_code() -> str:
    """A fresh badge code; the badge printed from it is what the handheld reads."""
    while True:
        code = f"B-{secrets.randbelow(900_000) + 100_000}"
        if not _badge_taken(code):
            return code


def create_user(form: UserForm, acting_user_id: int) -> User:
    if db.session.scalar(select(func.count()).where(func.lower(User.username) == form.username)):
        raise Conflict(_("The username %(username)s is taken.", username=form.username))
    badge = form.badge_code or new_badge_code()
    if _badge_taken(badge):
        raise Conflict(badge_taken(badge))
    user = User(
        username=form.username,
        full_name=form.full_name,
        role=form.role,
        badge_code=badge,
        language=form.language,
    )
    user.set_password(form.password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        acting_user_id,
        "user.create",
        "user",
        user.id,
        username=user.username,
        role=user.role,
        language=user.language,
    )
    return user


def badge_taken(badge: str) -> Text:
    return _("The badge code %(badge)s belongs to someone else.", badge=badge)


def last_admin() -> Text:
    return _("This is the last admin; make another admin first.")


def _active_admins_besides(user_id: int) -> int:
    return int(
        db.session.scalar(
            select(func.count()).where(
                User.role == Role.ADMIN, User.active.is_(True), User.id != user_id
            )
        )
        or 0
    )


def update_user(user_id: int, form: UserForm, acting_user_id: int) -> dict[str, list[Any]]:
    user = get_user(user_id)
    badge = form.badge_code or user.badge_code
    if badge and _badge_taken(badge, other_than=user.id):
        raise Conflict(badge_taken(badge))
    if user.role == Role.ADMIN and form.role != Role.ADMIN:
        if user.id == acting_user_id:
            raise Conflict(_("You cannot take away your own admin role."))
        if not _active_admins_besides(user.id):
            raise Conflict(last_admin())
    before = {
        "full_name": user.full_name,
        "role": user.role,
        "badge_code": user.badge_code,
        "language": user.language,
    }
    after = {
        "full_name": form.full_name,
        "role": form.role,
        "badge_code": badge,
        "language": form.language,
    }
    changed = changes(before, after)
    if changed:
        user.full_name, user.role, user.badge_code = form.full_name, form.role, badge
        user.language = form.language
        db.session.flush()
        audit.record(acting_user_id, "user.update", "user", user.id, changes=changed)
    return changed


def set_password(user_id: int, password: str, acting_user_id: int) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(short_password())
    user = get_user(user_id)
    user.set_password(password)
    audit.record(acting_user_id, "user.password", "user", user.id)


def set_user_active(user_id: int, active: bool, acting_user_id: int) -> None:
    user = get_user(user_id)
    if user.active == active:
        raise Conflict(
            _("The user is already active.") if active else _("The user is already inactive.")
        )
    if not active and user.id == acting_user_id:
        raise Conflict(_("You cannot deactivate yourself."))
    if not active and user.role == Role.ADMIN and not _active_admins_besides(user.id):
        raise Conflict(last_admin())
    user.active = active
    audit.record(acting_user_id, "user.activate" if active else "user.deactivate", "user", user.id)


@dataclass(frozen=True)
class ChannelForm:
    code: str
    name: str
    webhook_url: str | None


def read_channel_form(form: Any, *, creating: bool) -> ChannelForm:
    problems: list[str] = []
    code = (form.get("code") or "").strip().lower()
    if creating and not CHANNEL_CODE_RE.fullmatch(code):
        problems.append(_("The code needs 1 to 32 lower-case letters, digits, _ or -."))
    name = (form.get("name") or "").strip()
    if not name or len(name) > 100:
        problems.append(_("The name needs 1 to 100 characters."))
    url = (form.get("webhook_url") or "").strip() or None
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
            problems.append(
                _(
                    "The webhook URL must be a full http(s) address, "
                    "like https://shop.example/hooks."
                )
            )
    if problems:
        raise FormProblems(problems)
    return ChannelForm(code, name, url)


def get_channel(channel_id: int) -> Channel:
    return existing(Channel, channel_id, _("There is no such channel."))


def _new_secret() -> str:
    return secrets.token_hex(24)


@dataclass(frozen=True)
class Issued:
    """Secrets shown once, right after they are made; only the token's hash is kept."""

    channel: Channel
    token: str | None = None
    webhook_secret: str | None = None


def _caches_changed() -> None:
    """Tokens and listening channels are cached in each process: once a channel change
    is committed, this one forgets them at once, other servers within seconds."""
    after_commit(forget_tokens)
    after_commit(outbox.forget_channels)
    after_commit(forget_shops)


def create_channel(form: ChannelForm, acting_user_id: int) -> Issued:
    if db.session.scalar(select(func.count()).where(Channel.code == form.code)):
        raise Conflict(_("A channel with code %(code)s already exists.", code=form.code))
    token, digest = new_token()
    secret = _new_secret() if form.webhook_url else None
    channel = Channel(
        code=form.code,
        name=form.name,
        token_hash=digest,
        webhook_url=form.webhook_url,
        webhook_secret=secret,
    )
    db.session.add(channel)
    db.session.flush()
    audit.record(
        acting_user_id,
        "channel.create",
        "channel",
        channel.id,
        code=channel.code,
        webhook=bool(secret),
    )
    _caches_changed()
    return Issued(channel, token, secret)


def update_channel(channel_id: int, form: ChannelForm, acting_user_id: int) -> Issued:
    """Name and webhook URL; a channel given its first webhook URL gets a secret (shown once)."""
    channel = get_channel(channel_id)
    changed = changes(
        {"name": channel.name, "webhook_url": channel.webhook_url},
        {"name": form.name, "webhook_url": form.webhook_url},
    )
    secret = None
    if changed:
        channel.name, channel.webhook_url = form.name, form.webhook_url
        if form.webhook_url and not channel.webhook_secret:
            secret = channel.webhook_secret = _new_secret()
        audit.record(acting_user_id, "channel.update", "channel", channel.id, changes=changed)
        _caches_changed()
        return Issued(channel, webhook_secret=secret)


def rotate_token(channel_id: int, acting_user_id: int) -> Issued:
    """A new API token; the old one stops working at once here, within seconds elsewhere."""
    channel = get_channel(channel_id)
    token, digest = new_token()
    channel.token_hash = digest
    audit.record(acting_user_id, "channel.rotate_token", "channel", channel.id)
    _caches_changed()
    return Issued(channel, token=token)


def rotate_webhook_secret(channel_id: int, acting_user_id: int) -> Issued:
    channel = get_channel(channel_id)
    if not channel.webhook_url:
        raise Conflict(_("The channel has no webhook URL, so it has no secret to rotate."))
    channel.webhook_secret = _new_secret()
    audit.record(acting_user_id, "channel.rotate_secret", "channel", channel.id)
    _caches_changed()
    return Issued(channel, webhook_secret=channel.webhook_secret)


def set_channel_active(channel_id: int, active: bool, acting_user_id: int) -> None:
    channel = get_channel(channel_id)
    if channel.active == active:
        raise Conflict(
            _("The channel is already active.") if active else _("The channel is already inactive.")
        )
    channel.active = active
    audit.record(
        acting_user_id,
        "channel.activate" if active else "channel.deactivate",
        "channel",
        channel.id,
    )
    _caches_changed()
