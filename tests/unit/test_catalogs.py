"""The catalogs kept honest: every marked sentence translated, placeholders kept,
French typography, the compiled catalogs current, and no words left unmarked."""

from __future__ import annotations

import gettext

import pytest

from wms.devtools.catalogs import (
    TEMPLATES,
    TRANSLATIONS,
    catalog,
    entries,
    key_of,
    languages,
    marked,
    msgid_of,
    placeholders,
    shadowed_marker,
    status,
    translations_of,
    typography_problems,
    unmarked_in_python,
    unmarked_in_template,
)

LANGUAGES = languages()


@pytest.fixture(scope="module")
def found() -> dict[tuple[str | None, str], set[str]]:
    return marked()


def test_french_is_a_catalog() -> None:
    assert "fr" in LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_sentence_is_translated(
    language: str, found: dict[tuple[str | None, str], set[str]]
) -> None:
    s = status(language, found)
    assert s.missing == [], f"not in the {language} catalog (run `make catalog`): {s.missing[:10]}"
    assert s.untranslated == [], f"untranslated in {language}: {s.untranslated[:10]}"
    assert s.fuzzy == [], f"fuzzy in {language}: {s.fuzzy[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_holds_only_sentences_the_code_marks(
    language: str, found: dict[tuple[str | None, str], set[str]]
) -> None:
    stale = sorted({key_of(m) for m in entries(catalog(language))} - set(found), key=str)
    assert stale == [], f"no longer in the code (run `make catalog`): {stale[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_the_same_in_every_translation(language: str) -> None:
    wrong = []
    for message in entries(catalog(language)):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        expected = set().union(*(placeholders(i) for i in ids))
        for form in translations_of(message):
            if not form:
                continue
            got = placeholders(form)
            # A plural form may leave the number out ("un colis"), never add one.
            allowed = got <= expected if len(ids) > 1 else got == expected
            if not allowed or (len(ids) > 1 and not (expected - {"%(num)s"}) <= got):
                wrong.append((msgid_of(message), form))
    assert wrong == []


def test_french_typography() -> None:
    wrong = [
        (msgid_of(m), form, typography_problems(form, msgid_of(m)))
        for m in entries(catalog("fr"))
        for form in translations_of(m)
        if typography_problems(form, msgid_of(m))
    ]
    assert wrong == []


def test_typography_check_sees_a_plain_space_before_a_colon() -> None:
    assert typography_problems("Casier : A-01") != []
    assert typography_problems("Casier\u202f: A-01 à 14:45, https://exemple.fr") == []
    assert typography_problems("« Terminé »") != []
    assert typography_problems("l’en-tête Authorization: Bearer", "as Authorization: Bearer") == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_built_from_the_current_one(language: str) -> None:
    compiled = TRANSLATIONS / language / "LC_MESSAGES" / "messages.mo"
    assert compiled.is_file(), "run `make translations`"
    with compiled.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    for message in entries(catalog(language)):
        if isinstance(message.id, tuple):
            assert mo.ngettext(message.id[0], message.id[1], 5) == message.string[-1]
        elif message.context:
            assert mo.pgettext(message.context, message.id) == message.string
        else:
            assert mo.gettext(message.id) == message.string, "run `make translations`"


# Files whose words are not marked yet: the list only shrinks (a file that became
# clean must leave it), and the app is bilingual when it is empty.
TEMPLATES_NOT_YET_MARKED: set[str] = set()
PYTHON_NOT_YET_MARKED: set[str] = set()


def test_templates_mark_every_word_a_reader_sees() -> None:
    unmarked = {
        str(p.relative_to(TEMPLATES)): words
        for p in sorted(TEMPLATES.rglob("*.html"))
        if (words := unmarked_in_template(p.read_text()))
    }
    new = {k: v[:5] for k, v in unmarked.items() if k not in TEMPLATES_NOT_YET_MARKED}
    assert new == {}, "mark these words with _() or {% trans %}"
    assert TEMPLATES_NOT_YET_MARKED - set(unmarked) == set(), "now clean: take off the list"


def test_python_marks_every_sentence_it_shows() -> None:
    unmarked = unmarked_in_python()
    new = {k: v[:5] for k, v in unmarked.items() if k not in PYTHON_NOT_YET_MARKED}
    assert new == {}, "mark these sentences with _() from wms.base.i18n"
    assert PYTHON_NOT_YET_MARKED - set(unmarked) == set(), "now clean: take off the list"


def test_the_unmarked_word_check_sees_words_and_skips_marked_ones() -> None:
    assert unmarked_in_template("<p>Scan a bin</p>") == ["Scan a bin"]
    assert unmarked_in_template('<input placeholder="Bin code">') == ["Bin code"]
    assert unmarked_in_template("<p>{{ _('Scan a bin') }} {{ bin.code }}</p>") == []
    assert unmarked_in_template("{% trans %}Scan {{ n }} bins{% endtrans %}") == []
    # The product's name and a page's CSS class are not words to translate; words are.
    assert unmarked_in_template("{% block body_class %}floor{% endblock %}<a>wms</a>") == []
    assert unmarked_in_template("<title>Menu · wms</title>") == ["Menu · wms"]


def test_no_module_that_marks_with_underscore_assigns_to_it() -> None:
    assert shadowed_marker() == []
