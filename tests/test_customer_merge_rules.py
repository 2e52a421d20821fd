from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common_merge import CustomerMergeCase


class TestCustomerMergeRules(CustomerMergeCase):
    """Each rule refuses with a message naming both customers and the fix,
    and a refused merge changes nothing."""

    def assertRefused(self, source, target, *fragments, user=None, error=UserError):
        before = self._snapshot(source, target)
        with self.assertRaises(error) as caught:
            self._merge(source, target, user=user)
        message = caught.exception.args[0]
        for fragment in (source.display_name, target.display_name, *fragments):
            self.assertIn(fragment, message)
        self.assertEqual(self._snapshot(source, target), before)
        return message

    def assertMerged(self, source, target, user=None):
        self._merge(source, target, user=user)
        self.assertMergedAway(source, target)
        self.assertTrue(target.active)

    # Identity -----------------------------------------------------------

    def test_customer_cannot_be_merged_into_itself(self):
        customer = self._customer("Alone")
        before = self._snapshot(customer)
        with self.assertRaisesRegex(UserError, "Alone cannot be merged into itself"):
            self._merge(customer, customer)
        self.assertEqual(self._snapshot(customer), before)

    def test_customers_of_different_companies_refused(self):
        source, target = self._pair(target_vals={"company_id": self.other_company.id})
        self.assertRefused(
            source, target, "different companies", user=self.contact_manager
        )
        source.company_id = self.other_company
        self.assertMerged(source, target, user=self.contact_manager)

    def test_company_and_its_contact_refused_both_ways(self):
        company = self._customer("Parent Company", is_company=True)
        department = self._customer("Purchasing", parent_id=company.id)
        contact = self._customer("Buyer", parent_id=department.id)
        self.assertRefused(company, contact, "detach the contact")
        self.assertRefused(contact, company, "detach the contact")
        self.assertRefused(department, company, "detach the contact")

    def test_archived_contact_still_links_the_family(self):
        company = self._customer("Parent Company", is_company=True)
        hidden = self._customer("Old Branch", parent_id=company.id, active=False)
        contact = self._customer("Buyer", parent_id=hidden.id)
        self.assertRefused(contact, company, "detach the contact")

    def test_user_partner_cannot_be_merged_away(self):
        user = new_test_user(self.env, login="t_merge_user", name="Merge User")
        customer = self._customer("Plain Customer")
        message = self.assertRefused(
            user.partner_id, customer, "t_merge_user", "own contact"
        )
        # Never the fix of merging a customer into a user's contact.
        self.assertNotIn("merge Plain Customer into", message)
        user.active = False
        self.assertRefused(user.partner_id, customer, "t_merge_user")
        # The other direction keeps the user's contact.
        self.assertMerged(customer, user.partner_id)

    def test_company_partner_refused_as_such_not_as_another_company(self):
        company_partner = self.env.company.partner_id
        customer = self._customer("Plain Customer", company_id=self.env.company.id)
        # The company's partner belongs to no company or another one: the
        # refusal still names the real rule.
        self.assertNotEqual(company_partner.company_id, customer.company_id)
        message = self.assertRefused(
            company_partner, customer, "company's own partner cannot be merged"
        )
        self.assertNotIn("different companies", message)
        self.assertNotIn("instead", message)

    def test_no_reverse_merge_proposed_into_a_users_contact(self):
        user = new_test_user(self.env, login="t_merge_kept", name="Kept User")
        user.partner_id.company_id = False
        synced = self._customer("Synced Customer", is_synced=True)
        message = self.assertRefused(
            synced, user.partner_id, "never merged away", "another right customer"
        )
        self.assertNotIn("instead", message)
        # A plain customer as the right one: the reverse is proposed.
        plain = self._customer("Plain Customer")
        self.assertRefused(
            synced, plain, "merge Plain Customer into Synced Customer instead"
        )

    def test_customer_in_the_trash_refused_both_ways(self):
        source, target = self._pair()
        source.action_trash()
        self.assertRefused(source, target, "in the trash", "restore Wrong Customer")
        self.assertRefused(target, source, "in the trash", "restore Wrong Customer")
        source.action_restore()
        self.assertMerged(source, target)

    # Structure ------------------------------------------------------------

    def test_structure_same_unit_allowed(self):
        source, target = self._pair(
            {"structure_unit_id": self.north.id}, {"structure_unit_id": self.north.id}
        )
        self.assertMerged(source, target)

    def test_structure_ancestor_into_descendant_allowed(self):
        source, target = self._pair(
            {"structure_unit_id": self.channel.id},
            {"structure_unit_id": self.north_1.id},
        )
        self.assertMerged(source, target)

    def test_structure_descendant_into_ancestor_refused(self):
        source, target = self._pair(
            {"structure_unit_id": self.north_1.id},
            {"structure_unit_id": self.north.id},
        )
        self.assertRefused(
            source,
            target,
            "Field Sales / North / North 1",
            "merge Right Customer into Wrong Customer instead",
        )
        # ... and the other direction is the way.
        self.assertMerged(target, source)

    def test_structure_other_branch_refused(self):
        source, target = self._pair(
            {"structure_unit_id": self.north.id}, {"structure_unit_id": self.south.id}
        )
        self.assertRefused(source, target, "different channels, branches")
        self.assertRefused(target, source, "different channels, branches")

    def test_structure_other_channel_refused(self):
        source, target = self._pair(
            {"structure_unit_id": self.north_1.id},
            {"structure_unit_id": self.key_accounts.id},
        )
        self.assertRefused(source, target, "different channels, branches")

    def test_structure_customer_without_unit_stands_above_every_unit(self):
        source, target = self._pair(
            {"structure_unit_id": self.north.id}, {"structure_unit_id": False}
        )
        self.assertRefused(source, target, "whole organisation", "instead")
        self.assertMerged(target, source)
        plain, other_plain = self._pair()
        self.assertMerged(plain, other_plain)

    # Sync -------------------------------------------------------------

    def test_synced_into_unsynced_refused(self):
        source, target = self._pair({"is_synced": True}, {"is_synced": False})
        self.assertRefused(
            source,
            target,
            "synchronised",
            "merge Right Customer into Wrong Customer instead",
        )
        self.assertMerged(target, source)

    def test_synced_into_synced_allowed(self):
        source, target = self._pair({"is_synced": True}, {"is_synced": True})
        self.assertMerged(source, target)

    # GDPR -------------------------------------------------------------

    def test_consents_into_customer_without_consents_refused(self):
        source, target = self._pair()
        self._consent(source, documents=["signed.pdf"])
        self.assertRefused(source, target, "GDPR consents", "record the consent")
        # A revoked consent is still a consent that would be lost.
        source2, target2 = self._pair()
        self._consent(source2).revoked_on = "2025-04-01"
        self.assertRefused(source2, target2, "GDPR consents")

    def test_consents_into_customer_with_consents_allowed(self):
        source, target = self._pair()
        self._consent(source)
        self._consent(target, purpose="Phone calls")
        self.assertMerged(source, target)

    def test_no_consents_into_customer_with_consents_allowed(self):
        source, target = self._pair()
        self._consent(target)
        self.assertMerged(source, target)

    # Permission -----------------------------------------------------------

    def test_salesperson_may_not_merge_own_customers(self):
        source, target = self._pair()
        self.assertTrue((source | target).with_user(self.huber).has_access("write"))
        # Over XML-RPC the wizard cannot even be created...
        with self.assertRaises(AccessError):
            self._merge(source, target, user=self.huber)
        # ... and the engine refuses on its own.
        before = self._snapshot(source, target)
        with self.assertRaisesRegex(AccessError, "Contact Creation right"):
            source.with_user(self.huber)._merge_into(target)
        self.assertEqual(self._snapshot(source, target), before)

    def test_contact_manager_and_sales_manager_may_merge(self):
        source, target = self._pair()
        self.assertMerged(source, target, user=self.contact_manager)
        source, target = self._pair()
        self.assertMerged(source, target, user=self.sales_manager)

    def test_customer_the_user_cannot_write_refused(self):
        # The sales manager works in the main company only.
        source, target = self._pair(
            {"company_id": self.other_company.id},
            {"company_id": self.other_company.id},
        )
        before = self._snapshot(source, target)
        with self.assertRaises(AccessError):
            source.with_user(self.sales_manager)._merge_into(target)
        self.assertEqual(self._snapshot(source, target), before)
        self.assertMerged(source, target, user=self.contact_manager)

    def test_one_unwritable_side_is_enough_to_refuse(self):
        source, target = self._pair()
        partners = source | target
        self._forbid_contact_managers_to_modify(target)
        self.assertTrue(partners.with_user(self.contact_manager).has_access("read"))
        self.assertRefused(
            source,
            target,
            "cannot modify Right Customer",
            user=self.contact_manager,
            error=AccessError,
        )
        self.assertRefused(
            target,
            source,
            "cannot modify Right Customer",
            user=self.contact_manager,
            error=AccessError,
        )
