#!/usr/bin/env python3
"""Fill what a catalog leaves untranslated from another copy of it.

After two branches each translated new sentences, take one side's catalog, run
`make catalog` (it adds the other side's sentences, untranslated), then:

    git show other-branch:wms/translations/fr/LC_MESSAGES/messages.po > /tmp/other.po
    scripts/catalog-fill.py fr /tmp/other.po
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from babel.messages.pofile import read_po, write_po

from wms.devtools.catalogs import TRANSLATIONS, key_of, translations_of

language, other_path = sys.argv[1], Path(sys.argv[2])
path = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
with path.open("rb") as f:
    ours = read_po(f, locale=language)
with other_path.open("rb") as f:
    theirs = {key_of(m): m for m in read_po(f, locale=language) if m.id}
filled = 0
for message in ours:
    other = theirs.get(key_of(message)) if message.id else None
    if other is None or other.fuzzy or not all(t.strip() for t in translations_of(other)):
        continue
    if all(t.strip() for t in translations_of(message)) and not message.fuzzy:
        continue
    message.string = other.string
    message.flags.discard("fuzzy")
    filled += 1
with path.open("wb") as f:
    write_po(f, ours, width=0, include_lineno=False, sort_output=True, ignore_obsolete=True)
print(f"{filled} translations filled from {other_path}")
