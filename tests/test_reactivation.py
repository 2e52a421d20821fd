"""One rule for bringing a customer back: unarchiving a trashed customer is a
restore, unarchiving a merged one is refused with the way out (the undo),
through every path the web client and XML-RPC use."""

from odoo.exceptions import AccessError, UserError

from .common_security import SecurityCase

History = "customer.ownership.history"

# How Odoo unarchives: Action > Unarchive in the list and the form call
# action_unarchive; toggle_active and a plain write are public too.
PATHS = (
    ("action_unarchive", ()),
    ("toggle_active", ()),
    ("write", ({"active": True},)),
)


class TestUnarchiveTrashedIsRestore(SecurityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.customers_huber[0]
        cls.report = cls.env["customer.visit.report"].create(
            {"partner_id": cls.customer.id, "summary": "Visit"}
        )

    def test_every_path_restores(self):
        for method, args in PATHS:
            for name, call in self._callers():
                with self.subTest(via=name, path=method):
                    self.customer.with_user(self.huber).action_trash()
                    self.assertFalse(self.report.active)
                    call(self.huber, "res.partner", method, self.customer.ids, *args)
                    self.assertRecordValues(
                        self.customer,
                        [{"active": True, "trashed_at": False, "trashed_by_id": False}],
                    )
                    # What Restore does: linked records back, chatter note.
                    self.assertTrue(self.report.active)
                    self.assertIn(
                        "Restored from trash by Test Huber",
                        self.customer.message_ids[:1].body,
                    )

    def test_restore_checks_hold(self):
        self.customer.with_user(self.huber).action_trash()
        for method, args in PATHS:
            with self.subTest(path=method), self.assertRaises(AccessError):
                self._rpc(self.maier, "res.partner", method, self.customer.ids, *args)
        self.assertTrue(self.customer.trashed_at)
        self.assertFalse(self.customer.active)

    def test_archived_without_trash_unarchives_as_in_odoo(self):
        plain = self.Partner.create({"name": "Plain", "user_id": self.huber.id})
        for method, args in PATHS:
            with self.subTest(path=method):
                plain.action_archive()
                self._rpc(self.contact_manager, "res.partner", method, plain.ids, *args)
                self.assertTrue(plain.active)
        self.assertFalse(plain.message_ids.filtered(lambda m: "Restored" in m.body))


class TestMergedCustomerComesBackOnlyByUndo(SecurityCase):
    def _merge(self):
        source, target = self.customers_huber[:2]
        self.env["customer.merge.wizard"].with_user(self.sales_manager).create(
            {"source_partner_id": source.id, "target_partner_id": target.id}
        ).action_merge()
        log = self.env["customer.merge.log"].search(
            [("source_partner_id", "=", source.id)]
        )
        return source, target, log

    def test_unarchive_refused_with_the_way_out(self):
        source, _target, _log = self._merge()
        for method, args in PATHS:
            for name, call in self._callers():
                with (
                    self.subTest(via=name, path=method),
                    self.assertRaisesRegex(UserError, "undoing the merge"),
                ):
                    call(self.sales_manager, "res.partner", method, source.ids, *args)
        self.assertFalse(source.active)

    def test_no_trash_transfer_or_restore_of_a_merged_customer(self):
        source, _target, log = self._merge()
        calls = (
            ("action_trash", ()),
            ("action_restore", ()),
            ("_transfer_customers", (self.maier,)),
        )
        for method, args in calls:
            with (
                self.subTest(method=method),
                self.assertRaisesRegex(UserError, "Undo the merge"),
            ):
                getattr(source.with_user(self.sales_manager), method)(*args)
        self.assertFalse(source.trashed_at)
        self.assertEqual(source.user_id, self.huber)
        wizard = (
            self.env["customer.transfer.wizard"]
            .with_user(self.sales_manager)
            .create(
                {"partner_ids": [(6, 0, source.ids)], "target_user_id": self.maier.id}
            )
        )
        with self.assertRaisesRegex(UserError, "Undo the merge"):
            wizard.action_transfer()
        # The undo leaves the customer exactly as before its merge.
        log.with_user(self.sales_manager).action_undo()
        self.assertRecordValues(
            source,
            [
                {
                    "active": True,
                    "trashed_at": False,
                    "trashed_by_id": False,
                    "merged_into_id": False,
                    "merged_at": False,
                    "external_ref": "H001",
                    "user_id": self.huber.id,
                }
            ],
        )

    def test_refusal_names_the_kept_customer_only_to_who_may_read_it(self):
        source, target, _log = self._merge()
        # The kept customer changed hands since; Huber, restricted to his
        # own customers, still holds the merged one.
        target.sudo()._transfer_customers(self.maier)
        self.huber.restrict_to_own_customers = True
        self.assertFalse(target.with_user(self.huber).has_access("read"))
        for method, args in PATHS:
            with (
                self.subTest(path=method),
                self.assertRaisesRegex(UserError, "customer you cannot see") as caught,
            ):
                self._rpc(self.huber, "res.partner", method, source.ids, *args)
            self.assertNotIn(target.name, str(caught.exception))
        self.huber.restrict_to_own_customers = False
        with self.assertRaisesRegex(UserError, target.name):
            self._rpc(self.huber, "res.partner", "write", source.ids, {"active": True})
