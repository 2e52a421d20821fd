#!/usr/bin/env python3
"""List the strings of the module's .pot that a language's .po does not
translate (missing, empty, or with other %(name)s placeholders).

    python tools/i18n_missing.py            # de, it and pl
    python tools/i18n_missing.py de         # one language
    python tools/i18n_missing.py --update   # first merge the .pot into the
                                            # .po files: new strings get an
                                            # empty msgstr to fill, gone ones
                                            # are dropped

Run tools/export_pot.sh first so the .pot has every string. Exits 1 when
something is missing, so it can guard a commit. Needs polib (in Odoo's
requirements: use the virtualenv of tools/common.sh).
"""

import re
import sys
from pathlib import Path

import polib

I18N = Path(__file__).resolve().parent.parent / "i18n"
POT = I18N / "crm_customer_ownership.pot"
LANGUAGES = ("de", "it", "pl")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def update(po_path, pot):
    po = polib.pofile(str(po_path))
    po.merge(pot)
    for entry in [e for e in po if e.obsolete]:
        po.remove(entry)
    po.save()


def missing(po_path, pot):
    po = {entry.msgid: entry.msgstr for entry in polib.pofile(str(po_path))}
    for entry in pot:
        value = po.get(entry.msgid, "")
        if not value.strip():
            yield "missing", entry.msgid
        elif sorted(PLACEHOLDER.findall(value)) != sorted(
            PLACEHOLDER.findall(entry.msgid)
        ):
            yield "placeholders differ", entry.msgid


def main(args):
    languages = [arg for arg in args if not arg.startswith("-")] or LANGUAGES
    pot = polib.pofile(str(POT))
    found = 0
    for lang in languages:
        po_path = I18N / f"{lang}.po"
        if "--update" in args:
            update(po_path, pot)
        for problem, msgid in missing(po_path, pot):
            found += 1
            print(f"{lang}.po: {problem}: {msgid!r}")
    print(f"{found} problems", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
