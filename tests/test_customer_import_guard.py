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

    def setUp(self):
        super().setUp()
        # Five customers: the share and count limits are tested below the
        # small-list threshold, which TestSmallListTrash tests.
        self._set_param("min_trash_guard", 0)

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


class TestSmallListTrash(CustomerImportCase):
    """Trashing at most ``import_min_trash_guard`` customers (default 20)
    needs no confirmation, whatever share of the salesperson's customers
    they are; one more does."""

    def _huber_with(self, extra):
        """Huber's customers plus ``extra`` more that a file of his five
        first customers trashes."""
        self.Partner.create(
            [
                {
                    "name": f"Small List {n}",
                    "external_ref": f"SL-{n}",
                    "user_id": self.huber.id,
                }
                for n in range(extra)
            ]
        )
        return self._csv(self._rows_of(self.customers_huber))

    def _trashed_count(self):
        return self.Partner.with_context(active_test=False).search_count(
            [("user_id", "=", self.huber.id), ("trashed_at", "!=", False)]
        )

    def test_three_losing_two_imports_without_confirmation(self):
        rows = self._rows_of(self.customers_huber)
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_max_trash_share", "50"
        )
        # Three of five kept: two (40 %) trashed; with one, four (80 %).
        self._import(self.huber, self._csv(rows[:1]), import_mode="update_delete")
        self.assertEqual(self._trashed_count(), 4)

    def test_exactly_the_threshold_needs_no_confirmation(self):
        data = self._huber_with(20)
        wizard = self._preview(self.huber, data, import_mode="update_delete")
        self.assertEqual(wizard.count_trash, 20)
        self.assertFalse(wizard.mass_trash_warning)
        wizard.action_import()
        self.assertEqual(self._trashed_count(), 20)

    def test_one_above_the_threshold_needs_confirmation(self):
        data = self._huber_with(21)
        wizard = self._preview(self.huber, data, import_mode="update_delete")
        self.assertEqual(wizard.count_trash, 21)
        self.assertIn("21 (81% of 26)", wizard.mass_trash_warning)
        with self.assertRaisesRegex(UserError, "confirm the mass trash"):
            wizard.action_import()
        self.assertEqual(self._trashed_count(), 0)

    def test_threshold_parameter(self):
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.import_min_trash_guard", "19"
        )
        wizard = self._preview(
            self.huber, self._huber_with(20), import_mode="update_delete"
        )
        self.assertIn("20 (80% of 25)", wizard.mass_trash_warning)

    def test_threshold_shown_in_settings(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.customer_import_min_trash_guard, 20)
        settings.customer_import_min_trash_guard = 5
        settings.execute()
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(
                "crm_customer_ownership.import_min_trash_guard"
            ),
            "5",
        )
