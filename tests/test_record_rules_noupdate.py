"""The module's record rules are noupdate, as Odoo's and the OCA's are: an
update keeps a database's own changes; the 2.0.1 migration brings databases
installed before it to the same state."""

import importlib.util

from odoo.tests import TransactionCase
from odoo.tools.misc import file_path

MODULE = "crm_customer_ownership"


class TestRecordRulesNoupdate(TransactionCase):
    def _rule_xmlids(self):
        return self.env["ir.model.data"].search(
            [("module", "=", MODULE), ("model", "=", "ir.rule")]
        )

    def test_rules_are_noupdate_and_groups_are_not(self):
        rules = self._rule_xmlids()
        self.assertTrue(rules)
        self.assertEqual(set(rules.mapped("noupdate")), {True})
        groups = self.env["ir.model.data"].search(
            [("module", "=", MODULE), ("model", "=", "res.groups")]
        )
        self.assertEqual(set(groups.mapped("noupdate")), {False})

    def test_migration_makes_updatable_rules_noupdate(self):
        rules = self._rule_xmlids()
        self.env.cr.execute(
            "UPDATE ir_model_data SET noupdate = FALSE WHERE id = ANY(%s)", [rules.ids]
        )
        self.env.invalidate_all()
        spec = importlib.util.spec_from_file_location(
            "post_migrate", file_path(f"{MODULE}/migrations/2.0.1/post-migrate.py")
        )
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.2.0.0")
        self.env.invalidate_all()
        self.assertEqual(set(rules.mapped("noupdate")), {True})
