"""The rules in the states where bugs hide: an archived company's partner, a
trashed customer with history, a merge the purge expired, the archived copy a
transfer leaves behind, another salesperson's archived customer. Each test
here failed on a mutant the main-path tests let through (tests/README.md)."""

from odoo import fields
from odoo.exceptions import AccessError, UserError

from .common_merge import CustomerMergeCase
from .common_security import SecurityCase


class TestArchivedCompanyPartnerIsNotMergedAway(SecurityCase):
    def test_partner_of_an_archived_company_is_refused(self):
        company = self.env["res.company"].create({"name": "Dormant Company"})
        partner = company.partner_id
        # Same company as the twin, so that no other rule refuses first.
        partner.company_id = False
        company.active = False
        twin = self.Partner.create({"name": "Dormant Company Ltd"})
        for name, call in self._callers():
            for user in (self.sales_manager, self.admin):
                with self.subTest(via=name, user=user.login):
                    wizard_id = self._merge_wizard_via(call, user, partner, twin)
                    with self.assertRaisesRegex(UserError, "partner of company"):
                        call(user, "customer.merge.wizard", "action_merge", [wizard_id])
        self.assertTrue(partner.exists())
        self.assertFalse(partner.with_context(active_test=False).merged_into_id)


class TestHistoryKeepsEveryStateFromDelete(SecurityCase):
    """The history check reads every customer, not only active ones."""

    def _with_report(self, name):
        customer = self.Partner.create({"name": name, "user_id": self.huber.id})
        self.env["customer.visit.report"].create(
            {"partner_id": customer.id, "user_id": self.huber.id, "summary": "Visit"}
        )
        return customer

    def test_trashed_and_archived_customers_with_visit_reports_are_kept(self):
        trashed = self._with_report("Trashed With Report")
        trashed.action_trash()
        # The trash archives the reports with the customer: the check must
        # count archived reports too.
        self.assertFalse(trashed.visit_report_ids)
        archived = self._with_report("Archived With Report")
        archived.action_archive()
        for customer in (trashed, archived):
            for name, call in self._callers():
                with self.subTest(customer=customer.name, via=name):
                    with self.assertRaisesRegex(UserError, "Customers with history"):
                        call(self.admin, "res.partner", "unlink", customer.ids)
                    self.assertTrue(customer.exists())


class TestExpiredMergeStaysExpired(CustomerMergeCase):
    def test_merge_kept_by_the_purge_cannot_be_undone(self):
        source, target = self._pair()
        log = self._expired_merge_log(source, target)

        self.assertTrue(source.exists(), "kept: a business document refers to it")
        self.assertEqual(log.state, "expired")
        self.assertFalse(source.with_context(active_test=False).merged_at)
        with self.assertRaisesRegex(UserError, "can no longer be undone"):
            log.with_user(self.sales_manager).action_undo()
        self.assertFalse(source.with_context(active_test=False).active)
        self.assertEqual(log.state, "expired")


class TestLeftBehindCopyIsArchived(SecurityCase):
    def test_previous_owner_gets_no_active_duplicate(self):
        customer = self.customers_huber[0]
        self._add_history(customer, self.huber, fields.Datetime.now())
        reports = customer.visit_report_ids
        # Visit reports do not follow: they stay on a copy of Huber's.
        customer.with_user(self.sales_manager)._transfer_customers(
            self.maier, mode="move", kinds={"tasks", "appointments"}
        )
        copy = reports.with_context(active_test=False).partner_id
        self.assertEqual(len(copy), 1)
        self.assertNotEqual(copy, customer)
        self.assertRecordValues(
            copy.with_context(active_test=False),
            [{"active": False, "user_id": self.huber.id, "external_ref": False}],
        )
        Partner = self.Partner.with_user(self.huber)
        self.assertFalse(
            Partner.search(
                [("name", "=", customer.name), ("user_id", "=", self.huber.id)]
            )
        )
        self.assertEqual(customer.user_id, self.maier)


class TestOtherAgentsArchivedCustomerIsOutOfPlay(SecurityCase):
    def test_import_creates_a_new_customer_and_leaves_the_archived_one(self):
        archived = self.customer_maier
        archived.action_archive()
        for transfer_mode in ("move", "copy"):
            with self.subTest(transfer_mode=transfer_mode):
                savepoint = self.env.cr.savepoint()
                wizard = self._import(
                    self.transfer_user,
                    self._csv([("M001", "From The File", "", "", "")]),
                    transfer_mode=transfer_mode,
                )
                self.assertEqual(wizard.line_ids.action, "create")
                self.assertFalse(wizard.count_transfer)
                self.assertRecordValues(
                    archived.with_context(active_test=False),
                    [{"user_id": self.maier.id, "active": False}],
                )
                created = self.Partner.with_user(self.transfer_user).search(
                    [("external_ref", "=", "M001")]
                )
                self.assertEqual(created.name, "From The File")
                self.assertTrue(created.active)
                savepoint.close(rollback=True)


class TestClearingTheSalesperson(SecurityCase):
    """Taking a customer away from its salesperson (no salesperson at all)
    needs the transfer right: the roles on each side of it."""

    def test_roles_each_side_of_the_transfer_right(self):
        customer = self.customers_huber[0]
        refused = (self.huber, self.maier, self.contact_manager)
        allowed = (self.transfer_user, self.sales_manager)
        for name, call in self._callers():
            for user in refused:
                with self.subTest(via=name, user=user.login, may=False):
                    with self.assertRaisesRegex(
                        AccessError, "Transfer customers between salespeople"
                    ):
                        call(
                            user,
                            "res.partner",
                            "write",
                            customer.ids,
                            {"user_id": False},
                        )
                    self.assertEqual(customer.user_id, self.huber)
            for user in allowed:
                with self.subTest(via=name, user=user.login, may=True):
                    savepoint = self.env.cr.savepoint()
                    call(user, "res.partner", "write", customer.ids, {"user_id": False})
                    self.assertFalse(customer.user_id)
                    savepoint.close(rollback=True)
                    customer.invalidate_recordset()
