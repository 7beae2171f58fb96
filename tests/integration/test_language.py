"""Whose language a page speaks: the user's choice, else the browser's, else the
warehouse's; the API keeps its codes and speaks English unless asked otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.factories import Factories
from wms.auth.models import User
from wms.config import load_config
from wms.extensions import db

HX = {"HX-Request": "true"}
FLOOR_SCAN = {**HX, "X-Floor-Scan": "1"}
FRENCH_BROWSER = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.8"}


def _sign_in(client: FlaskClient, user: User, **headers: str) -> None:
    response = client.post(
        "/login", data={"username": user.username, "password": "secret-pass"}, headers=headers
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _language_of(app: Flask, user_id: int) -> str | None:
    with app.app_context():
        return db.session.execute(select(User.language).where(User.id == user_id)).scalar_one()


def test_before_sign_in_the_browser_chooses(client: FlaskClient) -> None:
    french = client.get("/login", headers=FRENCH_BROWSER).get_data(as_text=True)
    assert '<html lang="fr">' in french
    assert "Scannez votre badge" in french and "Mot de passe" in french
    english = client.get("/login", headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert '<html lang="en">' in english and "Scan your badge" in english


def test_a_refused_sign_in_is_answered_in_the_browsers_language(client: FlaskClient) -> None:
    page = client.post(
        "/login", data={"username": "nobody-here", "password": "x"}, headers=FRENCH_BROWSER
    ).get_data(as_text=True)
    assert "Identifiant ou mot de passe incorrect." in page


def test_a_browser_asking_for_no_language_we_speak_gets_the_warehouse_default(
    make_app,
) -> None:
    app = make_app(DEFAULT_LOCALE="fr", WTF_CSRF_ENABLED=False)
    client = app.test_client()
    for headers in ({}, {"Accept-Language": "de-DE,de;q=0.9"}):
        page = client.get("/login", headers=headers).get_data(as_text=True)
        assert "Scannez votre badge" in page, headers


def test_the_warehouse_default_is_french_and_must_be_a_language_we_speak(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, make_app
) -> None:
    monkeypatch.delenv("WMS_DEFAULT_LOCALE", raising=False)
    assert load_config(tmp_path)["DEFAULT_LOCALE"] == "fr"
    with pytest.raises(ValueError, match="WMS_DEFAULT_LOCALE='de'"):
        make_app(DEFAULT_LOCALE="de")


def test_the_users_own_language_wins_over_the_browsers(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    user = make.user(role="operator")
    _sign_in(client, user, **ENGLISH_BROWSER)
    response = client.post(
        "/language", data={"language": "fr", "next": "/?floor=1"}, headers=ENGLISH_BROWSER
    )
    assert response.status_code == 302 and response.headers["Location"] == "/?floor=1"
    assert _language_of(app, user.id) == "fr"
    page = client.get("/nowhere-at-all", headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert "Cette page n’existe pas." in page and "Retour au menu" in page
    # Following the device again: the browser decides.
    client.post("/language", data={"language": ""}, headers=ENGLISH_BROWSER)
    assert _language_of(app, user.id) is None
    page = client.get("/nowhere-at-all", headers=ENGLISH_BROWSER).get_data(as_text=True)
    assert "There is no such page." in page


def test_a_language_we_do_not_speak_is_refused_and_changes_nothing(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    user = make.user(role="supervisor")
    _sign_in(client, user)
    response = client.post("/language", data={"language": "xx"}, headers=HX)
    assert response.status_code == 422
    assert "No language has the code xx." in response.get_data(as_text=True)
    assert _language_of(app, user.id) is None


def test_the_desk_offers_every_language_named_in_itself(
    client: FlaskClient, make: Factories
) -> None:
    _sign_in(client, make.user(role="supervisor"))
    page = client.get("/desk/").get_data(as_text=True)
    assert ">Français</option>" in page and ">English</option>" in page


def test_scanning_a_languages_command_on_the_floor_switches_the_operator(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    user = make.user(role="operator")
    _sign_in(client, user)
    response = client.post(
        "/receive/scan",
        data={"code": "CMD-LANG-FR", "scan_id": "lang-1"},
        headers={**FLOOR_SCAN, "Referer": "http://localhost/receive/?inbound=7"},
    )
    assert response.status_code == 204
    # The screen the operator is on is drawn again, now in French.
    assert response.headers["HX-Redirect"] == "/receive/?inbound=7"
    assert _language_of(app, user.id) == "fr"
    refused = client.post(
        "/floor/menu", data={"code": "NO-SUCH-THING", "scan_id": "lang-2"}, headers=FLOOR_SCAN
    )
    assert "Aucun" in refused.get_data(as_text=True)
    # Typed by hand, in any case; back to English.
    client.post("/floor/menu", data={"code": "lang-en", "scan_id": "lang-3"}, headers=FLOOR_SCAN)
    assert _language_of(app, user.id) == "en"


def test_an_unknown_languages_command_is_refused(
    app: Flask, client: FlaskClient, make: Factories
) -> None:
    user = make.user(role="operator")
    _sign_in(client, user)
    response = client.post(
        "/floor/menu", data={"code": "CMD-LANG-XX", "scan_id": "lang-x"}, headers=FLOOR_SCAN
    )
    assert response.status_code == 422
    assert "No language has the code xx." in response.get_data(as_text=True)
    assert _language_of(app, user.id) is None


def test_the_api_keeps_its_codes_and_speaks_english_unless_asked(client: FlaskClient) -> None:
    plain = client.get("/api/v1/orders/A-1")
    assert plain.status_code == 401
    assert plain.json["code"] == "unauthorized"
    assert plain.json["message"].startswith("Send the channel's API token")
    french = client.get("/api/v1/orders/A-1", headers=FRENCH_BROWSER)
    assert french.json["code"] == "unauthorized"
    assert french.json["message"].startswith("Envoyez le jeton d’API")


def test_the_api_ignores_the_warehouse_default(make_app) -> None:
    client = make_app(DEFAULT_LOCALE="fr").test_client()
    assert client.get("/api/v1/orders/A-1").json["message"].startswith("Send the channel's")
