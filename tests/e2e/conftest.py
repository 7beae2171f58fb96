"""Browser fixtures: the demo warehouse in the served database, and a scanner."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests.conftest import LiveServer, _make_app
from wms.auth.models import User
from wms.extensions import db


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
def badge_login(page: Page, demo: None) -> Callable[[str], None]:
    def login(badge: str) -> None:
        page.goto("/login")
        page.keyboard.type(badge)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator(".floor-user, .desk-logout").first).to_be_visible()

    return login
