import re

from odoo.tests import TransactionCase
from odoo.tools.misc import file_path
from odoo.tools.translate import PoFileReader

MODULE = "crm_customer_ownership"
# Language code in Odoo: (file in i18n/, the ERP Number's label in it).
LANGUAGES = {
    "de_DE": ("de", "ERP-Nummer"),
    "it_IT": ("it", "Numero ERP"),
    "pl_PL": ("pl", "Numer ERP"),
}
# Named placeholders and markup must survive translation unchanged, or the
# message breaks (KeyError) or the view loses an element.
PLACEHOLDER = re.compile(r"%\(\w+\)s")
MARKUP = re.compile(r"<(\w+)[^>]*>")


def read_po(path):
    """{msgid: msgstr}; a .po is read merged with the module's .pot, so
    that a string the .po lacks comes back with an empty translation."""
    return {entry["src"]: entry["value"] for entry in PoFileReader(path)}


class TestTranslations(TransactionCase):
    def test_every_string_is_translated(self):
        sources = read_po(file_path(f"{MODULE}/i18n/{MODULE}.pot"))
        for code, (filename, _label) in LANGUAGES.items():
            with self.subTest(language=code):
                translations = read_po(file_path(f"{MODULE}/i18n/{filename}.po"))
                missing = sorted(
                    src for src in sources if not translations.get(src, "").strip()
                )
                self.assertFalse(
                    missing,
                    f"{filename}.po lacks {len(missing)} translations "
                    f"(python tools/i18n_missing.py lists them): {missing[:5]}",
                )

    def test_translations_keep_placeholders_and_markup(self):
        sources = read_po(file_path(f"{MODULE}/i18n/{MODULE}.pot"))
        for code, (filename, _label) in LANGUAGES.items():
            translations = read_po(file_path(f"{MODULE}/i18n/{filename}.po"))
            for src in sources:
                value = translations.get(src)
                if not value:
                    continue
                with self.subTest(language=code, msgid=src[:60]):
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(src)),
                        sorted(PLACEHOLDER.findall(value)),
                    )
                    self.assertEqual(
                        sorted(MARKUP.findall(src)), sorted(MARKUP.findall(value))
                    )

    def test_languages_load(self):
        module = self.env["ir.module.module"].search([("name", "=", MODULE)])
        for code, (_filename, label) in LANGUAGES.items():
            with self.subTest(language=code):
                self.env["res.lang"]._activate_lang(code)
                module._update_translations(code, overwrite=True)
                Partner = self.env["res.partner"].with_context(lang=code)
                self.assertEqual(
                    Partner.fields_get(["external_ref"])["external_ref"]["string"],
                    label,
                )
                message = Partner.env._("Restored from trash by %(user)s.", user="X")
                self.assertNotEqual(message, "Restored from trash by X.")
                self.assertIn("X", message)
