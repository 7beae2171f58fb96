"""Words people read, in their language, marked where they are written.

``_("Bin %(code)s is full.", code=code)`` marks a sentence for the catalogs
(``make catalog`` extracts every ``_``, ``n_`` and ``N_``) and returns a
:class:`Text`: the sentence is looked up in the reader's language only when it
is turned into a string, at the moment a page, a print or a JSON answer is
written. Services raise their errors with it without knowing who will read them.

``n_(singular, plural, n, **params)`` chooses by number (French says "1 colis",
"0 colis": the catalog's plural rule decides); ``N_`` only marks a constant
defined at import time, translated where it is shown (``_(CONSTANT)`` there).

``p_(context, msgid, **params)`` is a sentence whose English serves two meanings
that another language tells apart: "cancelled" is "annulée" for an order (une
commande) and "annulé" for a return (un retour). The context names what the word
is about (``"return status"``); ``Np_(context, msgid)`` is the same as a constant
(a :class:`Text` already, shown as it is by ``_()``).

Placeholders are ``%(name)s``, the same in Python and in templates, so the
catalog checks can compare them between languages.

This module is plain Python: the app installs the lookup (Flask-Babel's, for the
request's or the forced locale) with :func:`install`; before that, and in tests
of plain functions, the sentences read as written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# The languages the app speaks: English (as written in the code) and every
# catalog under wms/translations/. A new language is a new catalog.
SOURCE_LANGUAGE = "en"

_gettext: Callable[[str], str] = lambda s: s  # noqa: E731
_ngettext: Callable[[str, str, int], str] = lambda s, p, n: s if n == 1 else p  # noqa: E731
_pgettext: Callable[[str, str], str] = lambda c, s: s  # noqa: E731


_format_number: Callable[[int | float], str] = str


class Number:
    """A number written the reader's way (``1 000 000`` in French) when it is shown.

    Services put it in a sentence's parameters; the app installs the formatter."""

    __slots__ = ("value",)

    def __init__(self, value: int | float) -> None:
        self.value = value

    def __str__(self) -> str:
        return _format_number(self.value)

    def __repr__(self) -> str:
        return f"Number({self.value!r})"


def install_number_format(format_number: Callable[[int | float], str]) -> None:
    """Make every :class:`Number` written through this formatter (the app does this once)."""
    global _format_number
    _format_number = format_number


def install(
    gettext: Callable[[str], str],
    ngettext: Callable[[str, str, int], str],
    pgettext: Callable[[str, str], str] | None = None,
) -> None:
    """Make every :class:`Text` read through these lookups (the app does this once)."""
    global _gettext, _ngettext, _pgettext
    _gettext, _ngettext = gettext, ngettext
    if pgettext is not None:
        _pgettext = pgettext


class Text:
    """A sentence to be read in the reader's language, formatted at the last moment."""

    __slots__ = ("context", "count", "msgid", "params", "plural")

    def __init__(
        self,
        msgid: str,
        params: dict[str, Any],
        plural: str | None = None,
        count: int = 1,
        context: str | None = None,
    ) -> None:
        self.msgid = msgid
        self.params = params
        self.plural = plural
        self.count = count
        self.context = context

    def __str__(self) -> str:
        if self.context is not None:
            text = _pgettext(self.context, self.msgid)
        elif self.plural is None:
            text = _gettext(self.msgid)
        else:
            text = _ngettext(self.msgid, self.plural, self.count)
        if not self.params and self.plural is None:
            return text
        values = {k: str(v) if isinstance(v, Text | Number) else v for k, v in self.params.items()}
        values.setdefault("num", self.count)
        return text % values

    def __html__(self) -> str:
        # Jinja escapes what it shows unless it is marked safe: a Text is plain words.
        from markupsafe import escape

        return str(escape(str(self)))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        return f"Text({self.msgid!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == (str(other) if isinstance(other, Text | str) else other)

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __add__(self, other: object) -> str:
        return str(self) + str(other)

    def __radd__(self, other: object) -> str:
        return str(other) + str(self)

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __len__(self) -> int:
        return len(str(self))


class Joined(Text):
    """Sentences (or words) shown side by side, each in the reader's language."""

    __slots__ = ("parts", "sep")

    def __init__(self, parts: list[Text | str], sep: str = " ") -> None:
        super().__init__("", {})
        self.parts = parts
        self.sep = sep

    def __str__(self) -> str:
        return self.sep.join(str(p) for p in self.parts)

    def __repr__(self) -> str:
        return f"Joined({self.parts!r})"

    def __hash__(self) -> int:
        return hash(str(self))


def _(msgid: str | Text, **params: Any) -> Text:
    """A sentence, read in the reader's language when shown (a constant marked with
    :func:`Np_` is already one, and keeps its context)."""
    if isinstance(msgid, Text):
        if not params:
            return msgid
        return Text(msgid.msgid, {**msgid.params, **params}, context=msgid.context)
    return Text(msgid, params)


def p_(context: str, msgid: str, **params: Any) -> Text:
    """A sentence told apart by ``context`` where another language needs it
    (a gender: "cancelled" of an order or of a return)."""
    return Text(msgid, params, context=context)


def Np_(context: str, msgid: str) -> Text:
    """Marks a constant with its context; show it with ``_(CONSTANT)`` as any other."""
    return Text(msgid, {}, context=context)


def n_(singular: str, plural: str, count: int, **params: Any) -> Text:
    """A sentence that depends on a number (``%(num)s`` is that number)."""
    return Text(singular, params, plural, count)


def N_(msgid: str) -> str:
    """Marks a constant for the catalogs; show it with ``_(CONSTANT)``."""
    return msgid


def as_written(value: object) -> str:
    """A sentence as the code writes it (English), for records kept in the database."""
    if isinstance(value, Joined):
        return value.sep.join(as_written(p) for p in value.parts)
    if isinstance(value, Text):
        source = value.msgid if value.plural is None or value.count == 1 else value.plural
        params = {
            k: as_written(v) if isinstance(v, Text) else v.value if isinstance(v, Number) else v
            for k, v in value.params.items()
        }
        params.setdefault("num", value.count)
        return source % params if value.params or value.plural is not None else source
    return str(value)


def text(value: object) -> str:
    """Any sentence (a :class:`Text` or a plain string) as a string, now."""
    return str(value)


# A sentence kept in the database is kept as its facts (the marked sentence and its
# figures), so each reader reads it in their own language when it is shown; the English
# as written is kept beside it for logs, the API and rows kept before.
Record = dict[str, Any]


def to_record(value: Text | str) -> Record:
    """A sentence as JSON-ready facts: its msgid (and plural and number) and parameters;
    a plain string (a platform's own words) is kept as it is."""
    if isinstance(value, Joined):
        return {"parts": [to_record(p) for p in value.parts], "sep": value.sep}
    if isinstance(value, Text):
        record: Record = {"msgid": value.msgid, "params": _params_record(value.params)}
        if value.plural is not None:
            record.update(plural=value.plural, count=value.count)
        if value.context is not None:
            record["context"] = value.context
        return record
    return {"plain": str(value)}


def _params_record(params: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, Text):
            kept[key] = {"text": to_record(value)}
        elif isinstance(value, Number):
            kept[key] = {"number": value.value}
        elif isinstance(value, int | float | str) or value is None:
            kept[key] = value
        else:
            kept[key] = str(value)
    return kept


def from_record(record: Record | None, fallback: str = "") -> Text | str:
    """The sentence a record keeps, in the reader's language; ``fallback`` (the English as
    written) when there is no record or it cannot be read."""
    if not isinstance(record, dict):
        return fallback
    try:
        return _from_record(record)
    except (KeyError, TypeError, ValueError):
        return fallback


def _from_record(record: Record) -> Text | str:
    if "parts" in record:
        return Joined([_from_record(p) for p in record["parts"]], str(record.get("sep", " ")))
    if "plain" in record:
        return str(record["plain"])
    params = {key: _param(value) for key, value in dict(record.get("params") or {}).items()}
    context = str(record["context"]) if record.get("context") is not None else None
    if "plural" in record:
        return Text(
            str(record["msgid"]), params, str(record["plural"]), int(record["count"]), context
        )
    return Text(str(record["msgid"]), params, context=context)


def _param(value: Any) -> Any:
    if isinstance(value, dict) and "text" in value:
        return _from_record(value["text"])
    if isinstance(value, dict) and "number" in value:
        return Number(value["number"])
    return value
