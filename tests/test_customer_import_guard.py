import base64

from odoo.exceptions import UserError
from odoo.tests import Form

from ..compat import call_kw
from .import_common import CustomerImportCase


class TestMassTrashGuard(CustomerImportCase):
    """An update_delete import that would trash more of the salesperson's
    customers than the limits allow needs confirming; the preview says so."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = cls._rows_of(cls.customers_huber)

    def _set_param(self, key, value):
        self.env["ir.config_parameter"].set_param(
            f"crm_customer_ownership.import_{key}", str(value)
        )

    def _trashed(self):
        return self.customers_huber.filtered("trashed_at")

    def _assert_guarded(self, data, count, total):
        """Preview warns, import refuses and writes nothing, import with the
        confirmation trashes."""
        wizard = self._preview(self.huber, data, import_mode="update_delete")
        self.assertEqual(wizard.count_trash, count)
        self.assertIn(
            f"Customers of Test Huber this import would move to the trash: "
            f"{count} ({round(count * 100 / total)}% of {total})",
            wizard.mass_trash_warning,
        )
        before = self._table_state()
        with self.assertRaisesRegex(UserError, "Nothing was imported. Customers of"):
            wizard.action_import()
        self.assertEqual(self._table_state(), before)
        wizard.confirm_mass_trash = True
        wizard.action_import()
        self.assertEqual(len(self._trashed()), count)

    def test_header_only_file_trashes_nothing_unconfirmed(self):
        self._assert_guarded(self._csv([]), 5, 5)

    def test_share_parameter(self):
        # Two of five (40 %) pass the default of 50 %...
        wizard = self._preview(
            self.huber, self._csv(self.rows[:3]), import_mode="update_delete"
        )
        self.assertEqual(wizard.count_trash, 2)
        self.assertFalse(wizard.mass_trash_warning)
        # ...not a limit of 30 %.
        self._set_param("max_trash_share", 30)
        self._assert_guarded(self._csv(self.rows[:3]), 2, 5)

    def test_count_parameter(self):
        self._set_param("max_trash_share", 100)
        self._set_param("max_trash", 1)
        self._assert_guarded(self._csv(self.rows[:3]), 2, 5)

    def test_within_limits_imports_without_confirmation(self):
        self._import(self.huber, self._csv(self.rows[:4]), import_mode="update_delete")
        self.assertEqual(len(self._trashed()), 1)

    def test_xmlrpc_client_confirms(self):
        Wizard = self.env["customer.import.wizard"].with_user(self.huber)
        vals = {
            "file": base64.b64encode(self._csv([])),
            "filename": "c.csv",
            "import_mode": "update_delete",
        }
        wizard_id = call_kw(Wizard, "create", [vals], {})
        with self.assertRaisesRegex(UserError, "confirm the mass trash"):
            call_kw(Wizard, "action_import", [[wizard_id]], {})
        self.assertFalse(self._trashed())
        wizard_id = call_kw(Wizard, "create", [dict(vals, confirm_mass_trash=True)], {})
        call_kw(Wizard, "action_import", [[wizard_id]], {})
        self.assertEqual(len(self._trashed()), 5)

    def test_preview_shows_warning_and_checkbox(self):
        wizard = self._preview(self.huber, self._csv([]), import_mode="update_delete")
        form = Form(wizard.with_user(self.huber))
        self.assertIn("5 (100% of 5)", form.mass_trash_warning)
        form.confirm_mass_trash = True
        form.save().action_import()
        self.assertEqual(len(self._trashed()), 5)
