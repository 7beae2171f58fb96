"""A desk form sent several times at once (a double click, a browser that sends again
after a timeout) acts once, on PostgreSQL: the form as the page draws it, eight times
behind a barrier; every copy gets the first one's answer."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.factories import Factories
from tests.integration.test_races import RACERS, all_at_once, hands, statuses
from tests.invariants import assert_invariants
from wms.extensions import db
from wms.inventory.models import Stock
from wms.stockcontrol.models import Adjustment

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def make(fresh_app: Flask) -> Factories:
    return Factories(fresh_app)


@pytest.fixture
def app(fresh_app: Flask) -> Flask:
    return fresh_app


def hidden_fields(html: str, form: str) -> dict[str, str]:
    """The hidden inputs of the page's form ``data-form="<form>"``, as the browser sends them."""
    found = re.search(rf'<form[^>]*data-form="{form}".*?</form>', html, re.S)
    assert found is not None, html[:500]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', found.group(0)))


def test_the_adjust_form_sent_eight_times_records_one_loss(app: Flask, make: Factories) -> None:
    product = make.product()
    shelf = make.location(walk_seq=10)
    make.stock(product, shelf, 10)
    desk = hands(app, make.user(role="supervisor"))
    page = desk[0].get("/stock/adjust").get_data(as_text=True)
    form = {
        **hidden_fields(page, "adjust"),
        "kind": "lost",
        "location": shelf.code,
        "product": product.sku,
        "qty": "1",
        "reason": "not in its bin",
    }

    answers = all_at_once(lambda i: desk[i].post("/stock/adjust", data=form))

    assert statuses(answers) == {302: RACERS}
    assert {a.headers["Location"] for a in answers} == {"/stock/adjust"}
    with app.app_context():
        recorded = db.session.scalar(
            select(func.count()).where(Adjustment.product_id == product.id)
        )
        held = db.session.scalar(
            select(Stock.qty_on_hand).where(
                Stock.product_id == product.id, Stock.location_id == shelf.id
            )
        )
    assert (recorded, held) == (1, 9)
    assert_invariants(app)
