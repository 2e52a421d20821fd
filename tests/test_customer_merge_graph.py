from odoo.exceptions import UserError

from .common_merge import CustomerMergeCase


class TestCustomerMergeGraph(CustomerMergeCase):
    """Merges cannot loop or chain: neither customer of a merge is merged,
    archived or in the trash, and the merge log outlives both customers."""

    def assertRefused(self, source, target, fragment):
        before = self._snapshot(source, target)
        with self.assertRaisesRegex(UserError, fragment):
            self._merge(source, target)
        self.assertEqual(self._snapshot(source, target), before)

    def test_circle_refused(self):
        a, b = self._pair()
        self._merge(a, b)
        self.assertRefused(b, a, "Wrong Customer was itself merged into Right Customer")
        self.assertMergedAway(a, b)
        self.assertTrue(b.active)

    def test_merge_into_a_merged_customer_refused(self):
        a, b = self._pair()
        c = self._customer("Third Customer")
        self._merge(a, b)
        self.assertRefused(c, a, "merge into Right Customer instead")

    def test_one_customer_into_two_refused(self):
        a, b = self._pair()
        c = self._customer("Third Customer")
        self._merge(a, b)
        self.assertRefused(a, c, "was itself merged into Right Customer")
        log = self.env["customer.merge.log"].search([("source_partner_id", "=", a.id)])
        log.action_undo()
        self.assertEqual(log.state, "undone")

    def test_archived_customer_refused_both_ways(self):
        a, b = self._pair()
        b.action_archive()
        self.assertRefused(a, b, "Right Customer is archived")
        self.assertRefused(b, a, "Right Customer is archived")

    def test_trashed_customer_refused_both_ways(self):
        a, b = self._pair()
        b.with_user(self.sales_manager).action_trash()
        self.assertRefused(a, b, "Right Customer is in the trash")
        self.assertRefused(b, a, "Right Customer is in the trash")

    def test_log_survives_the_purge_of_the_right_customer(self):
        a, b = self._pair(
            {"company_id": self.company.id},
            {"company_id": self.company.id, "external_ref": "K-7"},
        )
        self._merge(a, b)
        log = self.env["customer.merge.log"].search([("source_partner_id", "=", a.id)])
        b_id = b.id
        b.with_user(self.sales_manager).action_trash()
        self._age("trashed_at", b)
        self.Partner._cron_purge_trash()

        self.assertFalse(b.exists())
        self.assertTrue(log.exists())
        self.assertRecordValues(
            log,
            [
                {
                    "state": "expired",
                    "target_partner_id": False,
                    "target_partner_ref": b_id,
                    "target_name": "Right Customer [K-7]",
                    "source_partner_ref": a.id,
                    "source_name": "Wrong Customer",
                    "company_id": self.company.id,
                }
            ],
        )
        with self.assertRaisesRegex(
            UserError, "Right Customer \\[K-7\\] was deleted when the trash"
        ):
            log.action_undo()

    def test_log_survives_the_purge_of_the_merged_customer(self):
        a, b = self._pair()
        self._merge(a, b)
        log = self.env["customer.merge.log"].search([("source_partner_id", "=", a.id)])
        a_id = a.id
        self._age("merged_at", a)
        self.Partner._cron_purge_trash()

        self.assertFalse(a.exists())
        self.assertRecordValues(
            log,
            [
                {
                    "state": "expired",
                    "source_partner_id": False,
                    "source_partner_ref": a_id,
                    "target_partner_id": b.id,
                }
            ],
        )


class TestMergeLeavesOthersWizards(CustomerMergeCase):
    """A merge rewrites the merging user's own pending wizards, never other
    users': a transfer prepared for the wrong customer does not silently
    transfer the right one."""

    def _transfer_wizard(self, user, partner):
        return (
            self.env["customer.transfer.wizard"]
            .with_user(user)
            .create(
                {"partner_ids": [(6, 0, partner.ids)], "target_user_id": self.maier.id}
            )
        )

    def test_other_users_transfer_wizard_untouched(self):
        a, b = self._pair()
        theirs = self._transfer_wizard(self.transfer_user, a)
        own = self._transfer_wizard(self.sales_manager, a)
        self._merge(a, b, user=self.sales_manager)
        self.env.invalidate_all()
        self.assertEqual(theirs.partner_ids.with_context(active_test=False), a)
        self.assertEqual(own.partner_ids, b)
