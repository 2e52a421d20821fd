from datetime import timedelta

from odoo import fields
from odoo.tools import SQL

from ..compat import OdooPartnerMergeWizard
from .common_merge import CustomerMergeCase

# Link columns Odoo's own wizard moves besides foreign keys (see
# _update_reference_fields in odoo/addons/base/wizard/base_partner_merge.py),
# as (table, model column, extra condition).
ODOO_RES_ID_COLUMNS = (
    ("ir_attachment", "res_model", "res_field IS NULL"),
    ("mail_followers", "res_model", "TRUE"),
    ("mail_activity", "res_model", "TRUE"),
    ("mail_message", "model", "TRUE"),
    ("ir_model_data", "model", "TRUE"),
)
# Not moved references: the merge wizards themselves, and the ownership
# history row, the merge log and the merged customer's mark that only this
# merge writes (its audit and undo, checked elsewhere).
IGNORED_TABLES = {
    "base_partner_merge_automatic_wizard",
    "base_partner_merge_automatic_wizard_res_partner_rel",
    "customer_merge_wizard",
    "customer_ownership_history",
    "customer_merge_log",
}
IGNORED_COLUMNS = {("res_partner", "merged_into_id")}


class TestCustomerMergeParity(CustomerMergeCase):
    """Odoo's own merge wizard is the floor: on an identical pair of
    customers, ours leaves the same references on the target."""

    def _linked_pair(self, tag):
        source, target = self._pair()
        source.name = f"Wrong {tag}"
        target.name = f"Right {tag}"
        self.env["crm.lead"].create(
            [
                {
                    "name": f"{tag} deal {i}",
                    "partner_id": source.id,
                    "type": "opportunity",
                }
                for i in range(3)
            ]
        )
        for summary in ("Call", "Send offer"):
            source.activity_schedule(
                "mail.mail_activity_data_todo", summary=summary, user_id=self.huber.id
            )
        for body in ("Met at the fair", "Wants a discount"):
            source.message_post(body=body, message_type="comment")
        lead = self.env["crm.lead"].create({"name": f"{tag} followed deal"})
        lead.message_post(body="From the customer", author_id=source.id)
        lead.message_subscribe(partner_ids=source.ids)
        watcher = self._customer(f"{tag} watcher")
        source.message_subscribe(partner_ids=watcher.ids)
        for name in ("offer.pdf", "plan.pdf"):
            self._attachment(f"{tag} {name}", "res.partner", source.id)
        self.env["res.partner"].create(
            [{"name": f"{tag} contact {i}", "parent_id": source.id} for i in range(2)]
        )
        start = fields.Datetime.now() + timedelta(days=2)
        self.env["calendar.event"].create(
            {
                "name": f"{tag} visit",
                "start": start,
                "stop": start + timedelta(hours=1),
                "partner_ids": [(6, 0, source.ids)],
            }
        )
        source.category_id = self.env["res.partner.category"].create({"name": tag})
        self.env["res.partner.bank"].create(
            {"partner_id": source.id, "acc_number": f"{tag}-0001"}
        )
        return source, target

    def _references_to(self, partner):
        """{(table, column): rows pointing at ``partner``}, found the way
        Odoo's wizard finds them (foreign keys and its res_id list), not
        with the code under test."""
        cr = self.env.cr
        cr.execute(
            """
            SELECT src.relname, att.attname
              FROM pg_constraint con
              JOIN pg_class src ON src.oid = con.conrelid
              JOIN pg_class dst ON dst.oid = con.confrelid
              JOIN pg_attribute att
                ON att.attrelid = con.conrelid AND att.attnum = con.conkey[1]
             WHERE con.contype = 'f' AND dst.relname = 'res_partner'
            """
        )
        counts = {}
        for table, column in cr.fetchall():
            if table in IGNORED_TABLES or (table, column) in IGNORED_COLUMNS:
                continue
            cr.execute(
                SQL(
                    "SELECT count(*) FROM %s WHERE %s = %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    partner.id,
                )
            )
            counts[(table, column)] = cr.fetchone()[0]
        for table, model_column, condition in ODOO_RES_ID_COLUMNS:
            cr.execute(
                SQL(
                    "SELECT count(*) FROM %s "
                    "WHERE %s = 'res.partner' AND res_id = %s AND %s",
                    SQL.identifier(table),
                    SQL.identifier(model_column),
                    partner.id,
                    SQL(condition),
                )
            )
            counts[(table, "res_id")] = cr.fetchone()[0]
        return {key: count for key, count in counts.items() if count}

    def test_same_references_as_odoo_merge_wizard(self):
        odoo_source, odoo_target = self._linked_pair("Odoo")
        our_source, our_target = self._linked_pair("Ours")
        self.assertEqual(
            self._references_to(odoo_source), self._references_to(our_source)
        )

        # Odoo's wizard, as the administrator (no same-email check). Its own
        # implementation: this module sends customers through ours
        # (wizards/base_partner_merge_automatic_wizard.py).
        OdooPartnerMergeWizard._merge(
            self.env["base.partner.merge.automatic.wizard"],
            (odoo_source | odoo_target).ids,
            odoo_target,
        )
        self._merge(our_source, our_target, user=self.sales_manager)

        self.assertFalse(odoo_source.exists())
        self.assertMergedAway(our_source, our_target)
        odoo_refs = self._references_to(odoo_target)
        our_refs = self._references_to(our_target)
        self.assertEqual(our_refs, odoo_refs)
        # Not vacuous: every kind of link of the pair is there.
        expected = {
            ("crm_lead", "partner_id"): 3,
            ("mail_activity", "res_id"): 2,
            ("mail_message", "author_id"): 1,
            ("ir_attachment", "res_id"): 2,
            ("calendar_attendee", "partner_id"): 1,
            ("calendar_event_res_partner_rel", "res_partner_id"): 1,
            ("res_partner_res_partner_category_rel", "partner_id"): 1,
            ("res_partner_bank", "partner_id"): 1,
        }
        for key, count in expected.items():
            self.assertEqual(our_refs.get(key), count, key)
        self.assertEqual(our_refs[("res_partner", "parent_id")], 2)
        self.assertGreaterEqual(our_refs[("mail_message", "res_id")], 3)
        self.assertGreaterEqual(our_refs[("mail_followers", "res_id")], 1)
        self.assertGreaterEqual(our_refs[("mail_followers", "partner_id")], 1)
