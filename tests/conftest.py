"""Shared fixtures: the app on SQLite and on a real PostgreSQL, clients, users, factories.

Any test that uses the ``database`` fixture (through ``app``) runs once per
database; tests marked ``postgres_only`` run on PostgreSQL alone.
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wms import create_app
from wms.devtools.pgcluster import Cluster
from wms.extensions import db

# The suite reads the app in English unless a test asks for French (a user's
# language, Accept-Language, or DEFAULT_LOCALE="fr"): the servers it starts inherit
# this. The warehouse default itself (French) is tested in test_language.py.
os.environ["WMS_DEFAULT_LOCALE"] = "en"

DATABASES = ("sqlite", "postgresql")
# Seals the shop channels' credentials in tests (a Fernet key, as WMS_CHANNEL_KEY holds).
TEST_CHANNEL_KEY = "dGVzdC1jaGFubmVsLWtleS0wMTIzNDU2Nzg5YWJjZGU="
_seq = itertools.count(1)


def unique(prefix: str = "") -> str:
    """A short code no other test uses."""
    return f"{prefix}{next(_seq):04d}{uuid.uuid4().hex[:6].upper()}"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("WMS_TEST_DB", "both"),
        choices=("both", *DATABASES),
        help="Which database(s) the database tests run on.",
    )


def _databases(config: pytest.Config) -> tuple[str, ...]:
    chosen = config.getoption("--db")
    return DATABASES if chosen == "both" else (chosen,)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames:
        names = _databases(metafunc.config)
        if metafunc.definition.get_closest_marker("postgres_only"):
            names = tuple(n for n in names if n == "postgresql")
        metafunc.parametrize("database", names, indirect=True, scope="session")


# ---------------------------------------------------------------- tallies ---

_tally: dict[str, int] = {"sqlite": 0, "postgresql": 0, "browser": 0, "no database": 0}
_kinds: dict[str, tuple[str, bool]] = {}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that serve a database of their own through real processes (a
    # PostgreSQL cluster they stop, a SQLite file under gunicorn) do not take
    # ``database`` but a marker; they follow --db like the others.
    chosen = _databases(config)
    kept, dropped = [], []
    for item in items:
        own = _own_database(item)
        (dropped if own and own not in chosen else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    for item in items:
        callspec = getattr(item, "callspec", None)
        dbname = callspec.params.get("database") if callspec else None
        dbname = dbname or _own_database(item)
        browser = "page" in getattr(item, "fixturenames", ()) or item.get_closest_marker("browser")
        _kinds[item.nodeid] = (dbname or "no database", bool(browser))


def _own_database(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    if callspec and "database" in callspec.params:
        return None
    if item.get_closest_marker("postgres_only"):
        return "postgresql"
    if item.get_closest_marker("sqlite_only"):
        return "sqlite"
    return None


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.nodeid in _kinds:
        dbname, browser = _kinds[report.nodeid]
        _tally[dbname] += 1
        if browser:
            _tally["browser"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(
        "tests run: "
        f"{_tally['sqlite']} on SQLite, {_tally['postgresql']} on PostgreSQL, "
        f"{_tally['no database']} without a database; "
        f"{_tally['browser']} of them in Chromium"
    )


# ------------------------------------------------------------- databases ---


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty database URL of the kind the test is parametrized with."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "wms.sqlite3"
        url = f"sqlite:///{path}"
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(f"wms_test_{uuid.uuid4().hex[:8]}")
    _migrate(url, tmp_path_factory.mktemp("instance"))
    return url


class DeviceClient(FlaskClient):
    """A test client is one device with an address of its own, as each handheld is:
    sign-in throttling counts failures per address, and tests share a database."""

    _addresses = itertools.count(1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        n = next(self._addresses)
        self.environ_base["REMOTE_ADDR"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def _make_app(url: str, instance: Path, **config: Any) -> Flask:
    os.environ["WMS_INSTANCE_PATH"] = str(instance)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret",
            "TESTING": True,
            "CHANNEL_KEY": TEST_CHANNEL_KEY,
            **config,
        }
    )
    app.test_client_class = DeviceClient
    return app


@pytest.fixture(scope="session")
def app(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app for the test client. CSRF is checked in its own tests and in the browser."""
    app = _make_app(database, tmp_path_factory.mktemp("instance"), WTF_CSRF_ENABLED=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def empty_database(database: str, directory: Path, request: pytest.FixtureRequest) -> str:
    """The address of a new database of its own, empty and migrated (copied from a template)."""
    if database.startswith("sqlite"):
        import shutil

        template = Path(request.getfixturevalue("_sqlite_template"))
        path = directory / "fresh.sqlite3"
        shutil.copy(template, path)
        return f"sqlite:///{path}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    template_name = request.getfixturevalue("_pg_template")
    name = f"wms_fresh_{uuid.uuid4().hex[:8]}"
    cluster.create_database(name, template=template_name)
    return cluster.url(name)


@pytest.fixture
def fresh_app(database: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app on a database of its own, empty and migrated: for tests that look at the
    whole floor (which lane is free, which bin is first) rather than at their own data."""
    app = _make_app(
        empty_database(database, tmp_path, request), tmp_path / "instance", WTF_CSRF_ENABLED=False
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{path}", tmp_path_factory.mktemp("instance"))
    return str(path)


@pytest.fixture(scope="session")
def _pg_template(pg_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    name = "wms_template"
    _migrate(pg_cluster.create_database(name), tmp_path_factory.mktemp("instance"))
    return name


def _migrate(url: str, instance: Path) -> None:
    app = _make_app(url, instance)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app(database: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """An app with extra configuration, on the same database."""
    made: list[Flask] = []

    def factory(**config: Any) -> Flask:
        app = _make_app(database, tmp_path / f"instance{len(made)}", **config)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for tests that call services directly; rolled back after."""
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def is_postgres(database: str) -> bool:
    return database.startswith("postgresql")


# ------------------------------------------------------------- factories ---

from tests.factories import Factories  # noqa: E402


@pytest.fixture
def make(app: Flask) -> Factories:
    """Factories that commit what they make; each call makes unique data."""
    return Factories(app)


@pytest.fixture
def login(client: FlaskClient, make: Factories) -> Callable[..., Any]:
    """Log ``client`` in as a new user of ``role``; returns the user."""

    def as_role(role: str = "operator") -> Any:
        user = make.user(role=role)
        response = client.post(
            "/login", data={"username": user.username, "password": "secret-pass"}
        )
        assert response.status_code == 302, response.data
        return user

    return as_role


# ---------------------------------------------------------- live server ---


class LiveServer:
    def __init__(self, app: Flask) -> None:
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture(scope="session")
def live_server(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served for real, with every check on, for the browser."""
    app = _make_app(database, tmp_path_factory.mktemp("instance"))
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """Browser tests open pages relative to the live server."""
    return live_server.url


CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if Path(p).exists()), None
)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A handheld: 360 px wide."""
    return {**browser_context_args, "viewport": {"width": 360, "height": 740}}
