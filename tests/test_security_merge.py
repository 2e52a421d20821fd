from odoo.exceptions import UserError
from odoo.tools.safe_eval import safe_eval

from .common_security import SecurityCase

History = "customer.ownership.history"


class TestMergeKeepsCompanyAndUserPartners(SecurityCase):
    """No merge takes a company's own partner or a user's partner away."""

    def _merge_via(self, call, user, source, target):
        wizard_id = self._merge_wizard_via(call, user, source, target)
        return call(user, "customer.merge.wizard", "action_merge", [wizard_id])

    def test_company_partner_is_never_merged_away(self):
        company = self.env["res.company"].create({"name": "Sister Company"})
        # Same company as the customer, so that no other rule refuses first.
        company.partner_id.company_id = False
        customer = self.Partner.create({"name": "Sister Company Ltd"})
        for source in (company.partner_id, self.env.company.partner_id):
            target = customer
            if source.company_id:
                target = self.Partner.create(
                    {"name": "Twin", "company_id": source.company_id.id}
                )
            for name, call in self._callers():
                for user in (self.sales_manager, self.contact_manager, self.admin):
                    with self.subTest(source=source.name, via=name, user=user.login):
                        with self.assertRaisesRegex(UserError, "partner of company"):
                            self._merge_via(call, user, source, target)
                        self.assertTrue(source.exists())
        self.assertEqual(company.partner_id.name, "Sister Company")

    def test_user_partner_is_never_merged_away(self):
        customer = self.Partner.create({"name": "Someone"})
        for name, call in self._callers():
            with (
                self.subTest(via=name),
                self.assertRaisesRegex(UserError, "contact of user"),
            ):
                self._merge_via(call, self.admin, self.huber.partner_id, customer)
        self.assertTrue(self.huber.partner_id.exists())

    def test_right_customer_offers_only_customers(self):
        source = self.customers_huber[0]
        trashed = self.customers_huber[1]
        trashed.action_trash()
        other_company = self.env["res.company"].create({"name": "Elsewhere"})
        foreign = self.Partner.create(
            {"name": "Foreign", "company_id": other_company.id}
        )
        wizard = self.env["customer.merge.wizard"].create(
            {
                "source_partner_id": source.id,
                "target_partner_id": self.customers_huber[2].id,
            }
        )
        field = wizard._fields["target_partner_id"]
        domain = safe_eval(
            field.domain,
            {
                "source_partner_id": source.id,
                "source_company_id": wizard.source_company_id.id,
            },
        )
        offered = self.Partner.with_context(active_test=False).search(domain)
        self.assertNotIn(source, offered)
        self.assertNotIn(trashed, offered)
        self.assertNotIn(foreign, offered)
        self.assertIn(self.customers_huber[2], offered)


class TestOdooMergeFollowsTheRules(SecurityCase):
    """Contacts > Action > Merge goes through this module's merge engine as
    soon as one of the partners is a customer of this module."""

    def _odoo_merge(self, call, user, partners, dst):
        wizard_id = call(
            user,
            "base.partner.merge.automatic.wizard",
            "create",
            {
                "partner_ids": [(6, 0, partners.ids)],
                "dst_partner_id": dst.id,
                "state": "selection",
            },
        )
        wizard_id = wizard_id if isinstance(wizard_id, int) else wizard_id.id
        return call(
            user, "base.partner.merge.automatic.wizard", "action_merge", [wizard_id]
        )

    def test_customers_merge_with_history_and_audit(self):
        for name, call in self._callers():
            with self.subTest(via=name):
                source = self.Partner.create(
                    {
                        "name": f"Wrong {name}",
                        "user_id": self.huber.id,
                        "external_ref": f"W-{name}",
                    }
                )
                target = self.Partner.create(
                    {"name": f"Right {name}", "user_id": self.huber.id}
                )
                report = self.env["customer.visit.report"].create(
                    {"partner_id": source.id, "summary": "Visit"}
                )
                self._odoo_merge(call, self.sales_manager, source | target, target)
                # Through our engine: archived, marked and logged for an undo.
                self.assertEqual(source.merged_into_id, target)
                self.assertFalse(source.active)
                self.assertEqual(
                    self.env["customer.merge.log"]
                    .search([("source_partner_id", "=", source.id)])
                    .target_partner_id,
                    target,
                )
                self.assertEqual(report.partner_id, target)
                history = self.env[History].search([("partner_id", "=", target.id)])
                self.assertEqual((history.mode, history.origin), ("merge", "merge"))
                self.assertIn(f"W-{name}", history.source_name)

    def test_rules_refuse_through_odoo_merge(self):
        consent_holder = self.Partner.create(
            {"name": "Consented", "user_id": self.huber.id}
        )
        self.env["customer.consent"].create(
            {"partner_id": consent_holder.id, "purpose": "Newsletter"}
        )
        plain = self.Partner.create({"name": "No consent", "user_id": self.huber.id})
        synced = self.Partner.create(
            {"name": "Synced", "external_ref": "S1", "is_synced": True}
        )
        unsynced = self.Partner.create({"name": "Unsynced"})
        for name, call in self._callers():
            for partners, dst, fragment in (
                (consent_holder | plain, plain, "GDPR"),
                (synced | unsynced, unsynced, "synchronised"),
            ):
                with self.subTest(via=name, fragment=fragment):
                    with self.assertRaisesRegex(UserError, fragment):
                        self._odoo_merge(call, self.admin, partners, dst)
                    self.assertTrue(partners.exists() == partners)

    def test_trashed_customer_refused_through_odoo_merge(self):
        source, target = self.customers_huber[:2]
        source.action_trash()
        with self.assertRaisesRegex(UserError, "trash"):
            self._odoo_merge(self._rpc, self.admin, source | target, target)
        self.assertTrue(source.exists())

    def test_plain_contacts_merge_as_in_odoo(self):
        source = self.Partner.create({"name": "Jane", "email": "jane@example.com"})
        target = self.Partner.create({"name": "Jane D.", "email": "jane@example.com"})
        self._odoo_merge(self._rpc, self.admin, source | target, target)
        self.assertFalse(source.exists())
        self.assertFalse(self.env[History].search([("partner_id", "=", target.id)]))

    def test_company_and_user_partners_kept_by_odoo_merge_too(self):
        company = self.env["res.company"].create({"name": "Sister Company"})
        user = self.contact_manager
        for source in (company.partner_id, user.partner_id):
            # A customer of this module: its merge is the engine's.
            twin = self.Partner.create(
                {"name": f"{source.name} twin", "external_ref": f"T-{source.id}"}
            )
            with self.subTest(source=source.name), self.assertRaises(UserError):
                self._odoo_merge(self._rpc, self.admin, source | twin, twin)
            self.assertTrue(source.exists())
        self.assertEqual(company.partner_id.name, "Sister Company")
