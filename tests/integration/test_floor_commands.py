"""Screens' command barcodes work from any floor scan field; the menu takes them too;
a handheld whose session ended is asked for the badge instead of told to reload."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.factories import Factories

HX = {"HX-Request": "true"}
FLOOR_SCAN = {**HX, "X-Floor-Scan": "1"}


def test_a_screens_command_scanned_on_any_floor_screen_opens_that_screen(
    client: FlaskClient, login
) -> None:
    login()
    for path, code, screen in (
        ("/receive/scan", "CMD-PICK", "/pick/"),
        ("/pick/scan", "CMD-RECEIVE", "/receive/"),
        ("/returns/receive/scan", "cmd-count", "/stock/count"),
        ("/stock/count/scan", "CMD-MENU", "/?floor=1"),
    ):
        response = client.post(
            path, data={"code": code, "scan_id": f"nav-{path}"}, headers=FLOOR_SCAN
        )
        assert response.status_code == 204, (path, response.get_data(as_text=True))
        assert response.headers["HX-Redirect"] == screen
    # a look-up field (GET) too
    response = client.get("/floor/scan?code=CMD-PACK", headers=FLOOR_SCAN)
    assert response.status_code == 204 and response.headers["HX-Redirect"] == "/pack"


def test_the_menu_scan_field_opens_screens_and_names_anything_else(
    client: FlaskClient, login, make: Factories
) -> None:
    login()
    page = client.get("/").get_data(as_text=True)
    assert 'action="/floor/menu"' in page and "data-scan-input" in page
    opened = client.post("/floor/menu", data={"code": "CMD-RETURNS"}, headers=HX)
    assert opened.status_code == 204 and opened.headers["HX-Redirect"] == "/returns/receive"
    bin_ = make.location(code="MENU-BIN-1")
    named = client.post("/floor/menu", data={"code": bin_.code}, headers=HX)
    assert named.status_code == 422
    assert "That is bin MENU-BIN-1 — scan a screen&#39;s command" in named.get_data(as_text=True)


def test_logout_scanned_signs_out(client: FlaskClient, login) -> None:
    login()
    out = client.post("/floor/menu", data={"code": "CMD-LOGOUT"}, headers=FLOOR_SCAN)
    assert out.status_code == 204 and out.headers["HX-Redirect"] == "/login"
    assert client.get("/receive/").status_code == 302


def test_a_scan_after_the_session_ended_asks_for_the_badge_not_a_reload(
    make_app, make: Factories
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    user = make.user()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"badge": user.badge_code, "csrf_token": token})
    screen = client.get("/pick/").get_data(as_text=True)
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', screen).group(1)

    client.delete_cookie("session")  # the session ends; the page still holds its token
    refused = client.post(
        "/pick/scan",
        data={"code": "CMD-DONE", "scan_id": "after-end"},
        headers={**FLOOR_SCAN, "X-CSRFToken": header_token},
    )
    assert refused.status_code == 401
    said = refused.get_data(as_text=True)
    assert "Your session has ended" in said and "Reload" not in said
