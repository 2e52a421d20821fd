from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form

from .common_security import SecurityCase

History = "customer.ownership.history"


class TestSalespersonChangeIsATransfer(SecurityCase):
    """Changing the salesperson of a customer that has one goes through the
    transfer engine, however it is done; setting one where there was none
    stays free."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.customers_huber[0]
        cls._add_history(cls.customer, cls.huber, fields.Datetime.now())

    def _history(self, customer):
        return self.env[History].search([("partner_id", "=", customer.id)])

    def test_without_the_transfer_right_it_is_refused(self):
        for name, call in self._callers():
            for user in (self.huber, self.maier, self.contact_manager):
                target = self.maier if user == self.huber else user
                with (
                    self.subTest(via=name, user=user.login),
                    self.assertRaisesRegex(
                        AccessError, "Transfer customers between salespeople"
                    ),
                ):
                    call(
                        user,
                        "res.partner",
                        "write",
                        self.customer.ids,
                        {"user_id": target.id},
                    )
        self.assertEqual(self.customer.user_id, self.huber)
        self.assertFalse(self._history(self.customer))

    def test_taking_the_salesperson_away_needs_the_right(self):
        for name, call in self._callers():
            with (
                self.subTest(via=name),
                self.assertRaisesRegex(
                    AccessError, "Transfer customers between salespeople"
                ),
            ):
                call(
                    self.maier,
                    "res.partner",
                    "write",
                    self.customer.ids,
                    {"user_id": False},
                )
        self.assertEqual(self.customer.user_id, self.huber)
        self._rpc(
            self.transfer_user,
            "res.partner",
            "write",
            self.customer.ids,
            {"user_id": False},
        )
        self.assertFalse(self.customer.user_id)

    def _assert_transferred(self, customer, target, by):
        self.assertEqual(customer.user_id, target)
        history = self._history(customer)
        self.assertEqual(len(history), 1)
        self.assertEqual(
            (history.mode, history.origin, history.from_user_id, history.to_user_id),
            ("move", "manual", self.huber, target),
        )
        self.assertEqual(history.user_id, by)
        self.assertEqual(history.visit_report_count, 2)
        self.assertEqual(history.visit_block_count, 1)
        self.assertEqual(history.activity_count, 1)
        self.assertEqual(history.event_count, 1)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", customer.id)]
        )
        self.assertEqual(activities.user_id, target)
        self.assertIn(
            "Transferred from Test Huber to",
            customer.message_ids[:1].body,
        )

    def test_write_over_rpc_is_a_transfer(self):
        self._rpc(
            self.transfer_user,
            "res.partner",
            "write",
            self.customer.ids,
            {"user_id": self.maier.id, "phone": "+43 1 234"},
        )
        self._assert_transferred(self.customer, self.maier, self.transfer_user)
        self.assertEqual(self.customer.phone, "+43 1 234")

    def test_form_is_a_transfer(self):
        with Form(self.customer.with_user(self.sales_manager)) as form:
            form.user_id = self.maier
        self._assert_transferred(self.customer, self.maier, self.sales_manager)

    def test_list_mass_edit_is_a_transfer(self):
        customers = self.customers_huber[:3]
        free = self.Partner.create({"name": "Nobody's customer"})
        mine = self.Partner.create(
            {"name": "Already Maier's", "user_id": self.maier.id}
        )
        self._rpc(
            self.sales_manager,
            "res.partner",
            "write",
            (customers | free | mine).ids,
            {"user_id": self.maier.id},
        )
        self.assertEqual((customers | free | mine).user_id, self.maier)
        self.assertEqual(
            len(self.env[History].search([("partner_id", "in", customers.ids)])), 3
        )
        self.assertFalse(self._history(free) or self._history(mine))
        self._assert_transferred(self.customer, self.maier, self.sales_manager)

    def test_setting_a_first_salesperson_stays_free(self):
        free = self.Partner.create({"name": "Walk-in customer"})
        for name, call in self._callers():
            with self.subTest(via=name):
                free.user_id = False
                call(
                    self.huber,
                    "res.partner",
                    "write",
                    free.ids,
                    {"user_id": self.huber.id},
                )
                self.assertEqual(free.user_id, self.huber)
        created = self._rpc(
            self.huber,
            "res.partner",
            "create",
            {"name": "New", "user_id": self.maier.id},
        )
        self.assertEqual(self.Partner.browse(created).user_id, self.maier)
        self.assertFalse(self._history(free))

    def test_unchanged_salesperson_is_no_transfer(self):
        self._rpc(
            self.huber,
            "res.partner",
            "write",
            self.customer.ids,
            {"user_id": self.huber.id},
        )
        self.assertFalse(self._history(self.customer))

    def test_import_and_engine_keep_working(self):
        data = self._csv([("H001", self.customer.name, "", "", "")])
        self._import(
            self.transfer_user,
            data,
            user_id=self.transfer_user.id,
            transfer_mode="move",
        )
        self.assertEqual(self.customer.user_id, self.transfer_user)
        self.assertEqual(self._history(self.customer).origin, "import")
        self.customers_huber[1].with_user(self.transfer_user)._transfer_customers(
            self.maier
        )
        self.assertEqual(self.customers_huber[1].user_id, self.maier)
