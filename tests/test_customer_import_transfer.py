from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError

from ..compat import USER_GROUPS_FIELD
from ..models.customer_linked_records import CHOOSABLE_KINDS
from .import_common import CustomerImportCase

NOW = datetime(2026, 5, 4, 9, 0, 0)


@freeze_time(NOW)
class TestCustomerImportTransfer(CustomerImportCase):
    """Imports that find customers of other salespeople and transfer them
    through the transfer engine, in both transfer modes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Maier may transfer: the territory split hands him Huber's customers.
        cls.maier[USER_GROUPS_FIELD] += cls.env.ref(
            "crm_customer_ownership.group_customer_transfer"
        )
        for customer in cls.customers_huber:
            cls._add_history(customer, cls.huber, NOW)
        cls.maier_rows = cls._rows_of(cls.customers_huber | cls.customer_maier)

    def _activities(self, customers):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", customers.ids)]
        )

    def _events(self, customers):
        return self.env["calendar.event"].search([("partner_ids", "in", customers.ids)])

    def _history(self, customers):
        return self.env["customer.ownership.history"].search(
            [("partner_id", "in", customers.ids)]
        )

    def _maier_customers(self, active_test=True):
        return self.Partner.with_context(active_test=active_test).search(
            [("user_id", "=", self.maier.id)]
        )

    # ------------------------------------------------------------------
    # The lookup table, in both transfer modes
    # ------------------------------------------------------------------

    def _lookup_table(self, mode):
        """One file holding a row of each kind of the lookup order."""
        own_trashed = self.Partner.create(
            {"name": "Maier Trashed", "external_ref": "M002", "user_id": self.maier.id}
        )
        own_trashed.action_trash()
        h1, h2 = self.customers_huber[:2]
        h2.action_trash()
        rows = [
            ("M001", "Maier Customer Updated", "", "", ""),
            ("M002", "Maier Trashed Updated", "", "", ""),
            ("H001", "Huber Customer 1 Updated", "", "Salzburg", "AT"),
            ("H002", "Huber Customer 2 Updated", "", "", ""),
            ("N001", "Brand New", "", "", ""),
        ]
        data = self._csv(rows)
        preview = self._preview(self.maier, data, transfer_mode=mode)
        by_key = {line.key: line for line in preview.line_ids}
        self.assertEqual(by_key["M001"].action, "update")
        self.assertEqual(by_key["M002"].action, "restore")
        self.assertEqual(by_key["H001"].action, "transfer")
        self.assertEqual(by_key["H001"].from_user_id, self.huber)
        self.assertFalse(by_key["H001"].from_trash)
        self.assertEqual(by_key["H002"].action, "transfer")
        self.assertTrue(by_key["H002"].from_trash)
        self.assertEqual(by_key["N001"].action, "create")
        self.assertEqual(preview.count_transfer, 2)
        self.assertEqual(preview.transfer_summary, "Test Huber: 2")

        wizard = self._import(self.maier, data, transfer_mode=mode)
        result = {line.key: line.partner_id for line in wizard.line_ids}
        self.assertEqual(result["M001"], self.customer_maier)
        self.assertEqual(self.customer_maier.name, "Maier Customer Updated")
        self.assertEqual(result["M002"], own_trashed)
        self.assertTrue(own_trashed.active)
        self.assertFalse(own_trashed.trashed_at)
        self.assertEqual(own_trashed.name, "Maier Trashed Updated")
        self.assertEqual(result["N001"].user_id, self.maier)
        for key in ("H001", "H002"):
            partner = result[key]
            self.assertEqual(partner.user_id, self.maier)
            self.assertTrue(partner.active)
            self.assertFalse(partner.trashed_at)
            self.assertEqual(partner.external_ref, key)
            self.assertTrue(partner.name.endswith("Updated"))
            self.assertEqual(len(partner.visit_report_ids), 2)
            history = self._history(partner)
            self.assertEqual(len(history), 1)
            self.assertEqual(
                (history.from_user_id, history.to_user_id, history.mode),
                (self.huber, self.maier, mode),
            )
            self.assertEqual(history.origin, "import")
        self.assertEqual(result["H001"].city, "Salzburg")
        self.assertEqual(wizard.log_id.count_transfer, 2)
        self.assertEqual(wizard.log_id.transfer_mode, mode)
        return result, h1, h2

    def test_log_says_what_followed(self):
        """The log names the kinds transferred customers brought along, by
        the labels of the wizard's boxes; none when every box was off."""
        wizard = self._import(
            self.maier,
            self._csv(self.maier_rows),
            transfer_mode="move",
            transfer_tasks=False,
            transfer_appointments=False,
            transfer_opportunities=False,
            transfer_contacts=False,
        )
        self.assertEqual(
            wizard.log_id.transfer_kinds_summary, "Visit Reports, Visit Blocks"
        )
        Log = self.env["customer.import.log"]
        self.assertEqual(
            Log.new({"transfer_kinds": {"kinds": []}}).transfer_kinds_summary, "None"
        )
        self.assertEqual(Log.new({}).transfer_kinds_summary, "The company's default")

    def test_lookup_table_move(self):
        result, h1, h2 = self._lookup_table("move")
        self.assertEqual(result["H001"], h1, "a move keeps the customer itself")
        self.assertEqual(result["H002"], h2)

    def test_lookup_table_copy(self):
        result, h1, h2 = self._lookup_table("copy")
        self.assertNotEqual(result["H001"], h1, "a copy is a new customer")
        self.assertEqual(h1.user_id, self.huber)
        self.assertEqual(h1.name, "Huber Customer 1", "the original is untouched")
        self.assertTrue(h1.active)
        self.assertEqual(len(h1.visit_report_ids), 2)
        self.assertNotEqual(result["H002"], h2)
        self.assertTrue(h2.trashed_at, "Huber's trashed original stays trashed")

    # ------------------------------------------------------------------
    # The seed scenario: the territory split
    # ------------------------------------------------------------------

    def test_seed_scenario_move_keeps_all_history(self):
        customers = self.customers_huber
        wizard = self._import(
            self.maier,
            self._csv(self.maier_rows),
            transfer_mode="move",
            import_mode="update_delete",
        )
        self.assertEqual((wizard.count_transfer, wizard.count_unchanged), (5, 1))
        self.assertEqual(customers.user_id, self.maier)
        self.assertEqual(len(customers.visit_report_ids), 10)
        self.assertEqual(customers.visit_report_ids.user_id, self.huber)
        self.assertEqual(len(customers.visit_block_ids), 5)
        self.assertEqual(self._activities(customers).user_id, self.maier)
        self.assertEqual(len(self._activities(customers)), 5)
        self.assertEqual(self._events(customers).user_id, self.maier)
        history = self._history(customers)
        self.assertEqual(len(history), 5)
        self.assertEqual(sum(history.mapped("visit_report_count")), 10)
        for customer in customers:
            self.assertTrue(
                customer.message_ids.filtered(lambda m: "Test Maier" in m.body),
                "the engine writes a chatter message on each transferred customer",
            )
        # Huber's own import no longer lists them: nothing of his to trash.
        wizard = self._import(
            self.huber, self._csv([]), import_mode="update_delete", transfer_mode="none"
        )
        self.assertEqual(wizard.count_trash, 0)
        self.assertTrue(all(customers.mapped("active")))

    def test_seed_scenario_copy_leaves_huber_intact(self):
        customers = self.customers_huber
        self._import(self.maier, self._csv(self.maier_rows), transfer_mode="copy")
        self.assertEqual(customers.user_id, self.huber)
        self.assertEqual(len(customers.visit_report_ids), 10)
        self.assertEqual(self._activities(customers).user_id, self.huber)
        self.assertEqual(len(self._events(customers)), 5)
        copies = self._maier_customers() - self.customer_maier
        self.assertEqual(len(copies), 5)
        self.assertEqual(
            sorted(copies.mapped("external_ref")),
            sorted(customers.mapped("external_ref")),
        )
        self.assertEqual(len(copies.visit_report_ids), 10)
        self.assertEqual(len(copies.visit_block_ids), 5)
        self.assertEqual(self._history(copies).mapped("mode"), ["copy"] * 5)

    def test_seed_scenario_none_creates_blanks_and_huber_trashes_his(self):
        customers = self.customers_huber
        preview = self._preview(self.maier, self._csv(self.maier_rows))
        self.assertEqual(preview.count_without_history, 5)
        self.assertEqual(preview.count_create, 5)
        self._import(self.maier, self._csv(self.maier_rows))
        blanks = self._maier_customers() - self.customer_maier
        self.assertEqual(len(blanks), 5)
        self.assertFalse(blanks.visit_report_ids, "blanks come without history")
        self.assertFalse(self._history(blanks | customers))
        self.assertEqual(customers.user_id, self.huber)
        wizard = self._import(
            self.huber,
            self._csv([]),
            import_mode="update_delete",
            confirm_mass_trash=True,
        )
        self.assertEqual(wizard.count_trash, 5)
        self.assertTrue(all(customers.mapped("trashed_at")))
        self.assertEqual(
            len(customers.with_context(active_test=False).visit_report_ids), 10
        )

    # ------------------------------------------------------------------
    # Order independence
    # ------------------------------------------------------------------

    def _final_state(self):
        partners = self.Partner.with_context(active_test=False).search(
            [("external_ref", "in", ["H001", "H002", "H003", "H004", "H005", "M001"])]
        )
        return sorted(
            (
                p.external_ref,
                p.user_id.login,
                p.active,
                bool(p.trashed_at),
                len(p.with_context(active_test=False).visit_report_ids),
                len(self._activities(p)),
            )
            for p in partners
        )

    def test_order_independence(self):
        maier_file = self._csv(self.maier_rows)
        huber_file = self._csv([])
        with self.env.cr.savepoint() as savepoint:
            self._import(self.maier, maier_file, transfer_mode="move")
            self._import(
                self.huber,
                huber_file,
                import_mode="update_delete",
                confirm_mass_trash=True,
            )
            maier_first = self._final_state()
            savepoint.rollback()
        self.env.invalidate_all()
        self._import(
            self.huber, huber_file, import_mode="update_delete", confirm_mass_trash=True
        )
        self.assertTrue(all(self.customers_huber.mapped("trashed_at")))
        wizard = self._import(self.maier, maier_file, transfer_mode="move")
        self.assertEqual(wizard.count_transfer, 5)
        self.assertTrue(all(self._lines(wizard, "transfer").mapped("from_trash")))
        huber_first = self._final_state()
        self.assertEqual(huber_first, maier_first)
        self.assertEqual(
            [state[1:4] for state in huber_first], [("t_maier", True, False)] * 6
        )

    # ------------------------------------------------------------------
    # Preview, atomicity, refusals with transfers
    # ------------------------------------------------------------------

    def test_preview_with_transfers_writes_nothing(self):
        self.customers_huber[4].action_trash()
        before = self._table_state()
        for mode in ("move", "copy"):
            preview = self._preview(
                self.maier,
                self._csv(self.maier_rows),
                transfer_mode=mode,
                import_mode="update_delete",
            )
            self.assertEqual(preview.count_transfer, 5)
            self.assertEqual(preview.transfer_summary, "Test Huber: 5")
            lines = self._lines(preview, "transfer")
            self.assertEqual(lines.from_user_id, self.huber)
            self.assertEqual(lines.partner_id, self.customers_huber)
        self.assertEqual(self._table_state(), before)
        self.assertEqual(self.customers_huber.user_id, self.huber)

    def test_transfer_import_is_atomic(self):
        before = self._table_state()
        wizard = self._wizard(
            self.maier, self._csv(self.maier_rows), transfer_mode="move"
        )
        with (
            patch.object(
                type(self.env["customer.import"]),
                "_apply_creates",
                side_effect=UserError("boom after the transfer"),
            ),
            self.assertRaisesRegex(UserError, "boom"),
        ):
            wizard.action_import()
        self.env.invalidate_all()
        self.assertEqual(self._table_state(), before)
        self.assertEqual(self.customers_huber.user_id, self.huber)
        self.assertFalse(self._history(self.customers_huber))

    def test_key_held_by_several_salespeople_is_an_error(self):
        self.Partner.create(
            {"name": "Copy", "external_ref": "H001", "user_id": self.sales_manager.id}
        )
        before = self._table_state()
        wizard = self._preview(
            self.maier, self._csv(self.maier_rows[:1]), transfer_mode="move"
        )
        self.assertEqual(wizard.count_error, 1)
        self.assertIn("several salespeople", wizard.line_ids.message)
        with self.assertRaisesRegex(UserError, "Nothing was imported"):
            wizard.action_import()
        self.assertEqual(self._table_state(), before)

    def test_customer_out_of_reach_is_an_error(self):
        # A salesperson restricted to own customers cannot see Huber's.
        self.transfer_user.restrict_to_own_customers = True
        before = self._table_state()
        wizard = self._preview(
            self.transfer_user, self._csv(self.maier_rows[:2]), transfer_mode="move"
        )
        self.assertEqual(wizard.count_error, 2)
        self.assertIn("out of your reach", wizard.line_ids[0].message)
        with self.assertRaisesRegex(UserError, "Nothing was imported"):
            wizard.action_import()
        self.assertEqual(self._table_state(), before)
        self.assertEqual(self.customers_huber.user_id, self.huber)

    def test_transfer_by_internal_key(self):
        h1 = self.customers_huber[0]
        wizard = self._import(
            self.maier,
            self._csv([(h1.id, "By Id")], header=("id", "name")),
            key_fields="internal",
            transfer_mode="move",
        )
        self.assertEqual(wizard.count_transfer, 1)
        self.assertEqual((h1.user_id, h1.name), (self.maier, "By Id"))

    def test_transfer_without_linked_data(self):
        h1 = self.customers_huber[0]
        self._import(
            self.maier,
            self._csv(self.maier_rows[:1]),
            transfer_mode="copy",
            **dict.fromkeys((kind.flag for kind in CHOOSABLE_KINDS), False),
        )
        copy = self._maier_customers() - self.customer_maier
        self.assertEqual(copy.external_ref, h1.external_ref)
        self.assertFalse(copy.visit_report_ids)
        self.assertEqual(len(h1.visit_report_ids), 2)

    def test_sales_manager_imports_with_transfer_for_maier(self):
        wizard = self._import(
            self.sales_manager,
            self._csv(self.maier_rows),
            user_id=self.maier.id,
            transfer_mode="move",
        )
        self.assertEqual(wizard.count_transfer, 5)
        self.assertEqual(self.customers_huber.user_id, self.maier)
        self.assertEqual(
            self._history(self.customers_huber).user_id, self.sales_manager
        )
