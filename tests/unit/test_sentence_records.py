"""A sentence kept in the database as its facts reads, when shown, as it was said, in the
reader's language; a record that cannot be read falls back to the English kept beside it."""

from __future__ import annotations

import json

from wms.base import i18n
from wms.base.i18n import Joined, Number, _, as_written, from_record, n_, to_record


def kept(value: i18n.Text | str) -> i18n.Text | str:
    """Through JSON, as the database keeps it."""
    return from_record(json.loads(json.dumps(to_record(value))))


def test_a_sentence_with_a_plural_a_number_and_a_sentence_inside_reads_the_same() -> None:
    said = Joined(
        [
            n_("%(num)s item on the shop.", "%(num)s items on the shop.", 3),
            _(
                "Order %(order)s: %(why)s (%(units)s)",
                order="#1001",
                why=_("It has no SKU on the shop."),
                units=Number(1200),
            ),
            "Le transporteur a dit : non.",  # a platform's own words, kept as sent
        ]
    )
    assert str(kept(said)) == str(said)
    assert as_written(kept(said)) == as_written(said)


def test_a_sentence_is_worded_in_the_language_of_its_reader_not_of_its_writer() -> None:
    record = to_record(_("Mapped before."))
    before = i18n._gettext, i18n._ngettext
    try:
        i18n.install(lambda s: {"Mapped before.": "Déjà associé."}.get(s, s), before[1])
        assert str(from_record(record)) == "Déjà associé."
    finally:
        i18n.install(*before)


def test_no_record_or_a_broken_one_reads_as_the_english_kept_beside_it() -> None:
    assert from_record(None, "Cancelled on the shop.") == "Cancelled on the shop."
    assert from_record({"params": {}}, "as written") == "as written"
    assert from_record({"msgid": "x", "plural": "y", "count": "many"}, "as written") == "as written"
