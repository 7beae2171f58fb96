"""An id in an address that no row can have (beyond 64 bits) is a page that does not
exist: a 404 with its sentence, on every screen that takes an id, never a server error."""

from __future__ import annotations

import re

from flask import Flask

from tests.factories import Factories

BEYOND_64_BITS = ("9223372036854775808", "99999999999999999999")


def addresses_with_ids(app: Flask, value: str) -> list[tuple[str, str]]:
    """(method, path) of every route that takes a number in its path, with ``value`` in."""
    found = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        path = re.sub(r"<int:[^>]+>", value, rule.rule)
        path = re.sub(r"<[^>]+>", "x", path)
        found += [(m, path) for m in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return found


def test_an_id_beyond_64_bits_is_a_page_that_does_not_exist(app: Flask, make: Factories) -> None:
    admin = make.user(role="admin")
    client = app.test_client()
    signed_in = client.post("/login", data={"username": admin.username, "password": "secret-pass"})
    assert signed_in.status_code == 302
    answers = {}
    for value in BEYOND_64_BITS:
        routes = addresses_with_ids(app, value)
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
