"""Opening a screen or reading the API writes nothing.

On SQLite a read runs in a deferred transaction so readers never queue behind
the writer; a write slipped into it (an autoflushed row) fails with "database
is locked" as soon as another request writes. Every GET route of the app is
opened by each role on the demo warehouse, and no INSERT, UPDATE or DELETE
may reach the database while it is served.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, has_request_context, request
from sqlalchemy import event

from tests.conftest import _make_app
from tests.factories import Factories
from wms.extensions import db
from wms.web import READ_METHODS

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)

# A value for each kind of URL argument, taken from the demo warehouse.
SAMPLES = {
    "station": "PACK-1",
    "day": "2026-01-01",
    "number": "LC000000001",
    "ref": "W-10001",
    "filename": "css/app.css",
}


pytestmark = pytest.mark.sqlite_only  # the statements sent do not depend on the database


@pytest.fixture
def demo_site(_sqlite_template: str, tmp_path: Path) -> Iterator[Flask]:
    from wms import demo

    path = tmp_path / "wms.sqlite3"
    shutil.copy(_sqlite_template, path)
    app = _make_app(f"sqlite:///{path}", tmp_path / "instance", WTF_CSRF_ENABLED=False)
    with app.app_context():
        demo.load(seed=7)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def writes_during_reads(demo_site: Flask) -> Iterator[list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []

    def spy(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if has_request_context() and request.method in READ_METHODS and WRITES.match(statement):
            seen.append((request.path, statement.split("(")[0].strip()))

    with demo_site.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    yield seen
    event.remove(engine, "before_cursor_execute", spy)


def _paths(app: Flask) -> list[str]:
    from wms.admin.queries import EXPORTS
    from wms.dashboard.queries.lists import LISTS
    from wms.dashboard.routes import TILES

    many = {"name": [*TILES, *LISTS], "kind": list(EXPORTS)}
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = {n: many.get(n) or [SAMPLES.get(n, 1)] for n in sorted(rule.arguments)}
        for combo in itertools.product(*values.values()):
            paths.append(rule.build(dict(zip(values, combo, strict=True)))[1])
    return sorted(set(paths))


def test_no_get_writes_to_the_database(
    demo_site: Flask, writes_during_reads: list[tuple[str, str]]
) -> None:
    make = Factories(demo_site)
    paths = _paths(demo_site)
    assert "/receive/" in paths and "/pack/PACK-1" in paths
    served = 0
    for role in ("operator", "admin"):  # an admin opens every desk page a supervisor does
        client = demo_site.test_client()
        user = make.user(role=role)
        client.post("/login", data={"username": user.username, "password": "secret-pass"})
        for path in paths:
            headers = {"Authorization": "Bearer wms_demo_web"} if path.startswith("/api/") else {}
            response = client.get(path, headers=headers)
            response.get_data()  # read to the end, as a browser does (some are streamed)
            response.close()
            assert response.status_code < 500, (role, path, response.status_code)
            served += response.status_code == 200
    assert served > 80  # the screens were really opened, not refused
    assert writes_during_reads == []
