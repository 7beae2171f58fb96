"""An id in an address that no row can have (beyond what the table's key holds: 32 bits,
or 64 for the tables of many rows) is a page that does not exist: a 404 with its
sentence, on every screen that takes an id, never a server error."""

from __future__ import annotations

import re

from flask import Flask

from tests.factories import Factories

# Per width of key: the first number it cannot hold, and one far beyond 64 bits.
BEYOND = {
    "int": ("2147483648", "99999999999999999999"),
    "bigid": ("9223372036854775808", "99999999999999999999"),
}


def addresses_with_ids(app: Flask, nth: int) -> list[tuple[str, str]]:
    """(method, path) of every route that takes an id in its path, each id beyond its key."""
    found = []
    for rule in app.url_map.iter_rules():
        if not re.search(r"<(int|bigid):", rule.rule):
            continue
        path = re.sub(r"<(int|bigid):[^>]+>", lambda m: BEYOND[m.group(1)][nth], rule.rule)
        path = re.sub(r"<[^>]+>", "x", path)
        found += [(m, path) for m in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return found


def test_an_id_beyond_64_bits_is_a_page_that_does_not_exist(app: Flask, make: Factories) -> None:
    admin = make.user(role="admin")
    client = app.test_client()
    signed_in = client.post("/login", data={"username": admin.username, "password": "secret-pass"})
    assert signed_in.status_code == 302
    answers = {}
    for nth in (0, 1):
        routes = addresses_with_ids(app, nth)
        assert len(routes) > 50  # the desk, admin and floor screens that take an id
        for method, path in routes:
            for headers in ({}, {"HX-Request": "true"}):
                response = client.open(path, method=method, headers=headers)
                answers[(method, path, bool(headers))] = (
                    response.status_code,
                    "There is no such page." in response.get_data(as_text=True),
                )
    wrong = {k: v for k, v in answers.items() if v != (404, True)}
    assert not wrong, wrong


PAGED = (
    "/inbounds/",
    "/returns/",
    "/dashboard/alerts",
    "/dashboard/lists/orders",
    "/dashboard/lists/ledger",
    "/admin/products",
    "/stock/counts",
)


def test_a_page_far_past_the_end_of_a_list_shows_the_list(app: Flask, make: Factories) -> None:
    admin = make.user(role="admin")
    client = app.test_client()
    signed_in = client.post("/login", data={"username": admin.username, "password": "secret-pass"})
    assert signed_in.status_code == 302
    for path in PAGED:
        for page in ("99999999999999999999", "9223372036854775807", "2", "abc"):
            response = client.get(f"{path}?page={page}")
            assert response.status_code == 200, (path, page)
