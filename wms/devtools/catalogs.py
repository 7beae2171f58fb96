"""The catalogs checked against the code: what is marked, what is translated, how.

Used by ``make catalog`` (the status it prints), ``scripts/catalog-fill.py`` and
``tests/unit/test_catalogs.py``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "wms" / "translations"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "n_": (1, 2),
    "N_": None,
    # A context first (what the word is about), then the sentence.
    "p_": ((1, "c"), 2),
    "Np_": ((1, "c"), 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
# A catalog entry is known by its context (None for most) and its sentence.
Key = tuple[str | None, str]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]|%[sdifr]")
NARROW_NBSP = "\u202f"


def marked() -> dict[Key, set[str]]:
    """Every sentence the code and templates mark (with its context), with the files
    that mark it."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[Key, set[str]] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault((context or None, msgid), set()).add(filename)
    return found


def languages() -> list[str]:
    return sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES").is_dir())


def catalog(language: str) -> Catalog:
    path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as f:
        return read_po(f, locale=language)


def entries(cat: Catalog) -> Iterator[Message]:
    for message in cat:
        if message.id:
            yield message


def msgid_of(message: Message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def key_of(message: Message) -> Key:
    """(context, msgid): "cancelled" of a return is not "cancelled" of an order."""
    return (message.context or None, msgid_of(message))


def translations_of(message: Message) -> list[str]:
    if isinstance(message.string, tuple | list):
        return list(message.string)
    return [message.string or ""]


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text)}


@dataclass
class Status:
    language: str
    total: int
    missing: list[Key]  # marked in the code, absent from the catalog
    untranslated: list[Key]
    fuzzy: list[Key]


def status(language: str, found: dict[Key, set[str]] | None = None) -> Status:
    found = marked() if found is None else found
    cat = catalog(language)
    known = {key_of(m): m for m in entries(cat)}
    untranslated = [
        key_of(m) for m in known.values() if not all(t.strip() for t in translations_of(m))
    ]
    fuzzy = [key_of(m) for m in known.values() if m.fuzzy]
    missing = sorted(set(found) - set(known), key=_sortable)
    return Status(
        language,
        len(found),
        missing,
        sorted(untranslated, key=_sortable),
        sorted(fuzzy, key=_sortable),
    )


def _sortable(key: Key) -> tuple[str, str]:
    return (key[1], key[0] or "")


def typography_problems(translation: str, original: str = "") -> list[str]:
    """French punctuation: a narrow no-break space before : ; ? ! and inside « ».

    Code quoted as it is typed (``Authorization: Bearer``), found word for word in
    the original, keeps its own punctuation."""
    problems = []
    for match in re.finditer(r"[:;?!]", translation):
        at = match.start()
        token = re.search(r"\S*$", translation[: at + 1])
        if original and token and len(token.group(0)) > 1 and token.group(0) in original:
            continue
        after = translation[at + 1 : at + 2]
        if after.isdigit() or after == "/":  # 14:45, https://
            continue
        before = translation[at - 1 : at] if at else ""
        if before != NARROW_NBSP and not (before in "?!" and before):
            problems.append(f"no narrow no-break space before {match.group(0)!r}")
    if re.search(r"«(?!\u202f)", translation) or re.search(r"(?<!\u202f)»", translation):
        problems.append("« » need a narrow no-break space inside")
    return problems


# ------------------------------------------------------------ unmarked words

TEMPLATES = ROOT / "templates"
_JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
_SKIPPED_ELEMENTS = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
# Attributes people read: a hint in a field, a tooltip, what a screen reader says.
_READ_ATTRIBUTES = re.compile(
    r"""\b(placeholder|title|alt|aria-label|hx-confirm|data-confirm)\s*=\s*(["'])(.*?)\2""", re.S
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ]{2,}")
# Inside a {% trans %} block the words are marked: they are extracted as one sentence.
_TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?%\}.*?\{%-?\s*endtrans\s*-?%\}", re.S)
# A page's CSS class for <body> is written as a block: a name for the style sheet, not words.
_CLASS_BLOCK = re.compile(r"\{%-?\s*block\s+\w*class\s*-?%\}.*?\{%-?\s*endblock\s*-?%\}", re.S)
# The product's name reads the same in every language.
PRODUCT_NAME = "wms"


def unmarked_in_template(source: str) -> list[str]:
    """Words a reader sees in a template that are not marked for translation."""
    source = _CLASS_BLOCK.sub(" ", _TRANS_BLOCK.sub(" ", source))
    found = []
    for _name, _quote, value in _READ_ATTRIBUTES.findall(source):
        if _WORD.search(_JINJA.sub(" ", value)):
            found.append(value.strip())
    source = _SKIPPED_ELEMENTS.sub(" ", source)
    source = _JINJA.sub(" ", source)
    source = _TAG.sub(" ", source)
    for chunk in re.split(r"\s{2,}|\n", source):
        chunk = chunk.strip()
        if _WORD.search(chunk) and not _is_not_words(chunk):
            found.append(chunk)
    return found


def _is_not_words(chunk: str) -> bool:
    # An HTML entity (&nbsp;), a code shown as itself, or the product's name.
    chunk = re.sub(rf"\b{PRODUCT_NAME}\b", " ", chunk)
    return bool(re.fullmatch(r"(&[a-z]+;|[\s·•|/\u2014\u2013:,()#.-])*", chunk))


def _error_classes(tree_by_file: dict[Path, ast.Module]) -> set[str]:
    """The names of DomainError and of every class built on it, across the code."""
    names = {"DomainError"}
    grew = True
    while grew:
        grew = False
        for tree in tree_by_file.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names:
                    bases = {getattr(b, "id", getattr(b, "attr", None)) for b in node.bases}
                    if bases & names:
                        names.add(node.name)
                        grew = True
    return names


def _is_sentence(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(re.search(r"[A-Za-z]{2,}\W+[A-Za-z]", node.value))
    )


def unmarked_in_python() -> dict[str, list[str]]:
    """Sentences handed to a domain error or to ``flash`` without ``_``: file -> sentences."""
    trees = {p: ast.parse(p.read_text(), str(p)) for p in sorted((ROOT / "wms").rglob("*.py"))}
    callees = _error_classes(trees) | {"flash"}
    found: dict[str, list[str]] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in callees:
                continue
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "message")]:
                if _is_sentence(arg):
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    found.setdefault(str(path.relative_to(ROOT)), []).append(
                        f"{where} {ast.unparse(arg)[:70]}"
                    )
    return found


def shadowed_marker() -> list[str]:
    """Places that assign to ``_`` in a module that marks sentences with it: the
    assignment would turn the next ``_("...")`` in that scope into a call on a value."""
    found = []
    for path in sorted((ROOT / "wms").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        imports_marker = any(
            isinstance(n, ast.ImportFrom) and any(a.name == "_" for a in n.names)
            for n in ast.walk(tree)
        )
        if not imports_marker:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found
