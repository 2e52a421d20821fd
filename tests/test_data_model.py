from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError
from odoo.tools import mute_logger

from ..compat import USER_GROUPS_FIELD
from .common import CustomerOwnershipCase


class TestDataModel(CustomerOwnershipCase):
    def test_models_and_fields_exist(self):
        for model in (
            "customer.visit.report",
            "customer.visit.block",
            "customer.structure.unit",
            "customer.consent",
        ):
            self.assertIn(model, self.env)
        partner_fields = self.Partner._fields
        for name in (
            "external_ref",
            "trashed_at",
            "trashed_by_id",
            "is_synced",
            "structure_unit_id",
            "consent_ids",
            "visit_report_ids",
            "visit_block_ids",
        ):
            self.assertIn(name, partner_fields)
        self.assertTrue(partner_fields["user_id"].index)
        self.assertTrue(partner_fields["external_ref"].index)

    def test_external_ref_is_stripped(self):
        partner = self.Partner.create({"name": "Spaces", "external_ref": "  42 \t"})
        self.assertEqual(partner.external_ref, "42")
        partner.external_ref = "   "
        self.assertFalse(partner.external_ref)

    def test_external_ref_at_most_64_characters(self):
        self.Partner.create({"name": "Long enough", "external_ref": "9" * 64})
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Partner.create({"name": "Too long", "external_ref": "9" * 65})

    def test_external_ref_unique_per_owner(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.Partner.create(
                {"name": "Twin", "external_ref": "H001", "user_id": self.huber.id}
            )

    def test_external_ref_shared_across_owners_and_empty(self):
        twin = self.Partner.create(
            {"name": "Twin at Maier", "external_ref": "H001", "user_id": self.maier.id}
        )
        self.assertEqual(twin.external_ref, "H001")
        empty = self.Partner.create(
            [{"name": f"No number {i}", "user_id": self.huber.id} for i in range(2)]
        )
        self.assertEqual(len(empty), 2)

    def test_visit_block_dates_ordered(self):
        # A one-day block is valid: this create must not raise.
        self.env["customer.visit.block"].create(
            {
                "partner_id": self.customer_maier.id,
                "date_from": "2026-01-10",
                "date_to": "2026-01-10",
                "reason": "One day",
            }
        )
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["customer.visit.block"].create(
                {
                    "partner_id": self.customer_maier.id,
                    "date_from": "2026-01-10",
                    "date_to": "2026-01-09",
                    "reason": "Backwards",
                }
            )

    def test_consent_not_revoked_before_granted(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["customer.consent"].create(
                {
                    "partner_id": self.customer_maier.id,
                    "purpose": "Newsletter",
                    "granted_on": "2026-03-01",
                    "revoked_on": "2026-02-01",
                }
            )

    def test_structure_unit_tree_refuses_cycles(self):
        Unit = self.env["customer.structure.unit"]
        channel = Unit.create({"name": "Channel", "kind": "channel"})
        branch = Unit.create(
            {"name": "Branch", "kind": "branch", "parent_id": channel.id}
        )
        dept = Unit.create(
            {"name": "Dept", "kind": "department", "parent_id": branch.id}
        )
        self.assertEqual(dept.complete_name, "Channel / Branch / Dept")
        self.assertTrue(channel._is_ancestor_or_self_of(dept))
        self.assertFalse(dept._is_ancestor_or_self_of(channel))
        # Odoo's parent store refuses the cycle when it flushes (UserError),
        # before the model's own constraint would (ValidationError).
        with self.assertRaises(UserError):
            channel.parent_id = dept
            channel.flush_recordset()

    def test_salesperson_creates_visit_report_on_own_customer(self):
        customer = self.customers_huber[0].with_user(self.huber)
        report = (
            self.env["customer.visit.report"]
            .with_user(self.huber)
            .create({"partner_id": customer.id, "summary": "First visit"})
        )
        self.assertEqual(report.user_id, self.huber)
        self.assertEqual(customer.visit_report_count, 1)
        self.assertEqual(customer.visit_report_ids, report)

    def test_internal_user_without_sales_rights_cannot_create_visit_report(self):
        clerk = self.env["res.users"].create(
            {
                "name": "Clerk",
                "login": "t_clerk",
                USER_GROUPS_FIELD: [(6, 0, [self.env.ref("base.group_user").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["customer.visit.report"].with_user(clerk).create(
                {"partner_id": self.customer_maier.id, "summary": "Not allowed"}
            )
