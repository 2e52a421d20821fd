"""Every setting, system parameter, scheduled action and menu of the module
is documented in readme/CONFIGURE.md or readme/USAGE.md, by its label or its
key: what the code declares cannot drift from what the docs say. README.md
is what tools/gen_readme.py makes of readme/, and the code size it states is
the tree's."""

import difflib
import importlib.util
import itertools
import re
import unittest
from pathlib import Path
from unittest.mock import patch

from odoo.tests import TransactionCase

from ..models.customer_import import LIMIT_DEFAULTS, PARAM_PREFIX

MODULE = "crm_customer_ownership"
ROOT = Path(__file__).resolve().parent.parent


def _docs():
    text = " ".join(
        (ROOT / "readme" / name).read_text(encoding="utf-8")
        for name in ("CONFIGURE.md", "USAGE.md")
    )
    # Markdown escapes and line breaks are not part of a label.
    return " ".join(text.replace("\\", "").split()).lower()


def _readme_generator():
    """tools/gen_readme.py, loaded by its path: tools/ is no package. The
    wheel leaves tools/ out; the README was checked where it was built."""
    path = ROOT / "tools" / "gen_readme.py"
    if not path.exists():
        raise unittest.SkipTest("tools/gen_readme.py is not shipped with the add-on")
    spec = importlib.util.spec_from_file_location("gen_readme", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parameters_read():
    """The ir.config_parameter keys the code reads: every constant naming
    one, and each key appended to a prefix constant."""
    source = "\n".join(
        path.read_text(encoding="utf-8")
        for folder in ("models", "wizards")
        for path in sorted((ROOT / folder).glob("*.py"))
    )
    constants = dict(
        re.findall(rf'^(\w*PARAM\w*) = "({MODULE}\.\w+)"', source, re.MULTILINE)
    )
    keys = set()
    for name, value in constants.items():
        if not name.endswith("PREFIX"):
            keys.add(value)
            continue
        keys.update(value + key for key in re.findall(rf'{name} \+ "(\w+)"', source))
    return keys | {PARAM_PREFIX + key for key in LIMIT_DEFAULTS}


class TestDocs(TransactionCase):
    def _declared(self, model):
        return self.env[model].browse(
            self.env["ir.model.data"]
            .search([("module", "=", MODULE), ("model", "=", model)])
            .mapped("res_id")
        )

    def assertDocumented(self, what, labels):
        docs = _docs()
        missing = [
            label for label in labels if " ".join(label.split()).lower() not in docs
        ]
        self.assertFalse(
            missing, f"Document these {what} in readme/CONFIGURE.md or USAGE.md."
        )

    def test_settings_are_documented(self):
        fields = (
            self.env["ir.model.fields"]
            .search([("model", "=", "res.config.settings")])
            .filtered(lambda field: MODULE in field.modules.split(", "))
            # Not the fields every model has (19 lists display_name under
            # every module that extends the model).
            .filtered(lambda field: field.name not in self.env["base"]._fields)
        )
        self.assertTrue(fields)
        self.assertDocumented(
            "settings", fields.with_context(lang="en_US").mapped("field_description")
        )

    def test_parameters_are_documented(self):
        keys = _parameters_read()
        self.assertIn(f"{MODULE}.trash_retention_days", keys)
        self.assertIn(f"{MODULE}.import_background_rows", keys)
        # An import setting may be named by its suffix, in backticks, where
        # the docs give the prefix once.
        docs = _docs()
        self.assertDocumented(
            "system parameters",
            [
                f"`{key.removeprefix(PARAM_PREFIX)}`"
                if key.startswith(PARAM_PREFIX) and f"`{PARAM_PREFIX}`" in docs
                else key
                for key in sorted(keys)
            ],
        )

    def test_parameter_defaults_are_documented(self):
        """readme/CONFIGURE.md gives each system parameter's default: the
        first "default N" after the parameter's name is the code's."""
        params = self.env["ir.config_parameter"]
        defaults = {}
        read = type(params)._get_int_param

        def spy(model, key, default, minimum=0):
            defaults[key] = default
            return read(model, key, default, minimum)

        # Every reader of the module's parameters, as the code calls them.
        with patch.object(type(params), "_get_int_param", spy):
            self.env["customer.import"]._get_import_limits()
            self.env["customer.import.log"]._background_rows()
            self.env["res.partner"]._get_trash_retention_days()
        keys = _parameters_read()
        self.assertEqual(set(defaults), keys, "a parameter read elsewhere")

        configure = " ".join(
            (ROOT / "readme" / "CONFIGURE.md").read_text(encoding="utf-8").split()
        )
        wrong = {}
        for key in sorted(keys):
            name = key.removeprefix(PARAM_PREFIX)
            position = configure.find(f"`{name}`")
            stated = position >= 0 and re.search(
                r"default ([\d,]+)", configure[position:]
            )
            if not stated or int(stated[1].replace(",", "")) != defaults[key]:
                wrong[key] = (defaults[key], stated and stated[1])
        self.assertFalse(
            wrong,
            "readme/CONFIGURE.md must give these parameters' defaults after "
            "their names (parameter: (code, docs)).",
        )

    def test_scheduled_actions_are_documented(self):
        crons = self._declared("ir.cron").with_context(lang="en_US")
        self.assertTrue(crons)
        self.assertDocumented("scheduled actions", crons.mapped("name"))

    def test_menus_are_documented(self):
        menus = self._declared("ir.ui.menu").with_context(lang="en_US")
        self.assertTrue(menus)
        self.assertDocumented("menus", menus.mapped("name"))


class TestReadme(TransactionCase):
    """README.md and readme/ are files of the tree; a TransactionCase only so
    that Odoo's runner, which skips plain unittest classes, runs it too."""

    def test_readme_is_generated_from_the_fragments(self):
        generator = _readme_generator()
        current = (ROOT / "README.md").read_text(encoding="utf-8")
        generated = generator.generate(ROOT)
        if current != generated:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                generated.splitlines(keepends=True),
                "README.md",
                "generated",
            )
            self.fail(
                "README.md is not what readme/*.md and __manifest__.py give: "
                "edit the fragments, then run `python3 tools/gen_readme.py`.\n"
                + "".join(itertools.islice(diff, 40))
            )

    def test_app_description_is_generated_from_the_fragments(self):
        """The Apps page's description repeats DESCRIPTION.md: generated
        from it too, so the two cannot tell different stories."""
        generator = _readme_generator()
        current = (ROOT / generator.INDEX_HTML).read_text(encoding="utf-8")
        self.assertEqual(
            current,
            generator.generate_index_html(ROOT),
            "static/description/index.html is not what readme/DESCRIPTION.md "
            "gives: edit the fragment, then run `python3 tools/gen_readme.py`.",
        )

    def test_readme_states_the_code_size(self):
        develop = (ROOT / "readme" / "DEVELOP.md").read_text(encoding="utf-8")
        stated = re.search(r"hold ([\d,]+) lines of Python", " ".join(develop.split()))
        self.assertTrue(stated, "readme/DEVELOP.md states no line count")
        # As `wc -l models/*.py wizards/*.py` counts them: newlines.
        lines = sum(
            path.read_bytes().count(b"\n")
            for folder in ("models", "wizards")
            for path in (ROOT / folder).glob("*.py")
        )
        self.assertEqual(
            int(stated.group(1).replace(",", "")),
            lines,
            f"readme/DEVELOP.md states {stated.group(1)} lines of Python in "
            f"models/ and wizards/, they hold {lines:,}: correct it, then run "
            "`python3 tools/gen_readme.py`.",
        )
