import base64
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tools import SQL, mute_logger

from odoo.addons.crm_customer_ownership.models.customer_reference_redirect import (
    EXCLUDED_MODELS,
    Reference,
)

from .common_merge import CustomerMergeCase

PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
    )
)


class TestCustomerMergeMoves(CustomerMergeCase):
    """What a merge moves, drops and keeps, and how it is recorded."""

    def test_linked_documents_move_to_the_right_customer(self):
        source, target = self._pair(
            {"email": "wrong@example.com"}, {"email": "right@example.com"}
        )
        leads = self.env["crm.lead"].create(
            [{"name": f"Deal {i}", "partner_id": source.id} for i in range(3)]
        )
        reports = self.env["customer.visit.report"].create(
            [{"partner_id": source.id, "summary": f"Visit {i}"} for i in range(2)]
        )
        block = self.env["customer.visit.block"].create(
            {
                "partner_id": source.id,
                "date_from": "2026-08-01",
                "date_to": "2026-08-15",
                "reason": "Holidays",
            }
        )
        activity = source.activity_schedule(
            "mail.mail_activity_data_todo", summary="Call back", user_id=self.huber.id
        )
        message = source.message_post(body="Customer called", message_type="comment")
        document = self._attachment("offer.pdf", "res.partner", source.id)
        scheduled = self.env["mail.scheduled.message"].create(
            {
                "model": "res.partner",
                "res_id": source.id,
                "body": "Reminder",
                "author_id": self.env.user.partner_id.id,
                "scheduled_date": fields.Datetime.now() + timedelta(days=1),
            }
        )
        history = self.env["customer.ownership.history"].create(
            {"partner_id": source.id, "mode": "move", "origin": "manual"}
        )

        self._merge(source, target)

        self.assertMergedAway(source, target)
        self.assertEqual(leads.partner_id, target)
        # Editable fields the leads took from the customer are their own data.
        self.assertEqual(set(leads.mapped("email_from")), {"wrong@example.com"})
        self.assertEqual(reports.partner_id, target)
        self.assertEqual(block.partner_id, target)
        self.assertEqual(target.visit_report_count, 2)
        self.assertEqual(target.visit_block_count, 1)
        self.assertEqual(
            (activity.res_model, activity.res_id), ("res.partner", target.id)
        )
        self.assertEqual(activity.res_name, "Right Customer")
        self.assertEqual(message.res_id, target.id)
        self.assertEqual(document.res_id, target.id)
        self.assertEqual(scheduled.res_id, target.id)
        self.assertEqual(history.partner_id, target)

    def test_contacts_move_and_follow_their_new_company(self):
        group = self._customer("Holding", is_company=True)
        # The right customer is a branch office of the holding, not a company
        # of its own: its commercial entity is the holding.
        source, target = self._pair({"is_company": True}, {"parent_id": group.id})
        contacts = self.env["res.partner"].create(
            [{"name": f"Contact {i}", "parent_id": source.id} for i in range(2)]
        )
        grandchild = self.env["res.partner"].create(
            {"name": "Assistant", "parent_id": contacts[0].id}
        )
        self.assertEqual(grandchild.commercial_partner_id, source)

        self._merge(source, target)

        self.assertEqual(contacts.parent_id, target)
        # Recomputed as if the contacts had been moved by hand: the target's
        # commercial entity is its holding.
        self.assertEqual(contacts.commercial_partner_id, group)
        self.assertEqual(grandchild.commercial_partner_id, group)

    def test_own_contact_details_are_not_copied(self):
        source, target = self._pair(
            {
                "email": "wrong@example.com",
                "phone": "+43 1 111",
                "street": "Wrong Street 1",
                "city": "Linz",
                "image_1920": PNG,
            }
        )
        self._merge(source, target)
        self.assertFalse(target.email)
        self.assertFalse(target.phone)
        self.assertFalse(target.street)
        self.assertFalse(target.city)
        self.assertFalse(target.image_1920)
        images = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", target.id),
                ("res_field", "!=", False),
            ]
        )
        self.assertFalse(images)

    def test_bank_accounts_move_without_duplicates(self):
        source, target = self._pair()
        Bank = self.env["res.partner.bank"]
        shared = "AT61 1904 3002 3457 3201"
        Bank.create({"partner_id": source.id, "acc_number": shared})
        own = Bank.create(
            {"partner_id": source.id, "acc_number": "DE89370400440532013000"}
        )
        kept = Bank.create({"partner_id": target.id, "acc_number": shared})

        self._merge(source, target)

        self.assertEqual(target.bank_ids, own | kept)
        # The copy stays with the merged customer, for an undo.
        self.assertEqual(
            Bank.search([("sanitized_acc_number", "like", "AT61")]).partner_id,
            source | target,
        )
        self.assertIn(shared, target.message_ids[0].body)

    def test_many2many_pairs_move_without_duplicates(self):
        source, target = self._pair()
        Category = self.env["res.partner.category"]
        common, own = Category.create([{"name": "VIP"}, {"name": "Wholesale"}])
        source.category_id = common | own
        target.category_id = common

        self._merge(source, target)

        self.assertEqual(target.category_id, common | own)
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM res_partner_res_partner_category_rel "
                "WHERE partner_id = %s",
                target.id,
            )
        )
        self.assertEqual(self.env.cr.fetchone()[0], 2)

    def test_followers_move_without_duplicates(self):
        source, target = self._pair()
        lead = self.env["crm.lead"].create({"name": "Followed Deal"})
        other_lead = self.env["crm.lead"].create({"name": "Other Deal"})
        both = self._customer("Follows Both")
        only_source = self._customer("Follows Wrong")
        source.message_subscribe(partner_ids=(both | only_source).ids)
        target.message_subscribe(partner_ids=both.ids)
        lead.message_subscribe(partner_ids=(source | target).ids)
        other_lead.message_subscribe(partner_ids=source.ids)

        self._merge(source, target)

        self.assertEqual(target.message_partner_ids, both | only_source)
        self.assertEqual(lead.message_partner_ids, target)
        self.assertEqual(other_lead.message_partner_ids, target)
        self.assertEqual(
            self.env["mail.followers"].search_count(
                [("res_model", "=", "res.partner"), ("res_id", "=", target.id)]
            ),
            2,
        )
        note = target.message_ids[0].body
        self.assertIn("already had them", note)
        # In the preview's words, not models and fields.
        self.assertIn("Followers: ", note)
        for technical in ("Document Followers", "Related Document ID", "res_id"):
            self.assertNotIn(technical, note)

    def test_calendar_attendance_and_linked_events_move(self):
        source, target = self._pair()
        alone = self._event("Visit", source)
        together = self._event("Trade fair", source | target)
        linked = self._event(
            "Follow-up",
            self.env["res.partner"],
            res_model_id=self.env["ir.model"]._get_id("res.partner"),
            res_id=source.id,
        )

        self._merge(source, target)

        self.assertEqual(alone.partner_ids, target)
        self.assertEqual(alone.attendee_ids.partner_id, target)
        self.assertEqual(together.partner_ids, target)
        # One attendance per partner: the target does not get invited twice;
        # the merged customer's own stays with it (archived) for an undo.
        self.assertEqual(
            together.attendee_ids.filtered(lambda a: a.partner_id == target).ids,
            together.attendee_ids.filtered("partner_id.active").ids,
        )
        self.assertEqual(len(together.attendee_ids), 2)
        # Odoo's own wizard looks for a model named "calendar" and leaves these.
        self.assertEqual((linked.res_model, linked.res_id), ("res.partner", target.id))

    def test_message_recipients_and_notifications_move_without_duplicates(self):
        source, target = self._pair()
        lead = self.env["crm.lead"].create({"name": "Mailed Deal"})
        both = lead.message_post(
            body="To both", partner_ids=(source | target).ids, message_type="comment"
        )
        only = lead.message_post(
            body="To the wrong one", partner_ids=source.ids, message_type="comment"
        )
        authored = lead.message_post(
            body="From the customer", author_id=source.id, message_type="comment"
        )
        self.assertEqual(len(both.notification_ids), 2)

        self._merge(source, target)

        # B keeps its own recipient row and notification; A's stay with A
        # (archived) for an undo: the message did go to both.
        self.assertEqual(both.partner_ids, source | target)
        self.assertEqual(both.notification_ids.res_partner_id, source | target)
        self.assertEqual(len(both.notification_ids), 2)
        self.assertEqual(only.partner_ids, target)
        self.assertEqual(only.notification_ids.res_partner_id, target)
        self.assertEqual(authored.author_id, target)

    def test_references_and_defaults_move(self):
        source, target = self._pair()
        action = self.env["ir.actions.server"].create(
            {
                "name": "Points at a customer",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "state": "code",
                "code": "pass",
            }
        )
        action.resource_ref = f"res.partner,{source.id}"
        default = self.env["ir.default"].set("crm.lead", "partner_id", source.id)

        self._merge(source, target)

        self.assertEqual(action.resource_ref, target)
        self.assertEqual(
            self.env["ir.default"]._get("crm.lead", "partner_id"), target.id
        )
        self.assertTrue(default)

    def test_company_dependent_values_are_redirected(self):
        # No installed module stores a company-dependent link to a customer;
        # the statement is checked on a table of the same shape.
        source, target = self._pair()
        other = self._customer("Untouched")
        self.env.cr.execute(
            "CREATE TEMPORARY TABLE merge_cd_probe (id serial PRIMARY KEY, val jsonb)"
        )
        self.env.cr.execute(
            SQL(
                "INSERT INTO merge_cd_probe (val) VALUES (%s), (%s), (NULL)",
                f'{{"1": {source.id}, "2": {other.id}}}',
                f'{{"1": {other.id}}}',
            )
        )
        reference = Reference("company_dependent", "merge_cd_probe", "val", has_id=True)
        Redirect = self.env["customer.reference.redirect"]
        counts = Redirect._count_references([reference], "res.partner", {source.id: 0})
        self.assertEqual(counts[0][0], 1)
        moved = Redirect._redirect_company_dependent(reference, {source.id: target.id})
        self.assertEqual(len(moved), 1)
        self.env.cr.execute("SELECT val FROM merge_cd_probe ORDER BY id")
        self.assertEqual(
            [row[0] for row in self.env.cr.fetchall()],
            [{"1": target.id, "2": other.id}, {"1": other.id}, None],
        )

    def test_every_foreign_key_to_customers_is_covered(self):
        """Discovery covers every column the database knows points at a
        customer, whatever module added it."""
        Redirect = self.env["customer.reference.redirect"]
        covered = {
            (r.table, r.column) for r in Redirect._find_references("res.partner")
        }
        excluded = {self.env[model]._table for model in EXCLUDED_MODELS}
        excluded.add("base_partner_merge_automatic_wizard_res_partner_rel")
        foreign_keys = set(Redirect._foreign_keys_to("res_partner"))
        self.assertGreater(len(foreign_keys), 30)
        missing = {fk for fk in foreign_keys if fk[0] not in excluded} - covered
        self.assertFalse(missing)
        # Links that are not foreign keys are found through the ORM.
        for key in [
            ("ir_attachment", "res_id"),
            ("mail_message", "res_id"),
            ("mail_followers", "res_id"),
            ("mail_activity", "res_id"),
            ("mail_scheduled_message", "res_id"),
            ("calendar_event", "res_id"),
            ("ir_model_data", "res_id"),
            ("ir_act_server", "resource_ref"),
        ]:
            self.assertIn(key, covered)

    # Consents -----------------------------------------------------------

    def test_consents_archived_and_their_documents_kept_on_the_target(self):
        source, target = self._pair()
        dropped = self._consent(source, "Newsletter", documents=["newsletter.pdf"])
        revoked = self._consent(source, "Phone calls", documents=["calls.pdf"])
        revoked.revoked_on = "2025-06-01"
        loose = self._attachment("scan.jpg", "customer.consent", dropped.id)
        own = self._consent(target, "Visits", documents=["visits.pdf"])
        documents = (dropped | revoked).document_ids | loose

        self._merge(source, target)

        # Kept with the merged customer, archived, for an undo.
        self.assertEqual((dropped | revoked).partner_id, source)
        self.assertEqual((dropped | revoked).mapped("active"), [False, False])
        self.assertEqual(target.consent_ids, own)
        self.assertEqual(own.document_ids.mapped("name"), ["visits.pdf"])
        self.assertEqual(len(documents.exists()), 3)
        found = self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", target.id)]
        )
        self.assertEqual(found, documents)
        body = target.message_ids[0].body
        for text in ("Newsletter", "Phone calls", "revoked on", "newsletter.pdf"):
            self.assertIn(text, body)
        self.assertIn("scan.jpg", body)

    # Audit --------------------------------------------------------------

    def test_merge_is_written_to_chatter_and_history(self):
        source, target = self._pair(
            {"external_ref": "H900", "user_id": self.huber.id},
            {"user_id": self.maier.id},
        )
        self.env["crm.lead"].create({"name": "Deal", "partner_id": source.id})
        source.activity_schedule("mail.mail_activity_data_todo", summary="Call")
        self._event("Visit", source)
        self.env["customer.visit.report"].create(
            {"partner_id": source.id, "summary": "Visit"}
        )

        self._merge(source, target, user=self.sales_manager)

        message = target.message_ids[0]
        self.assertIn("Wrong Customer [H900]", message.body)
        for line in ("Opportunities: 1", "Tasks: 1", "Appointments: 1"):
            self.assertIn(line, message.body)
        self.assertIn("Visit Reports: 1", message.body)
        self.assertNotIn("Lead/Opportunity", message.body)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(message.author_id, self.sales_manager.partner_id)
        history = self.env["customer.ownership.history"].search(
            [("partner_id", "=", target.id)]
        )
        self.assertRecordValues(
            history,
            [
                {
                    "mode": "merge",
                    "origin": "merge",
                    "source_name": "Wrong Customer [H900]",
                    "source_partner_id": source.id,
                    "from_user_id": self.huber.id,
                    "to_user_id": self.maier.id,
                    "user_id": self.sales_manager.id,
                    "lead_count": 1,
                    "activity_count": 1,
                    "event_count": 1,
                    "visit_report_count": 1,
                    "visit_block_count": 0,
                }
            ],
        )
        # Salespeople read the history; only the engine writes it.
        self.assertTrue(history.with_user(self.maier).has_access("read"))
        self.assertFalse(history.with_user(self.sales_manager).has_access("write"))

    # Failures change nothing ----------------------------------------------

    def test_unresolvable_conflict_changes_nothing(self):
        """Two reactions of the same customer to the same message cannot both
        exist: the merge refuses and the leads moved before it move back."""
        source, target = self._pair()
        self._consent(source)
        self._consent(target)
        leads = self.env["crm.lead"].create(
            [{"name": f"Deal {i}", "partner_id": source.id} for i in range(2)]
        )
        message = leads[0].message_post(body="Offer sent", message_type="comment")
        Reaction = self.env["mail.message.reaction"]
        for partner in source | target:
            Reaction.create(
                {"message_id": message.id, "content": "👍", "partner_id": partner.id}
            )
        before = self._snapshot(source, target)

        with (
            self.assertRaisesRegex(UserError, "Message Reaction") as caught,
            mute_logger("odoo.sql_db"),
        ):
            self._merge(source, target)

        self.assertIn("nothing was changed", caught.exception.args[0])
        self.assertEqual(self._snapshot(source, target), before)
        self.assertEqual(leads.partner_id, source)

    def test_failure_when_archiving_the_source_changes_nothing(self):
        source, target = self._pair()
        self._consent(source, documents=["signed.pdf"])
        self._consent(target)
        self.env["crm.lead"].create({"name": "Deal", "partner_id": source.id})
        Partner = self.registry["res.partner"]

        def locked_archive(records, target):
            raise UserError(records.env._("Customer is locked by accounting."))

        before = self._snapshot(source, target)
        self.patch(Partner, "_merge_archive_source", locked_archive)
        with self.assertRaisesRegex(UserError, "locked by accounting"):
            self._merge(source, target)
        self.assertEqual(self._snapshot(source, target), before)
        self.assertFalse(
            self.env["customer.merge.log"].search(
                [("target_partner_id", "=", target.id)]
            )
        )

    # Wizard -------------------------------------------------------------

    def test_wizard_from_the_customer_form_previews_the_merge(self):
        action = self.env.ref("crm_customer_ownership.customer_merge_wizard_action")
        self.assertEqual(action.binding_model_id.model, "res.partner")
        self.assertEqual(action.binding_view_types, "form")
        source, target = self._pair()
        self.env["crm.lead"].create(
            [{"name": f"Deal {i}", "partner_id": source.id} for i in range(2)]
        )
        self._consent(source, "Newsletter", documents=["newsletter.pdf"])

        Wizard = self.env["customer.merge.wizard"].with_user(self.sales_manager)
        context = {"active_model": "res.partner", "active_id": source.id}
        with Form(
            Wizard.with_context(context, default_source_partner_id=source.id)
        ) as form:
            self.assertEqual(form.source_partner_id, source)
            form.target_partner_id = target
            self.assertIn("GDPR consents", form.refusal_reason)
            self.assertIn("newsletter.pdf", form.preview_html)
            wizard = form.save()
        preview = wizard.preview
        self.assertIn(
            {"label": "Opportunities", "count": 2, "duplicates": 0},
            preview["references"],
        )
        self.assertEqual(preview["documents"], ["newsletter.pdf"])
        self.assertIn("Newsletter", preview["consents"][0])
        with self.assertRaises(UserError):
            wizard.action_merge()

        self._consent(target)
        wizard = Wizard.create(
            {"source_partner_id": source.id, "target_partner_id": target.id}
        )
        self.assertFalse(wizard.refusal_reason)
        result = wizard.action_merge()
        self.assertEqual(result["params"]["next"]["res_id"], target.id)
        self.assertMergedAway(source, target)
