"""Signing in, roles, the health check and the shell every screen shares."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.factories import Factories


def test_health_check_reports_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_every_page_but_login_requires_signing_in(client: FlaskClient) -> None:
    response = client.get("/floor/scan")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_htmx_request_without_a_session_gets_a_sentence_and_a_redirect(
    client: FlaskClient,
) -> None:
    response = client.get("/floor/scan?code=X", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"
    assert "Log in again" in response.get_data(as_text=True)


def test_log_in_with_password(client: FlaskClient, make: Factories) -> None:
    user = make.user(role="operator")
    response = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert response.status_code == 302
    assert "Scan anything" in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_plainly(client: FlaskClient, make: Factories) -> None:
    user = make.user()
    response = client.post("/login", data={"username": user.username, "password": "nope"})
    assert response.status_code == 401
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_log_in_by_badge(client: FlaskClient, make: Factories) -> None:
    user = make.user(badge_code="BADGE-ZX81")
    response = client.post("/login", data={"badge": "BADGE-ZX81"})
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert user.full_name in page


def test_inactive_badge_is_refused(client: FlaskClient, make: Factories) -> None:
    make.user(badge_code="BADGE-GONE", active=False)
    response = client.post("/login", data={"badge": "BADGE-GONE"})
    assert response.status_code == 401
    assert "does not sign in on its own" in response.get_data(as_text=True)


def test_operator_cannot_open_supervisor_pages(client: FlaskClient, login) -> None:
    login("operator")
    assert client.get("/desk/").status_code == 403


def test_supervisor_lands_on_the_desk(client: FlaskClient, login) -> None:
    login("supervisor")
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/desk/")
    assert client.get("/desk/").status_code == 200


def test_floor_menu_follows_the_role(client: FlaskClient, login) -> None:
    login("operator")
    page = client.get("/").get_data(as_text=True)
    assert "Scan anything" in page
    assert "Supervisor desk" not in page


def test_session_cookie_is_httponly_and_samesite(client: FlaskClient, make: Factories) -> None:
    user = make.user()
    response = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_tls(client: FlaskClient, make: Factories) -> None:
    user = make.user()
    response = client.post(
        "/login",
        data={"username": user.username, "password": "secret-pass"},
        base_url="https://localhost",
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_passwords_are_stored_hashed(app, make: Factories) -> None:
    user = make.user(password="plain-words")
    assert "plain-words" not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_forms_and_htmx_requests_need_the_csrf_token(make_app, make: Factories) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make.user()
    refused = client.post("/login", data={"username": user.username, "password": "secret-pass"})
    assert refused.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ok = client.post(
        "/login",
        data={"username": user.username, "password": "secret-pass", "csrf_token": token},
    )
    assert ok.status_code == 302
    # htmx sends the token as a header, set once on <body>.
    home = client.get("/floor/scan").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)
    out = client.post("/logout", headers={"X-CSRFToken": header_token})
    assert out.status_code == 302


def test_html_answers_vary_on_hx_request(client: FlaskClient, login) -> None:
    login()
    response = client.get("/floor/scan")
    assert "HX-Request" in response.headers["Vary"]
