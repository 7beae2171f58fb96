"""Users with roles and badges, channels with webhooks and API tokens shown once."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories, unique
from tests.scanning import decode_pdf, values
from wms.auth.models import User
from wms.channels.models import Channel
from wms.extensions import db


def text(response) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_admin_creates_a_user_who_can_log_in_by_badge(
    app: Flask, client: FlaskClient, login
) -> None:
    login("admin")
    name = unique("pat").lower()
    response = client.post(
        "/admin/users/new",
        data={
            "username": name,
            "full_name": "Pat Picker",
            "role": "operator",
            "badge_code": "",
            "password": "long-enough",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        assert user is not None and user.badge_code and user.badge_code.startswith("B-")
        badge = user.badge_code
    other = app.test_client()
    assert other.post("/login", data={"badge": badge}).status_code == 302
    assert "Pat Picker" in text(other.get("/"))


def test_a_short_password_and_a_bad_role_are_refused_plainly(client: FlaskClient, login) -> None:
    login("admin")
    response = client.post(
        "/admin/users/new",
        data={"username": unique("u").lower(), "role": "boss", "password": "short"},
    )
    page = text(response)
    assert response.status_code == 422
    assert "Choose a role: operator, supervisor or admin." in page
    assert "The password needs at least 8 characters." in page


def test_changing_a_role_and_password_is_in_the_history(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    user = make.user("operator")
    response = client.post(
        f"/admin/users/{user.id}",
        data={"full_name": user.full_name, "role": "supervisor", "badge_code": user.badge_code},
    )
    assert response.status_code == 302
    assert (
        client.post(
            f"/admin/users/{user.id}/password", data={"password": "new-password-1"}
        ).status_code
        == 302
    )
    page = text(client.get(f"/admin/users/{user.id}"))
    assert "role: operator &rarr; supervisor" in page and "password" in page
    other = app.test_client()
    assert (
        other.post(
            "/login", data={"username": user.username, "password": "new-password-1"}
        ).status_code
        == 302
    )


def test_a_deactivated_user_cannot_log_in_and_an_admin_cannot_lock_themself_out(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    admin = login("admin")
    user = make.user("operator")
    assert client.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 302
    other = app.test_client()
    assert other.post("/login", data={"badge": user.badge_code}).status_code == 401
    response = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 409 and "You cannot deactivate yourself." in text(response)
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"full_name": "x", "role": "operator", "badge_code": admin.badge_code},
    )
    assert response.status_code == 409 and "You cannot take away your own admin role." in text(
        response
    )


def test_badges_print_as_code128_of_the_badge_code(
    client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    a, b = make.user(), make.user()
    response = client.get(f"/admin/users/badges.pdf?id={a.id}&id={b.id}")
    assert response.mimetype == "application/pdf"
    assert {a.badge_code, b.badge_code} <= values(decode_pdf(response.data)[0])


def _token_from(page: str) -> str:
    match = re.search(r"data-token>([^<]+)<", page)
    assert match, page
    return match.group(1)


def test_a_new_channel_gets_a_token_shown_once_and_stored_hashed(
    app: Flask, client: FlaskClient, login
) -> None:
    login("admin")
    code = unique("shop").lower()
    response = client.post(
        "/admin/channels/new",
        data={"code": code, "name": "Shop", "webhook_url": "https://shop.example/hooks"},
    )
    page = text(response)
    assert response.status_code == 200 and "shown only once" in page
    token = _token_from(page)
    assert "data-webhook-secret" in page
    with app.app_context():
        channel = db.session.scalar(select(Channel).where(Channel.code == code))
        assert (
            channel is not None and channel.token_hash != token and token not in channel.token_hash
        )
        channel_id = channel.id
    assert token not in text(client.get(f"/admin/channels/{channel_id}"))
    api = app.test_client()
    assert (
        api.get("/api/v1/availability", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


def test_rotating_the_token_stops_the_old_one_at_once(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    channel, old = make.channel()
    api = app.test_client()
    auth = {"Authorization": f"Bearer {old}"}
    assert api.get("/api/v1/availability", headers=auth).status_code == 200  # now cached
    new = _token_from(text(client.post(f"/admin/channels/{channel.id}/token")))
    assert api.get("/api/v1/availability", headers=auth).status_code == 401
    assert (
        api.get("/api/v1/availability", headers={"Authorization": f"Bearer {new}"}).status_code
        == 200
    )
    assert "new API token" in text(client.get(f"/admin/channels/{channel.id}"))


def test_a_deactivated_channel_is_refused_and_a_bad_webhook_url_is_explained(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    login("admin")
    channel, token = make.channel()
    response = client.post(
        f"/admin/channels/{channel.id}", data={"name": "Shop", "webhook_url": "ftp://x"}
    )
    assert response.status_code == 422 and "must be a full http(s) address" in text(response)
    assert (
        client.post(f"/admin/channels/{channel.id}/active", data={"active": "0"}).status_code == 302
    )
    api = app.test_client()
    assert (
        api.get("/api/v1/availability", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )


def test_what_does_not_exist_is_a_404_that_says_so(client: FlaskClient, login) -> None:  # type: ignore[no-untyped-def]
    login("admin")
    missing = 2_000_000_000
    for path, sentence in (
        (f"/admin/products/{missing}", "There is no such product."),
        (f"/admin/locations/{missing}", "There is no such location."),
        (f"/admin/users/{missing}", "There is no such user."),
        (f"/admin/channels/{missing}", "There is no such channel."),
        (f"/admin/imports/{missing}", "There is no such import."),
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert sentence in text(response), path


def test_an_admin_sets_a_users_language_and_the_history_says_so(
    app: Flask, client: FlaskClient, login, make: Factories
) -> None:
    from wms.auth.models import AuditEvent

    admin = login("admin")
    worker = make.user(full_name="Lou Packer")
    form = client.get(f"/admin/users/{worker.id}")
    assert 'name="language"' in text(form) and "Français" in text(form)
    fields = {"full_name": "Lou Packer", "role": "operator", "badge_code": worker.badge_code}

    saved = client.post(f"/admin/users/{worker.id}", data={**fields, "language": "fr"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.get(User, worker.id).language == "fr"
        row = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "user.update", AuditEvent.entity_id == str(worker.id))
            .order_by(AuditEvent.id.desc())
        ).first()
        assert row is not None and row.user_id == admin.id
        assert row.details["changes"] == {"language": [None, "fr"]}
    # The worker now reads French, whatever the browser says.
    other = app.test_client()
    other.post("/login", data={"badge": worker.badge_code}, headers={"Accept-Language": "en"})
    assert 'lang="fr"' in other.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)

    # Back to following the device; a language the app does not speak changes nothing.
    assert (
        client.post(f"/admin/users/{worker.id}", data={**fields, "language": ""}).status_code == 302
    )
    refused = client.post(f"/admin/users/{worker.id}", data={**fields, "language": "xx"})
    assert refused.status_code == 422
    assert "Choose a language (English, Français), or let the device decide." in text(refused)
    with app.app_context():
        assert db.session.get(User, worker.id).language is None
