"""The reader's language: which one, and dates, numbers and money written in it.

Whose language a page speaks, first match wins:

1. the signed-in user's own choice (set by an admin, on the desk, or by scanning
   a language's command barcode on the floor);
2. the browser's ``Accept-Language`` (before sign-in, and for users who follow
   their device);
3. the warehouse's default, ``WMS_DEFAULT_LOCALE`` (``fr``: see the README).

The JSON API speaks English unless its client's ``Accept-Language`` asks for
another language: its codes never change, only its sentences.

The worker, the commands and prints for someone else (a customer's packing slip)
choose with :func:`in_language`. The languages are English, as the code is
written, and one catalog per language under ``wms/translations/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel import units as babel_units
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_timezone, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from wms.base import i18n
from wms.base.money import format_money as _format_money

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
NBSP = "\u00a0"
babel = Babel()


def available_languages() -> list[str]:
    """``["en", "fr", ...]``: English and every language with a catalog."""
    found = sorted(
        p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / "messages.po").is_file()
    )
    return [i18n.SOURCE_LANGUAGE, *(code for code in found if code != i18n.SOURCE_LANGUAGE)]


def normal_language(code: str | None) -> str | None:
    """``"FR"``, ``"fr-BE"``, ``"fr_FR"`` -> ``"fr"`` when the app speaks it; else None."""
    if not code:
        return None
    try:
        language = Locale.parse(code.strip().replace("-", "_")).language
    except (ValueError, UnknownLocaleError):
        return None
    return language if language in _languages() else None


def _languages() -> list[str]:
    if has_app_context():
        return list(current_app.config["LANGUAGES"])
    return available_languages()


def language_name(code: str) -> str:
    """A language named in itself, as its speakers look for it: ``Français``, ``English``."""
    return Locale.parse(code).get_display_name(code).capitalize()


def select_locale() -> Locale:
    """The language of this request (see the module's docstring)."""
    return locale_of(_select_language())


def _select_language() -> str:
    default = current_app.config["DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    languages = current_app.config["LANGUAGES"]
    if request.path.startswith("/api/"):
        # The API speaks English unless its client asks otherwise: codes never change.
        return _best_language(request, languages) or i18n.SOURCE_LANGUAGE
    # The user only when already loaded: an error page drawn while the database is
    # down must not ask the database who is reading.
    user = g.get("_login_user")
    chosen = getattr(user, "language", None)
    if chosen and chosen in languages:
        return chosen
    return _best_language(request, languages) or default


def _best_language(req: Any, languages: list[str]) -> str | None:
    return _best_of(req.headers.get("Accept-Language", ""), tuple(languages))


@lru_cache(maxsize=256)
def _best_of(header: str, languages: tuple[str, ...]) -> str | None:
    # A handheld sends the same header all day: it is read once, not on every scan.
    return parse_accept_header(header, LanguageAccept).best_match(languages)


@lru_cache(maxsize=64)
def locale_of(code: str) -> Locale:
    """The one ``Locale`` of a language for the whole process. Flask-Babel keeps what the
    selector returns as it is, so every request of a language shares it: the caches
    keyed by locale below find it by identity, and its CLDR data is loaded once."""
    return Locale.parse(code)


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else i18n.SOURCE_LANGUAGE


@contextmanager
def in_language(code: str | None) -> Iterator[None]:
    """Words, dates and numbers in ``code`` (the warehouse's default when None or unknown)."""
    language = normal_language(code) or current_app.config["DEFAULT_LOCALE"]
    with force_locale(locale_of(language)):
        yield


# ---------------------------------------------------------------- formatting


def _locale() -> Locale:
    return get_locale() or locale_of(i18n.SOURCE_LANGUAGE)


def _local(moment: datetime) -> datetime:
    """A stored moment (naive means UTC) in the warehouse's time zone."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    # Outside the app (a document drawn from plain data in a test) UTC stays UTC.
    return aware.astimezone(get_timezone()) if has_app_context() else aware


def format_date(value: date | datetime | None, form: str = "medium") -> str:
    """``7 déc. 2026`` / ``Dec 7, 2026``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return babel_dates.format_date(value, form, locale=_locale())


def format_datetime(value: datetime | None, form: str = "short") -> str:
    """``07/12/2026 14:45`` / ``12/7/26, 2:45 PM``: in the warehouse's time zone."""
    if value is None:
        return ""
    return babel_dates.format_datetime(_local(value), _datetime_form(form), locale=_locale())


def _datetime_form(form: str) -> str:
    # "medium" date with a short time reads best on a screen: "7 déc. 2026, 14:45".
    if form == "screen":
        locale = _locale()
        return locale.datetime_formats["medium"].format(
            locale.time_formats["short"].pattern, locale.date_formats["medium"].pattern
        )
    return form


def format_time(value: datetime | None) -> str:
    """``14:45`` / ``2:45 PM``."""
    if value is None:
        return ""
    return babel_dates.format_time(_local(value), "short", locale=_locale())


def format_number(value: int | float | Decimal | None) -> str:
    """``1 234,5`` / ``1,234.5`` (French groups with a narrow no-break space)."""
    if value is None:
        return ""
    if type(value) is int:
        return _whole_number(value, _locale())
    return babel_numbers.format_decimal(value, locale=_locale())


# Counts fill the floor's pages (a tally is a dozen of them): each is written once per
# language, not once per page. Per language, the counts written so far (a few thousand
# at most: the table starts again when full).
_counts: dict[Locale, dict[int, str]] = {}
_COUNTS_KEPT = 4096


def _counts_in(locale: Locale) -> dict[int, str]:
    counts = _counts.get(locale)
    if counts is None:
        counts = _counts[locale] = {}
    return counts


def _whole_number(value: int, locale: Locale) -> str:
    counts = _counts_in(locale)
    text = counts.get(value)
    if text is None:
        if len(counts) >= _COUNTS_KEPT:
            counts.clear()
        text = counts[value] = babel_numbers.format_decimal(value, locale=locale)
    return text


def format_decimal(value: int | float | Decimal, pattern: str) -> str:
    """A number in a fixed form (``"#,##0.00"``: two decimals), as the reader writes it."""
    return babel_numbers.format_decimal(value, pattern, locale=_locale())


def format_amount(value: int | float | Decimal) -> str:
    """An amount with its two decimals, as the reader writes it: ``12,50`` / ``12.50``."""
    return format_decimal(value, "#,##0.00")


def format_percent(value: float | Decimal | None, decimals: int | None = None) -> str:
    """``20%`` / ``20 %``; with ``decimals``, always that many (``20.0%``, ``20,0 %``)."""
    if value is None:
        return ""
    locale = _locale()
    if decimals is None:
        return babel_numbers.format_percent(value, locale=locale)
    pattern = babel_numbers.parse_pattern(locale.percent_formats[None].pattern)
    pattern.frac_prec = (decimals, decimals)
    return babel_numbers.format_percent(value, pattern, locale=locale)


def format_money(amount: Any, currency: str) -> str:
    """``1 234,50 €`` / ``€1,234.50``."""
    return _format_money(amount, currency, locale=str(_locale()))


def quantity(value: int | float | Decimal | None, unit: str) -> str:
    """A number and its unit that never part at a line's end: ``2,5 kg``."""
    if value is None:
        return ""
    return f"{format_number(value)}{NBSP}{unit}"


def hours(value: int | float | Decimal | None) -> str:
    """A duration in hours as the reader abbreviates it: ``2.5 hr`` / ``2,5 h``, never
    parted from its number."""
    if value is None:
        return ""
    words = babel_units.format_unit(value, "duration-hour", length="short", locale=_locale())
    return words.replace(" ", NBSP)


def weight(grams: int | float | None) -> str:
    """``850 g``, ``1,25 kg``."""
    if grams is None:
        return ""
    return quantity(grams, "g") if grams < 1000 else quantity(Decimal(grams) / 1000, "kg")


FILTERS = {
    "date": format_date,
    "datetime": format_datetime,
    "time": format_time,
    "number": format_number,
    "amount": format_amount,
    "percent": format_percent,
    "money": format_money,
    "weight": weight,
    "hours": hours,
}


def _per_reader(format_value: Any) -> Any:
    """A filter Jinja never computes once for all readers: it folds a filter of a
    constant (``{{ 12.5|amount }}``) when it compiles the template, in the language of
    whoever read the page first; a filter that takes the context is left to each page."""

    @pass_context
    def formatted(_context: Any, *args: Any, **kwargs: Any) -> Any:
        return format_value(*args, **kwargs)

    return formatted


# A page is drawn in one language: the reader's locale and catalog are looked up once
# per render (see init_app), not once for each of the dozens of counts and sentences
# a floor page holds. A template drawn outside render_template asks for each.
_READER_COUNTS = "_reader_counts"
_READER_CATALOG = "_reader_catalog"


def _reader() -> dict[str, Any]:
    return {_READER_COUNTS: _counts_in(_locale()), _READER_CATALOG: _catalog()}


@pass_context
def _number_filter(context: Any, value: int | float | Decimal | None) -> str:
    if type(value) is int:
        counts = context.parent.get(_READER_COUNTS)
        if counts is not None:
            text = counts.get(value)
            if text is not None:
                return text
    return format_number(value)


def _page_catalog(context: Any) -> Any:
    return context.parent.get(_READER_CATALOG) or _catalog()


@pass_context
def _template_gettext(context: Any, message: str | i18n.Text) -> str:
    if isinstance(message, i18n.Text):
        return str(message)
    return _page_catalog(context).ugettext(message)


@pass_context
def _page_gettext(context: Any, message: str | i18n.Text, **variables: Any) -> str:
    """A template's ``_()``: what Jinja's own (new style) does, escaping the sentence
    and filling its placeholders, without its three calls through the context."""
    said = _template_gettext(context, message)
    if context.eval_ctx.autoescape:
        said = Markup(said)
    return said % variables


_catalogs: dict[Locale | None, Any] = {}


def _catalog() -> Any:
    """The catalog of the language in force (Flask-Babel's, kept per language: a page
    looks up dozens of sentences, and the catalogs under wms/translations are the same
    for every app of the process)."""
    locale = get_locale()
    catalog = _catalogs.get(locale)
    if catalog is None:
        catalog = _catalogs[locale] = get_translations()
    return catalog


def init_app(app: Flask) -> None:
    """Babel on the app: the catalogs, the choice of language, filters for templates."""
    app.config["LANGUAGES"] = available_languages()
    default = app.config["DEFAULT_LOCALE"]
    if default not in app.config["LANGUAGES"]:
        raise ValueError(
            f"WMS_DEFAULT_LOCALE={default!r}: the app speaks {', '.join(app.config['LANGUAGES'])}"
        )
    app.config["BABEL_DEFAULT_LOCALE"] = default
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=select_locale)
    i18n.install(
        lambda s: _catalog().ugettext(s),
        lambda s, p, n: _catalog().ungettext(s, p, n),
        lambda c, s: _catalog().upgettext(c, s),
    )
    # Templates' _() shows a constant marked with its context (Np_) as the Text it is.
    app.jinja_env.install_gettext_callables(
        gettext=_template_gettext,
        ngettext=pass_context(lambda ctx, s, p, n: _page_catalog(ctx).ungettext(s, p, n)),
        newstyle=True,
        pgettext=pass_context(lambda ctx, c, s: _page_catalog(ctx).upgettext(c, s)),
        npgettext=pass_context(lambda ctx, c, s, p, n: _page_catalog(ctx).unpgettext(c, s, p, n)),
    )
    i18n.install_number_format(format_number)
    app.jinja_env.filters.update({name: _per_reader(f) for name, f in FILTERS.items()})
    app.jinja_env.filters["number"] = _number_filter
    app.jinja_env.globals["_"] = _page_gettext
    app.context_processor(_reader)
    app.jinja_env.globals.update(
        current_language=current_language,
        language_name=language_name,
        quantity=quantity,
    )
