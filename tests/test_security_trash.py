from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common_security import SecurityCase


class TestTrashFieldsOnlyByTheTrash(SecurityCase):
    """Only Move to trash, Restore, the import and the purge stamp
    trashed_at / trashed_by_id, for every user (tests/test_engine_fields.py
    holds the same for every engine-owned field)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.settings_admin = new_test_user(
            cls.env,
            login="t_settings_admin",
            name="Test Settings Admin",
            groups="base.group_user,base.group_system,sales_team.group_sale_salesman",
        )

    def test_write_of_trash_fields_is_refused(self):
        customer = self.customer_maier
        tampering = (
            {
                "active": False,
                "trashed_at": "2000-01-01",
                "trashed_by_id": self.maier.id,
            },
            {"trashed_at": "2000-01-01"},
            {"trashed_by_id": self.maier.id},
        )
        for name, call in self._callers():
            for user in (
                self.huber,
                self.maier,
                self.sales_manager,
                self.contact_manager,
            ):
                for vals in tampering:
                    with (
                        self.subTest(via=name, user=user.login, vals=vals),
                        self.assertRaisesRegex(AccessError, "Move to trash"),
                    ):
                        call(user, "res.partner", "write", customer.ids, vals)
        self.assertTrue(customer.active)
        self.assertFalse(customer.trashed_at)

    def test_create_with_trash_fields_is_refused(self):
        for name, call in self._callers():
            with self.subTest(via=name), self.assertRaises(AccessError):
                call(
                    self.huber,
                    "res.partner",
                    "create",
                    {"name": "Pre-trashed", "trashed_at": "2000-01-01"},
                )

    def test_settings_administrator_is_refused_too(self):
        customer = self.customer_maier
        customer.action_trash()
        for vals in (
            {"trashed_at": "2026-01-01 10:00:00"},
            {"trashed_at": False, "trashed_by_id": False},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self._rpc(
                    self.settings_admin, "res.partner", "write", customer.ids, vals
                )
        self.assertEqual(customer.trashed_by_id, self.env.user)
        with self.assertRaises(AccessError):
            self._rpc(
                self.settings_admin,
                "res.partner",
                "create",
                {"name": "Migrated", "active": False, "trashed_at": "2026-01-02"},
            )

    def test_archiving_alone_stays_allowed(self):
        self._rpc(
            self.huber,
            "res.partner",
            "write",
            self.customer_maier.ids,
            {"active": False},
        )
        self.assertFalse(self.customer_maier.active)
        self.assertFalse(self.customer_maier.trashed_at)


class TestTrashNeedsWhatDeletingNeeds(SecurityCase):
    def test_salesperson_trashes_and_restores_own_customer(self):
        customer = self.customers_huber[0]
        for name, call in self._callers():
            with self.subTest(via=name):
                call(self.huber, "res.partner", "action_trash", customer.ids)
                self.assertEqual(customer.trashed_by_id, self.huber)
                call(self.huber, "res.partner", "action_restore", customer.ids)
                self.assertTrue(customer.active)
                self.assertFalse(customer.trashed_at)

    def test_colleague_may_neither_trash_nor_restore(self):
        customer = self.customer_maier
        for name, call in self._callers():
            with self.subTest(via=name):
                with self.assertRaises(AccessError):
                    call(self.huber, "res.partner", "action_trash", customer.ids)
                self.assertFalse(customer.trashed_at)
        customer.with_user(self.maier).action_trash()
        for name, call in self._callers():
            with self.subTest(via=name):
                with self.assertRaises(AccessError):
                    call(self.huber, "res.partner", "action_restore", customer.ids)
                self.assertTrue(customer.trashed_at)

    def test_contact_creation_right_may_trash_and_restore(self):
        customer = self.customer_maier
        for name, call in self._callers():
            with self.subTest(via=name):
                call(self.contact_manager, "res.partner", "action_trash", customer.ids)
                self.assertEqual(customer.trashed_by_id, self.contact_manager)
                call(
                    self.contact_manager, "res.partner", "action_restore", customer.ids
                )
                self.assertFalse(customer.trashed_at)

    def test_one_foreign_customer_stops_the_whole_batch(self):
        customers = self.customers_huber[:2] | self.customer_maier
        with self.assertRaises(AccessError):
            self._rpc(self.huber, "res.partner", "action_trash", customers.ids)
        self.assertFalse(customers.filtered("trashed_at"))

    def test_import_still_trashes_and_restores(self):
        data = self._csv(self._rows_of(self.customers_huber[1:]))
        self._import(self.huber, data, import_mode="update_delete")
        self.assertEqual(self.customers_huber[0].trashed_by_id, self.huber)
        self._import(self.huber, self._csv(self._rows_of(self.customers_huber)))
        self.assertFalse(self.customers_huber[0].trashed_at)
        self.assertTrue(self.customers_huber[0].active)
