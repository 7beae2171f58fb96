"""Signing in: a badge alone opens the floor only, and guessing is slowed for every process."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.conftest import unique
from tests.factories import Factories
from wms.auth.models import AuditEvent, SignInFailure
from wms.extensions import db

PASSWORD_NEEDED = (
    "That badge does not sign in on its own: supervisors and admins, type your password to go on."
)


def signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    return response.status_code in (200, 302) and "/login" not in response.headers.get(
        "Location", ""
    )


def device(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def address() -> str:
    """An address no other test signs in from: its failures count for this test alone."""
    n = int(re.match(r"\d+", unique()).group())  # type: ignore[union-attr]
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return " ".join(response.get_data(as_text=True).split())


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_an_admin_or_supervisor_badge_alone_does_not_sign_in(
    client: FlaskClient, make: Factories, role: str
) -> None:
    user = make.user(role=role)
    response = client.post("/login", data={"badge": user.badge_code})
    assert response.status_code == 401
    assert PASSWORD_NEEDED in text(response)
    assert not signed_in(client)


def test_a_supervisor_scans_the_badge_then_types_the_password(
    client: FlaskClient, make: Factories
) -> None:
    user = make.user(role="supervisor", password="sam-secret-1")
    first = client.post("/login", data={"badge": user.badge_code})
    # The next step asks for the password on the same handheld, the badge kept.
    assert 'name="password"' in text(first) and user.badge_code in text(first)
    wrong = client.post("/login", data={"badge": user.badge_code, "password": "nope"})
    assert wrong.status_code == 401 and "Wrong badge or password." in text(wrong)
    right = client.post("/login", data={"badge": user.badge_code, "password": "sam-secret-1"})
    assert right.status_code == 302
    assert client.get("/").headers["Location"].endswith("/desk/")


def test_an_operator_badge_alone_still_signs_in(client: FlaskClient, make: Factories) -> None:
    user = make.user(role="operator")
    assert client.post("/login", data={"badge": user.badge_code}).status_code == 302
    assert signed_in(client)


def test_an_unknown_badge_and_a_supervisor_badge_get_the_same_answer(
    app: Flask, make: Factories
) -> None:
    supervisor = make.user(role="supervisor")
    unknown = unique("B-")
    answers = []
    for badge in (supervisor.badge_code, unknown):
        response = app.test_client().post("/login", data={"badge": badge})
        page = re.sub(r"I[\w-]+\.[\w-]+\.[\w-]+", "TOKEN", text(response))  # CSRF tokens
        answers.append((response.status_code, page.replace(badge, "BADGE")))
    assert answers[0] == answers[1]


def test_the_sixth_wrong_password_is_refused_with_the_wait(app: Flask, make: Factories) -> None:
    user = make.user(role="admin", password="right-password")
    client = device(app, address())
    for _ in range(5):
        response = client.post("/login", data={"username": user.username, "password": "guess"})
        assert response.status_code == 401
    locked = client.post("/login", data={"username": user.username, "password": "guess"})
    assert locked.status_code == 429
    assert "Too many failed sign-ins: wait 5 minutes, then try again." in text(locked)
    assert 250 <= int(locked.headers["Retry-After"]) <= 300
    # The account is locked, wherever the next guess comes from, even a right one.
    elsewhere = device(app, address())
    refused = elsewhere.post(
        "/login", data={"username": user.username, "password": "right-password"}
    )
    assert refused.status_code == 429 and not signed_in(elsewhere)


def test_two_hundred_wrong_badges_from_one_address_stop_after_five(
    app: Flask, make: Factories
) -> None:
    client = device(app, address())
    statuses = [client.post("/login", data={"badge": unique("B-")}).status_code for _ in range(200)]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    # The address is locked, not the floor: another handheld signs in.
    operator = make.user(role="operator")
    assert (
        device(app, address()).post("/login", data={"badge": operator.badge_code}).status_code
        == 302
    )
    # A good badge from the locked address waits too.
    assert client.post("/login", data={"badge": operator.badge_code}).status_code == 429


def test_the_lock_is_shared_by_every_app_process(
    make_app: Callable[..., Flask], make: Factories
) -> None:
    first, second = make_app(WTF_CSRF_ENABLED=False), make_app(WTF_CSRF_ENABLED=False)
    user = make.user(role="supervisor", password="right-password")
    where = address()
    one, two = device(first, where), device(second, where)
    for client in (one, two, one, two, one):
        response = client.post("/login", data={"username": user.username, "password": "guess"})
        assert response.status_code == 401
    for client in (one, two):
        response = client.post(
            "/login", data={"username": user.username, "password": "right-password"}
        )
        assert response.status_code == 429


def test_a_lock_is_logged_and_audited(
    app: Flask, make: Factories, caplog: pytest.LogCaptureFixture
) -> None:
    user = make.user(role="admin")
    where = address()
    client = device(app, where)
    with caplog.at_level(logging.WARNING, logger="wms.auth.throttle"):
        for _ in range(5):
            client.post("/login", data={"username": user.username, "password": "guess"})
    assert any(f"login-user:{user.id}" in r.getMessage() for r in caplog.records)
    assert any(f"login-address:{where}" in r.getMessage() for r in caplog.records)
    with app.app_context():
        audited = db.session.execute(
            select(AuditEvent.entity, AuditEvent.entity_id).where(
                AuditEvent.action == "sign_in_locked",
                AuditEvent.entity_id.in_([str(user.id), where]),
            )
        ).all()
    assert sorted(audited) == [("login-address", where), ("login-user", str(user.id))]


def test_supervisors_signing_in_by_badge_on_one_handheld_are_not_locked_out(
    app: Flask, make: Factories
) -> None:
    client = device(app, address())
    for _ in range(8):
        user = make.user(role="supervisor", password="right-password")
        assert client.post("/login", data={"badge": user.badge_code}).status_code == 401
        response = client.post(
            "/login", data={"badge": user.badge_code, "password": "right-password"}
        )
        assert response.status_code == 302
        client.post("/logout")


def test_the_lock_lifts_once_the_failures_are_five_minutes_old(app: Flask, make: Factories) -> None:
    user = make.user(role="operator", password="right-password")
    where = address()
    client = device(app, where)
    for _ in range(5):
        client.post("/login", data={"username": user.username, "password": "guess"})
    assert client.post("/login", data={"badge": user.badge_code}).status_code == 429
    with app.app_context():  # five minutes pass
        db.session.execute(
            update(SignInFailure)
            .where(SignInFailure.key.in_([f"login-address:{where}", f"login-user:{user.id}"]))
            .values(created_at=SignInFailure.created_at - timedelta(minutes=5))
        )
        db.session.commit()
    assert client.post("/login", data={"badge": user.badge_code}).status_code == 302


# ------------------------------------------------------------------ the API


def api_get(client: FlaskClient, token: str) -> object:
    return client.get("/api/v1/availability", headers={"Authorization": f"Bearer {token}"})


def test_wrong_api_tokens_from_one_address_are_refused_after_five(
    app: Flask, make: Factories
) -> None:
    client = device(app, address())
    statuses = [api_get(client, f"wms_{unique()}").status_code for _ in range(5)]
    assert statuses == [401] * 5
    locked = api_get(client, f"wms_{unique()}")
    assert locked.status_code == 429
    assert locked.json["code"] == "too_many_failures"
    assert locked.json["retry_after"] == int(locked.headers["Retry-After"]) > 0
    assert "wait" in locked.json["message"]
    # A token this server has not seen yet waits too; another address is served.
    _, token = make.channel()
    assert api_get(client, token).status_code == 429
    assert api_get(device(app, address()), token).status_code == 200


def test_api_token_failures_are_counted_across_app_processes(
    make_app: Callable[..., Flask],
) -> None:
    where = address()
    one, two = device(make_app(), where), device(make_app(), where)
    for client in (one, two, one, two, one):
        assert api_get(client, "wms_not-a-token").status_code == 401
    assert api_get(two, "wms_not-a-token").status_code == 429
