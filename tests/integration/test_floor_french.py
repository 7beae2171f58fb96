"""The floor in French: a French operator's menu, answers and screens speak French,
and the floor script's own sentences come from the page in the reader's language."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient

from tests.factories import Factories
from wms.auth.models import User

HX = {"HX-Request": "true"}
FLOOR_SCAN = {**HX, "X-Floor-Scan": "1"}


def sign_in_french(client: FlaskClient, make: Factories, role: str = "operator") -> User:
    """A user whose own language is French (a device in English does not change it)."""
    user = make.user(role=role, language="fr")
    response = client.post(
        "/login",
        data={"username": user.username, "password": "secret-pass"},
        headers={"Accept-Language": "en-GB,en;q=0.8"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return user


def floor_words(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="floor-words">(.*?)</script>', page)
    assert found, "the page holds the floor script's sentences"
    return json.loads(found.group(1))


def test_the_floor_menu_speaks_the_operators_french(client: FlaskClient, make: Factories) -> None:
    sign_in_french(client, make)
    page = client.get("/?floor=1").get_data(as_text=True)
    assert '<html lang="fr">' in page
    for words in ("Tout scanner", "Réceptionner", "Ranger", "Tableau du quai", "Préparer"):
        assert f'<span class="menu-label">{words}</span>' in page
    assert "Se déconnecter" in page and "ou scannez LOGOUT" in page
    assert "Scan anything" not in page and "Log out" not in page


def test_a_code_of_the_wrong_kind_on_the_menu_is_named_in_french(
    client: FlaskClient, make: Factories
) -> None:
    sign_in_french(client, make)
    product = make.product()
    response = client.post(
        "/floor/menu", data={"code": product.sku, "scan_id": "fr-menu-1"}, headers=FLOOR_SCAN
    )
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert f"C’est {product.sku}" in text
    assert "scannez la commande d’un écran sur la feuille des commandes" in text


def test_the_floor_scripts_sentences_follow_the_reader(
    client: FlaskClient, make: Factories
) -> None:
    sign_in_french(client, make)
    words = floor_words(client.get("/?floor=1").get_data(as_text=True))
    assert words["lang"] == "fr"
    assert words["badge_refused"] == "Ce badge n’a pas été accepté."
    # Plural forms for the script to choose by French rules, placeholders kept.
    assert words["queue"] == {
        "one": "%(num)s scan en attente du serveur\u202f: %(codes)s",
        "other": "%(num)s scans en attente du serveur\u202f: %(codes)s",
    }
    client.post("/logout")
    english = floor_words(
        client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    )
    assert english["lang"] == "en"
    assert english["refused"] == "That was refused (%(status)s). Scan again or ask a supervisor."
