from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError

from .common_security import SecurityCase


class TestCustomerWithHistoryIsNotDeleted(SecurityCase):
    """Delete refuses a customer with history for everyone and points to the
    trash or a merge; the purge and the merge still delete."""

    def _history_kinds(self):
        """{kind: customer with only that history}"""
        now = datetime(2026, 5, 1)
        kinds = {}

        def customer(kind):
            # An ERP Number makes a customer of this module of the ones whose
            # history alone (a task, a meeting, a lead) would not.
            kinds[kind] = self.Partner.create(
                {"name": f"Has {kind}", "external_ref": f"D-{len(kinds)}"}
            )
            return kinds[kind]

        self.env["customer.visit.report"].create(
            {"partner_id": customer("visit report").id, "summary": "Visit"}
        )
        self.env["customer.visit.block"].create(
            {
                "partner_id": customer("visit block").id,
                "date_from": "2026-07-01",
                "date_to": "2026-07-31",
                "reason": "Closed",
            }
        )
        self.env["customer.consent"].create(
            {"partner_id": customer("consent").id, "purpose": "Newsletter"}
        )
        self._add_task(customer("task"), self.huber, "Call")
        self._add_appointment(
            customer("appointment"), self.huber, "Visit", now + timedelta(days=2)
        )
        self.env["crm.lead"].create(
            {"name": "Deal", "partner_id": customer("opportunity").id}
        )
        moved = customer("ownership history")
        moved.user_id = self.huber
        moved.with_user(self.sales_manager)._transfer_customers(self.maier)
        return kinds

    def test_delete_refused_for_everyone_with_trash_and_merge_offered(self):
        self.env["ir.config_parameter"].set_param(
            "crm_customer_ownership.trash_retention_days", "21"
        )
        for kind, customer in self._history_kinds().items():
            for name, call in self._callers():
                for user in (self.admin, self.contact_manager):
                    with self.subTest(kind=kind, via=name, user=user.login):
                        with self.assertRaisesRegex(
                            UserError, r"trash: 21\).*Merge into"
                        ):
                            call(user, "res.partner", "unlink", customer.ids)
                        self.assertTrue(customer.exists())
            with self.assertRaises(UserError):
                customer.sudo().unlink()

    def test_customer_without_history_is_deleted(self):
        for name, call in self._callers():
            with self.subTest(via=name):
                customer = self.Partner.create(
                    {"name": "Typo", "user_id": self.huber.id}
                )
                call(self.contact_manager, "res.partner", "unlink", customer.ids)
                self.assertFalse(customer.exists())

    def test_plain_contact_is_deleted_as_in_odoo(self):
        """A partner that is not a customer of this module, linked only to
        a lead, a meeting or an activity, is deleted as stock Odoo does."""
        now = datetime(2026, 5, 1)
        for kind in ("task", "appointment", "opportunity"):
            for name, call in self._callers():
                with self.subTest(kind=kind, via=name):
                    contact = self.Partner.create(
                        {"name": f"Plain {kind}", "user_id": self.huber.id}
                    )
                    if kind == "task":
                        self._add_task(contact, self.huber, "Call")
                    elif kind == "appointment":
                        self._add_appointment(
                            contact, self.huber, "Visit", now + timedelta(days=2)
                        )
                    else:
                        lead = self.env["crm.lead"].create(
                            {"name": "Deal", "partner_id": contact.id}
                        )
                    call(self.contact_manager, "res.partner", "unlink", contact.ids)
                    self.assertFalse(contact.exists())
                    if kind == "opportunity":
                        self.assertFalse(lead.partner_id)

    def test_purge_and_merge_still_delete(self):
        kinds = self._history_kinds()
        trashed = kinds["visit report"] | kinds["task"]
        trashed.action_trash()
        with freeze_time(datetime.now() + timedelta(days=30)):
            self.Partner._cron_purge_trash()
        self.assertFalse(trashed.exists())

        source = kinds["visit block"]
        target = self.Partner.create({"name": "Right"})
        self.env["customer.merge.wizard"].with_user(self.sales_manager).create(
            {"source_partner_id": source.id, "target_partner_id": target.id}
        ).action_merge()
        # The merge keeps the wrong customer archived for its undo; the purge
        # deletes it once the retention has passed.
        self.assertEqual(source.merged_into_id, target)
        with freeze_time(datetime.now() + timedelta(days=30)):
            self.Partner._cron_purge_trash()
        self.assertFalse(source.exists())


class TestPurgeKeepsCustomersWhoseContactsAreReferenced(SecurityCase):
    def test_contact_referenced_keeps_its_company(self):
        company = self.customers_huber[0]
        contact = self.Partner.create({"name": "Buyer", "parent_id": company.id})
        grandchild = self.Partner.create({"name": "Assistant", "parent_id": contact.id})
        lead = self.env["crm.lead"].create(
            {"name": "Deal", "partner_id": grandchild.id, "type": "opportunity"}
        )
        other = self.customers_huber[1]
        self.Partner.create({"name": "Unreferenced contact", "parent_id": other.id})
        (company | other).action_trash()
        with freeze_time(datetime.now() + timedelta(days=30)):
            self.Partner._cron_purge_trash()
        self.assertTrue(company.exists())
        self.assertFalse(company.active)
        self.assertFalse(company.trashed_at)
        self.assertEqual(grandchild.parent_id.parent_id, company)
        self.assertEqual(lead.partner_id, grandchild)
        body = company.message_ids[0].body
        self.assertIn("Kept as an archived contact", body)
        self.assertIn("Assistant", body)
        self.assertFalse(other.exists())
