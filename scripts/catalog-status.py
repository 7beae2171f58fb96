#!/usr/bin/env python3
"""How complete each language's catalog is: `make catalog` prints it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wms.devtools.catalogs import languages, marked, status

found = marked()
for language in languages():
    s = status(language, found)
    print(
        f"{language}: {s.total} sentences, {len(s.untranslated)} to translate, "
        f"{len(s.fuzzy)} fuzzy, {len(s.missing)} missing"
    )
    for context, msgid in s.untranslated[:20]:
        print(f"  to translate: {msgid}" + (f"  (context: {context})" if context else ""))
