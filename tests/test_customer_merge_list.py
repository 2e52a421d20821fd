from odoo.exceptions import AccessError, UserError
from odoo.tests import Form

from .common_merge import CustomerMergeCase
from .common_security import SecurityCase

LIST_ACTION = "crm_customer_ownership.customer_merge_wizard_action_list"


class TestMergeFromTheList(SecurityCase, CustomerMergeCase):
    """Contacts list > Action > Merge Customers with two customers selected
    opens the merge wizard on both; everything else is refused."""

    def _run_list_action(self, user, partners):
        """What the web client does on the list's Action menu."""
        action = self.env.ref(LIST_ACTION).with_user(user)
        return action.with_context(
            active_model="res.partner",
            active_ids=partners.ids,
            active_id=partners[:1].id,
        ).run()

    def _open(self, user, partners):
        result = self._run_list_action(user, partners)
        Wizard = self.env["customer.merge.wizard"].with_user(user)
        return Form(Wizard.with_context(**result["context"]))

    def test_offered_in_the_list_to_merge_users_only(self):
        action = self.env.ref(LIST_ACTION)
        self.assertEqual(action.binding_model_id.model, "res.partner")
        self.assertEqual(action.binding_view_types, "list")
        Actions = self.env["ir.actions.actions"]
        for user, offered in (
            (self.sales_manager, True),
            (self.contact_manager, True),
            (self.huber, False),
        ):
            with self.subTest(user=user.login):
                bindings = Actions.with_user(user).get_bindings("res.partner")
                ids = [binding["id"] for binding in bindings["action"]]
                self.assertEqual(action.id in ids, offered)

    def test_users_without_the_merge_right_are_refused(self):
        pair = self.customers_huber[:2]
        with self.assertRaises(AccessError):
            self._run_list_action(self.huber, pair)
        for name, call in self._callers():
            with (
                self.subTest(via=name),
                self.assertRaisesRegex(AccessError, "merging needs"),
            ):
                call(self.huber, "res.partner", "action_open_merge_wizard", pair.ids)

    def test_two_selected_open_the_wizard_with_both(self):
        unsynced = self._customer("Hotel Post (copy)")
        synced = self._customer(
            "Hotel Post", external_ref="HP1", is_synced=True, user_id=False
        )
        for partners in (unsynced | synced, synced | unsynced):
            with self.subTest(order=partners.mapped("name")):
                form = self._open(self.contact_manager, partners)
                # Never a synchronised customer into an unsynchronised one.
                self.assertEqual(form.source_partner_id, unsynced)
                self.assertEqual(form.target_partner_id, synced)
                self.assertFalse(form.refusal_reason)
                self.assertIn("Hotel Post (copy)", form.preview_html)

    def test_right_customer_guessed_by_the_rules_then_the_erp_number(self):
        numbered = self._customer("Numbered", external_ref="N1")
        plain = self._customer("Plain")
        form = self._open(self.sales_manager, numbered | plain)
        self.assertEqual(
            (form.source_partner_id, form.target_partner_id), (plain, numbered)
        )
        # The structure rule outweighs the number: the merge goes down the
        # tree, so the customer below is the right one.
        plain.structure_unit_id = self.north_1
        numbered.structure_unit_id = self.north
        form = self._open(self.sales_manager, numbered | plain)
        self.assertEqual(
            (form.source_partner_id, form.target_partner_id), (numbered, plain)
        )
        self.assertFalse(form.refusal_reason)

    def test_one_or_three_selected_are_refused_with_the_count(self):
        for partners in (self.customers_huber[:1], self.customers_huber[:3]):
            count = len(partners)
            with (
                self.subTest(count=count),
                self.assertRaisesRegex(
                    UserError, rf"exactly two customers.*\(selected: {count}\)"
                ),
            ):
                self._run_list_action(self.sales_manager, partners)
            with (
                self.subTest(count=count, via="rpc"),
                self.assertRaisesRegex(UserError, "exactly two customers"),
            ):
                self._rpc(
                    self.sales_manager,
                    "res.partner",
                    "action_open_merge_wizard",
                    partners.ids,
                )

    def test_swap_exchanges_wrong_and_right_customer(self):
        source, target = self._pair()
        wizard = self._merge_wizard(source, target, self.sales_manager)
        action = wizard.action_swap()
        self.assertEqual(
            (action["res_model"], action["res_id"]), (wizard._name, wizard.id)
        )
        self.assertEqual(
            (wizard.source_partner_id, wizard.target_partner_id), (target, source)
        )
        wizard.action_merge()
        self.assertMergedAway(target, source)


class TestMergePreviewInBusinessTerms(SecurityCase, CustomerMergeCase):
    """The preview names what moves as a salesperson would, counts only what
    the user may read, and never shows Odoo's machinery or wizards."""

    TECHNICAL = (
        "ir.model.data",
        "Model Data",
        "mail.followers",
        "Document Followers",
        "Message Notifications",
        "mail.notification",
        "customer.import",
        "Customer Import Plan Line",
        "Lead/Opportunity",
        "res.partner",
    )

    def _linked_source(self):
        source, target = self._pair()
        Report = self.env["customer.visit.report"]
        Report.create([{"partner_id": source.id, "summary": f"V{i}"} for i in range(2)])
        self.env["customer.visit.block"].create(
            {
                "partner_id": source.id,
                "date_from": "2026-07-01",
                "date_to": "2026-07-31",
                "reason": "Summer closing",
            }
        )
        self._add_task(source, self.huber, "Call back")
        self._event("Visit", source)
        self.env["crm.lead"].create(
            [
                {
                    "name": "Huber deal",
                    "partner_id": source.id,
                    "user_id": self.huber.id,
                },
                {
                    "name": "Manager deal",
                    "partner_id": source.id,
                    "user_id": self.contact_manager.id,
                },
            ]
        )
        self.Partner.create({"name": "Anna", "parent_id": source.id})
        source.message_post(body="Met at the fair", message_type="comment")
        # The wrong customer notified of a message: a notification row.
        self.customer_maier.message_post(
            body="Offer sent",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=source.ids,
        )
        source.message_subscribe(partner_ids=(self.maier.partner_id | target).ids)
        target.message_subscribe(partner_ids=self.maier.partner_id.ids)
        self._attachment("offer.pdf", "res.partner", source.id)
        # Odoo's machinery and wizards pointing at the customer.
        self.env["ir.model.data"].create(
            {
                "name": "merge_preview_source",
                "module": "__export__",
                "model": "res.partner",
                "res_id": source.id,
            }
        )
        importer = self.env["customer.import.wizard"].with_user(self.admin).create({})
        self.env["customer.import.wizard.line"].create(
            {
                "wizard_id": importer.id,
                "row": 2,
                "action": "update",
                "partner_id": source.id,
            }
        )
        return source, target

    def _lines(self, preview):
        return {
            line["label"]: (line["count"], line["duplicates"])
            for line in preview["references"]
        }

    def test_preview_names_kinds_with_their_counts(self):
        source, target = self._linked_source()
        # The administrator may read Odoo's machinery and their own wizards.
        wizard = self._merge_wizard(source, target, self.admin)
        lines = self._lines(wizard.preview)
        expected = {
            "Visit Reports": (2, 0),
            "Tasks": (1, 0),
            "Appointments": (1, 0),
            "Visit Blocks": (1, 0),
            "Opportunities": (2, 0),
            "Contacts": (1, 0),
            "Attachments": (1, 0),
        }
        self.assertEqual({label: lines.get(label) for label in expected}, expected)
        # Maier follows both: that follower stays with the wrong customer.
        self.assertEqual(lines["Followers"][1], 1)
        self.assertGreaterEqual(lines["Messages"][0], 1)
        # The kinds first, in their declared order.
        self.assertEqual(
            list(lines)[:6],
            [
                "Visit Reports",
                "Tasks",
                "Appointments",
                "Visit Blocks",
                "Opportunities",
                "Contacts",
            ],
        )
        shown = str(wizard.preview) + wizard.preview_html
        for technical in self.TECHNICAL:
            with self.subTest(technical=technical):
                self.assertNotIn(technical, shown)

    def test_preview_counts_only_what_the_user_may_read(self):
        source, target = self._linked_source()
        wizard = self._merge_wizard(source, target, self.contact_manager)
        self.assertFalse(wizard.refusal_reason)
        # Huber's deal is hidden from this salesperson by the lead rules.
        self.assertEqual(self._lines(wizard.preview)["Opportunities"], (1, 0))
        self.assertIn("Only records you may see are counted", wizard.preview_html)

    def test_preview_speaks_the_users_language(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.env["ir.module.module"].search(
            [("name", "=", "crm_customer_ownership")]
        )._update_translations("de_DE", overwrite=True)
        source, target = self._linked_source()
        wizard = self._merge_wizard(source, target, self.sales_manager, lang="de_DE")
        lines = self._lines(wizard.preview)
        self.assertEqual(lines["Besuchsberichte"], (2, 0))
        self.assertIn("Nachrichten", lines)
        self.assertIn("Anhänge", lines)
        with self.assertRaisesRegex(UserError, "genau zwei Kunden"):
            source.with_user(self.sales_manager).with_context(
                lang="de_DE"
            ).action_open_merge_wizard()
