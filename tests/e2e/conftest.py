"""Browser fixtures: the demo warehouse in the served database, and a scanner."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.conftest import LiveServer, _make_app
from wms.auth.models import User
from wms.extensions import db

# How long a check waits for the screen to show what it expects. Playwright's 5 s
# default is short on a busy two-core machine; this bounds a wait, it measures nothing.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def demo(live_server: LiveServer, database: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Load the demo warehouse once per database."""
    app = _make_app(database, tmp_path_factory.mktemp("demo"))
    with app.app_context():
        if db.session.scalar(select(User).where(User.username == "olga")) is None:
            from wms import demo as demo_data

            demo_data.load(seed=7)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Scanner:
    """Types a code and Enter into the focused field, as a barcode scanner does."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def scan(self, code: str) -> None:
        field = self.page.locator("[data-scan-input]")
        expect(field).to_be_focused()
        self.page.keyboard.type(code, delay=5)
        self.page.keyboard.press("Enter")


@pytest.fixture
def scanner(page: Page) -> Scanner:
    return Scanner(page)


@pytest.fixture
def badge_login(page: Page, demo: None) -> Callable[..., None]:
    """Scan a badge on the login page; supervisors and admins then type their password."""

    def login(badge: str, password: str | None = None) -> None:
        page.goto("/login")
        page.keyboard.type(badge)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        if password is not None:
            expect(page.locator("#badge-password")).to_be_focused()
            page.keyboard.type(password)
            with page.expect_navigation():
                page.keyboard.press("Enter")
        expect(page.locator(".floor-user, .desk-logout").first).to_be_visible()

    return login


class OwnServer:
    """The app served by a process of its own, on the test's database: a test can
    freeze it as a hung server (SIGSTOP) and let it go on (SIGCONT)."""

    def __init__(self, database: str, instance: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        root = Path(__file__).resolve().parents[2]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.serve", database, str(self.port), str(instance)],
            cwd=root,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the app's own server did not start") from None
                time.sleep(0.1)

    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@pytest.fixture
def own_server(database: str, demo: None, tmp_path: Path) -> Iterator[OwnServer]:
    server = OwnServer(database, tmp_path / "instance")
    try:
        yield server
    finally:
        server.stop()
