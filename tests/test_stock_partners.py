"""The module's rules reach its customers only (one declared definition,
``res.partner._ownership_customers``); every other partner behaves as in
stock Odoo, and Odoo's merge wizard keeps its own checks on customers."""

from odoo.exceptions import UserError
from odoo.tests import Form

from .common_security import SecurityCase

History = "customer.ownership.history"


class TestWhoIsACustomer(SecurityCase):
    def test_each_criterion_makes_a_customer_and_a_salesperson_does_not(self):
        Partner = self.Partner
        unit = self.env["customer.structure.unit"].create({"name": "Sales"})
        by_field = {
            "external_ref": {"external_ref": "C-1"},
            "is_synced": {"is_synced": True},
            "structure_unit_id": {"structure_unit_id": unit.id},
        }
        customers = {
            key: Partner.create(dict(vals, name=key)) for key, vals in by_field.items()
        }
        for key in ("visit report", "visit block", "consent", "history"):
            customers[key] = Partner.create({"name": key})
        self.env["customer.visit.report"].create(
            {"partner_id": customers["visit report"].id, "summary": "Visit"}
        )
        self.env["customer.visit.block"].create(
            {
                "partner_id": customers["visit block"].id,
                "date_from": "2026-07-01",
                "date_to": "2026-07-02",
                "reason": "Closed",
            }
        )
        self.env["customer.consent"].create(
            {"partner_id": customers["consent"].id, "purpose": "Newsletter"}
        )
        customers["history"].user_id = self.huber
        customers["history"].with_user(self.sales_manager)._transfer_customers(
            self.maier
        )
        trashed = Partner.create({"name": "trashed", "user_id": self.huber.id})
        trashed.with_user(self.huber).action_trash()
        customers["trash stamp"] = trashed
        plain = Partner.create({"name": "Plain", "user_id": self.huber.id})
        everyone = plain.union(*customers.values())
        found = everyone._ownership_customers()
        for key, customer in customers.items():
            with self.subTest(criterion=key):
                self.assertIn(customer, found)
        self.assertNotIn(plain, found)
        self.assertNotIn(
            self.admin.partner_id, self.admin.partner_id._ownership_customers()
        )


class TestPlainContactAsInOdoo(SecurityCase):
    def test_create_edit_archive_unarchive_delete(self):
        for name, call in self._callers():
            with self.subTest(via=name):
                created = call(
                    self.contact_manager,
                    "res.partner",
                    "create",
                    {"name": "Plain", "user_id": self.huber.id},
                )
                plain = self.Partner.browse(
                    created if isinstance(created, int) else created.id
                )
                call(
                    self.contact_manager,
                    "res.partner",
                    "write",
                    plain.ids,
                    {"phone": "+43 1"},
                )
                call(self.contact_manager, "res.partner", "action_archive", plain.ids)
                self.assertFalse(plain.active)
                call(self.contact_manager, "res.partner", "action_unarchive", plain.ids)
                self.assertTrue(plain.active)
                copied = call(self.contact_manager, "res.partner", "copy", plain.ids)
                self.assertTrue(copied)
                call(self.contact_manager, "res.partner", "unlink", plain.ids)
                self.assertFalse(plain.exists())

    def test_salesperson_change_is_a_plain_write(self):
        plain = self.Partner.create({"name": "Plain", "user_id": self.huber.id})
        for name, call in self._callers():
            with self.subTest(via=name):
                # Huber has no transfer right: on a customer he could not.
                call(
                    self.huber,
                    "res.partner",
                    "write",
                    plain.ids,
                    {"user_id": self.maier.id},
                )
                self.assertEqual(plain.user_id, self.maier)
                plain.user_id = self.huber
                call(self.huber, "res.partner", "write", plain.ids, {"user_id": False})
                self.assertFalse(plain.user_id)
                plain.user_id = self.huber
        self.assertFalse(self.env[History].search([("partner_id", "=", plain.id)]))
        self.assertFalse(plain.salesperson_readonly)
        with Form(plain.with_user(self.huber)) as form:
            form.user_id = self.maier
        self.assertEqual(plain.user_id, self.maier)

    def test_customer_salesperson_change_still_needs_the_transfer_right(self):
        customer = self.customers_huber[0]
        with self.assertRaises(UserError):
            self._rpc(
                self.huber,
                "res.partner",
                "write",
                customer.ids,
                {"user_id": self.maier.id},
            )
        self.assertEqual(customer.user_id, self.huber)


class TestOdooMergeWizard(SecurityCase):
    def _odoo_merge(self, user, partners, dst):
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(user)
            .create(
                {
                    "partner_ids": [(6, 0, partners.ids)],
                    "dst_partner_id": dst.id,
                    "state": "selection",
                }
            )
        )
        return wizard.action_merge()

    def test_plain_partners_with_a_salesperson_merge_as_in_odoo(self):
        source = self.Partner.create(
            {"name": "Jane", "email": "j@example.com", "user_id": self.huber.id}
        )
        target = self.Partner.create(
            {"name": "Jane D.", "email": "j@example.com", "user_id": self.huber.id}
        )
        lead = self.env["crm.lead"].create({"name": "Deal", "partner_id": source.id})
        self._odoo_merge(self.sales_manager, source | target, target)
        self.assertFalse(source.exists())
        self.assertEqual(lead.partner_id, target)
        self.assertFalse(
            self.env["customer.merge.log"].search(
                [("target_partner_id", "=", target.id)]
            )
        )

    def test_odoo_checks_hold_for_customers(self):
        four = self.customers_huber[:4]
        with self.assertRaisesRegex(UserError, "more than 3 contacts"):
            self._odoo_merge(self.admin, four, four[0])
        source, target = self.customers_huber[:2]
        source.email, target.email = "a@example.com", "b@example.com"
        with self.assertRaisesRegex(UserError, "same email"):
            self._odoo_merge(self.sales_manager, source | target, target)
        self.assertTrue(source.active)
        self.assertFalse(source.merged_into_id)
        # The administrator may, as in Odoo; the engine merges.
        self._odoo_merge(self.admin, source | target, target)
        self.assertEqual(source.merged_into_id, target)
        self.assertTrue(source.exists())
        self.assertTrue(
            self.env["customer.merge.log"].search(
                [("source_partner_id", "=", source.id)]
            )
        )

    def test_other_modules_steps_still_run(self):
        """Odoo's own chatter note on the kept partner (mail's extension of
        _log_merge_operation) is written next to the engine's audit."""
        source, target = self.customers_huber[2:4]
        self._odoo_merge(self.admin, source | target, target)
        self.assertEqual(source.merged_into_id, target)
        bodies = "".join(target.message_ids.mapped("body"))
        self.assertIn("Merged with the following partners", bodies)
