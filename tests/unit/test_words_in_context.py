"""One English word, two French ones: a context tells which (a return is "annulé",
an order "annulée"), and the catalog is read by (context, sentence)."""

from __future__ import annotations

import gettext
from collections.abc import Iterator

import pytest

from wms.base import i18n
from wms.base.i18n import Np_, _, p_
from wms.core.models import INBOUND_STATUS_LABELS, ORDER_STATUS_LABELS, OrderStatus
from wms.devtools.catalogs import TRANSLATIONS, marked
from wms.returns.models import RETURN_STATUS_LABELS, ReturnStatus
from wms.stockcontrol.models import TASK_STATUS_LABELS, TaskStatus


@pytest.fixture
def french() -> Iterator[None]:
    """The French catalog installed as the app installs it; English again after."""
    with (TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    i18n.install(mo.gettext, mo.ngettext, mo.pgettext)
    yield
    i18n.install(lambda s: s, lambda s, p, n: s if n == 1 else p, lambda c, s: s)


def test_a_context_picks_the_french_that_agrees_with_its_noun(french: None) -> None:
    assert str(p_("return status", "cancelled")) == "annulé"
    assert str(p_("order status", "cancelled")) == "annulée"
    assert str(_(RETURN_STATUS_LABELS[ReturnStatus.CLOSED])) == "clôturé"
    assert str(_(ORDER_STATUS_LABELS[OrderStatus.CANCELLED])) == "annulée"
    assert str(_(TASK_STATUS_LABELS[TaskStatus.DONE])) == "terminé"
    assert str(p_("priorities", "all")) == "toutes"
    assert str(p_("statuses", "all")) == "tous"


def test_english_reads_the_same_whatever_the_context() -> None:
    assert str(p_("return status", "cancelled")) == "cancelled"
    assert str(_(INBOUND_STATUS_LABELS["closed"])) == "closed"
    assert i18n.as_written(p_("return status", "closed")) == "closed"


def test_a_constant_with_its_context_is_shown_by_underscore_as_it_is() -> None:
    constant = Np_("return status", "cancelled")
    assert _(constant) is constant
    assert _(constant).context == "return status"


def test_a_sentence_kept_in_the_database_keeps_the_context_of_its_words(french: None) -> None:
    said = _("Order %(number)s is %(status)s.", number="W-1", status=p_("order status", "packed"))
    kept = i18n.from_record(i18n.to_record(said))
    assert kept.params["status"].context == "order status"  # type: ignore[union-attr]
    assert str(kept.params["status"]) == "emballée"  # type: ignore[union-attr]


def test_extraction_keeps_the_context_of_each_marked_word() -> None:
    found = marked()
    assert ("return status", "cancelled") in found
    assert ("order status", "cancelled") in found
    assert ("statuses", "all") in found  # marked in a template with pgettext
