"""What users read: business names, never technical ones; actions that say
what they did; screens that reload the same; the demo's story (issue 27)."""

import base64
import re
from pathlib import Path

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, email_normalize
from odoo.tools.safe_eval import safe_eval

from ..compat import ODOO_19
from .common_merge import CustomerMergeCase
from .import_common import CustomerImportCase

# What a user must never read in a message, a log line or a label.
TECHNICAL = re.compile(
    r"Model Data|Record ID|Related Document ID|Calendar Event|Customer GDPR "
    r"Consent|Lead/Opportunity|Customer Import Plan Line|\w+\.\w+\.\w+|×"
)


def _load_german(env):
    env["res.lang"]._activate_lang("de_DE")
    env["ir.module.module"].search(
        [("name", "=", "crm_customer_ownership")]
    )._update_translations("de_DE", overwrite=True)


class TestBusinessNames(CustomerMergeCase):
    """Delete refusals and merge logs name records as the merge preview
    does (Visit Reports, Appointments, GDPR Consents...), in the reader's
    language."""

    def _customer_with_history(self, name):
        customer = self._customer(name)
        self.env["customer.visit.report"].create(
            {"partner_id": customer.id, "summary": "Visit"}
        )
        self._event("Appointment", customer)
        self._consent(customer)
        return customer

    def test_delete_refusal_names_kinds_and_the_real_button(self):
        customer = self._customer_with_history("History Customer")
        with self.assertRaises(UserError) as caught:
            customer.unlink()
        message = caught.exception.args[0]
        for label in ("Visit Reports (1)", "Appointments (1)", "GDPR Consents (1)"):
            self.assertIn(label, message)
        self.assertIn("Move to Trash button", message)
        self.assertNotIn("Action > Move to trash", message)
        self.assertIsNone(TECHNICAL.search(message), message)

    def test_delete_refusal_labels_in_german(self):
        _load_german(self.env)
        customer = self._customer_with_history("Kunde mit Verlauf")
        with self.assertRaises(UserError) as caught:
            customer.with_context(lang="de_DE").unlink()
        message = caught.exception.args[0]
        self.assertIn("Besuchsberichte (1)", message)
        self.assertIsNone(TECHNICAL.search(message), message)

    def test_engine_field_refusal_names_the_kind_and_the_real_buttons(self):
        customer = self._customer_with_history("Guarded Customer")
        report = customer.visit_report_ids
        _load_german(self.env)
        messages = {}
        for lang in ("en_US", "de_DE"):
            with self.assertRaises(AccessError) as caught:
                report.with_context(lang=lang).write({"active": False})
            messages[lang] = caught.exception.args[0]
        self.assertIn(" of Visit Reports follow", messages["en_US"])
        self.assertIn("Move to Trash or Restore button", messages["en_US"])
        self.assertIn("Besuchsberichte", messages["de_DE"])
        for message in messages.values():
            self.assertNotIn("Customer Visit Report", message)
            self.assertNotIn("Action > Move to trash", message)
            self.assertIsNone(TECHNICAL.search(message), message)

    def _merged_log(self):
        source, target = self._pair()
        self.env["customer.visit.report"].create(
            {"partner_id": source.id, "summary": "Visit"}
        )
        self.env["crm.lead"].create({"name": "Deal", "partner_id": source.id})
        self._merge(source, target)
        return self.env["customer.merge.log"].search(
            [("source_partner_id", "=", source.id)]
        )

    def test_merge_log_lines_use_business_labels(self):
        log = self._merged_log()
        labels = log.shown_line_ids.mapped("label")
        self.assertIn("Visit Reports", labels)
        self.assertIn("Opportunities", labels)
        for label in labels:
            self.assertIsNone(TECHNICAL.search(label), label)
        hidden = log.line_ids - log.shown_line_ids
        self.assertFalse(hidden.filtered("ref_model"))

    def test_framework_references_are_never_named(self):
        """Odoo's bookkeeping (XML ids, ...) moves with a merge and back with
        its undo, but has no name to show: its log lines are hidden."""
        Partner = self.env["res.partner"]
        references = self.env["customer.reference.redirect"]._find_references(
            "res.partner"
        )
        by_table = {reference.table: reference for reference in references}
        self.assertIsNone(Partner._merge_preview_field(by_table["ir_model_data"]))
        self.assertEqual(
            Partner._merge_preview_field(by_table["customer_visit_report"])[:2],
            ("customer.visit.report", "partner_id"),
        )

    def test_merge_conflict_names_the_kind_of_records(self):
        source, target = self._pair()
        for customer in source | target:
            self.env["customer.visit.report"].create(
                {"partner_id": customer.id, "summary": "Visit"}
            )
        # A rule of the database allowing one visit report per customer
        # (of these two: the demo's customers have several).
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX one_report_per_customer ON "
                "customer_visit_report (partner_id) WHERE partner_id = ANY(%s)",
                (source | target).ids,
            )
        )
        with self.assertRaises(UserError) as caught:
            self._merge(source, target)
        message = caught.exception.args[0]
        self.assertIn("linked to the same record in Visit Reports,", message)
        for technical in ("customer_visit_report", "partner_id", "Visit Report ("):
            self.assertNotIn(technical, message)
        self.assertIsNone(TECHNICAL.search(message), message)
        self.assertTrue(source.active)

    def test_merge_conflict_without_a_business_label(self):
        """A model the preview has no label for is named by its translated
        description; a column the ORM does not know, by no name at all."""
        Partner = self.env["res.partner"]
        Reference = type(
            self.env["customer.reference.redirect"]._find_references("res.partner")[0]
        )
        # Industries: a model of both series the preview has no label for.
        reference = Reference(
            "many2one", "res_partner_industry", "x_partner", fields=[]
        )
        self.assertEqual(Partner._merge_reference_label(reference), "Other Records")
        reference.fields.append(("res.partner.industry", "create_uid", "id"))
        self.assertEqual(Partner._merge_reference_label(reference), "Industry")

    def test_merge_log_lines_in_the_readers_language(self):
        log = self._merged_log()
        _load_german(self.env)
        labels = log.with_context(lang="de_DE").shown_line_ids.mapped("label")
        self.assertIn("Besuchsberichte", labels)
        self.assertNotIn("Visit Reports", labels)


class TestMergeAnswers(CustomerMergeCase):
    """A merge and its undo say what moved, link to the customer that now
    has the records, then open its form."""

    def _merged(self):
        source, target = self._pair()
        self.env["customer.visit.report"].create(
            [{"partner_id": source.id, "summary": f"Visit {i}"} for i in range(3)]
        )
        self.env["crm.lead"].create({"name": "Deal", "partner_id": source.id})
        return source, target, self._merge(source, target)

    def assertAnswers(self, action, customer, moved):
        self.assertEqual(action["tag"], "display_notification")
        params = action["params"]
        for text in moved:
            self.assertIn(text, params["message"])
        # The link to the customer stands in the message's %s.
        self.assertEqual(params["message"].count("%s"), 1)
        self.assertEqual(
            params["links"],
            [{"label": customer.display_name, "url": f"/odoo/contacts/{customer.id}"}],
        )
        for text in (params["title"], params["message"]):
            self.assertIsNone(TECHNICAL.search(text), text)
            self.assertNotRegex(text, rf"\b{customer.id}\b")
        landing = params["next"]
        self.assertEqual(
            (landing["res_model"], landing["res_id"], landing["target"]),
            ("res.partner", customer.id, "main"),
        )
        # Contacts' own action: the URL after the landing reloads the form.
        self.assertEqual(landing["path"], "contacts")

    def test_merge_says_what_moved_and_opens_the_right_customer(self):
        _source, target, action = self._merged()
        self.assertAnswers(
            action, target, ["Moved to %s:", "Visit Reports: 3", "Opportunities: 1"]
        )
        self.assertEqual(
            action["params"]["title"], "Wrong Customer merged into Right Customer"
        )
        self.assertEqual(action["params"]["type"], "success")

    def test_undo_says_what_moved_back_and_opens_the_merged_customer(self):
        source, _target, _action = self._merged()
        log = self.env["customer.merge.log"].search(
            [("source_partner_id", "=", source.id)]
        )
        action = log.with_user(self.sales_manager).action_undo()
        self.assertAnswers(
            action,
            source,
            ["Moved back to %s:", "Visit Reports: 3", "Opportunities: 1"],
        )
        self.assertEqual(
            action["params"]["title"], "Merge undone: Wrong Customer is back"
        )
        self.assertEqual(action["params"]["type"], "success")

    def test_undo_that_left_records_behind_warns(self):
        source, target, _action = self._merged()
        log = self.env["customer.merge.log"].search(
            [("source_partner_id", "=", source.id)]
        )
        target.visit_report_ids[0].unlink()
        action = log.with_user(self.sales_manager).action_undo()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("Visit Reports: 2", action["params"]["message"])
        self.assertIn("the merge's log says which", action["params"]["message"])


class TestMergeFromTheListOrientation(CustomerMergeCase):
    """The list's one Merge opens like Merge into…: the wrong customer fixed,
    the right one to pick, Swap; Odoo's own Merge only for other contacts."""

    def test_one_merge_entry_in_the_action_menu(self):
        ours = self.env.ref("crm_customer_ownership.customer_merge_wizard_action_list")
        odoo = self.env.ref("base.action_partner_merge")
        self.assertEqual(ours.name, "Merge")
        bindings = (
            self.env["ir.actions.actions"]
            .with_user(self.contact_manager)
            .get_bindings("res.partner")
        )
        ids = [action["id"] for action in bindings["action"]]
        self.assertIn(ours.id, ids)
        self.assertNotIn(odoo.id, ids)

    def test_other_contacts_go_to_odoos_merge(self):
        plain = self.Partner.create([{"name": "Plain A"}, {"name": "Plain B"}])
        action = plain.with_user(self.contact_manager).action_merge_from_list()
        self.assertEqual(action["res_model"], "base.partner.merge.automatic.wizard")
        self.assertEqual(action["context"]["active_ids"], plain.ids)
        # Customers of the module: with an ERP Number.
        customers = self._pair({"external_ref": "W1"}, {"external_ref": "R1"})
        pair = customers[0] | customers[1]
        action = pair.with_user(self.contact_manager).action_merge_from_list()
        self.assertEqual(action["res_model"], "customer.merge.wizard")

    def test_wrong_customer_fixed_as_in_merge_into(self):
        arch = self.env["customer.merge.wizard"].get_views([(False, "form")])["views"][
            "form"
        ]["arch"]
        field = re.search(r'<field name="source_partner_id"[^>]*>', arch).group(0)
        self.assertIn("default_source_partner_id", field)
        self.assertIn('force_save="1"', field)
        source, target = self._pair()
        wizard = self._merge_wizard(source, target)
        action = wizard.action_swap()
        self.assertEqual(action["context"], {"default_source_partner_id": target.id})

    def test_consent_dates_in_the_users_format(self):
        source, target = self._pair()
        self._consent(source)
        self._consent(target)
        self.env["res.lang"]._lang_get("en_US").date_format = "%d.%m.%Y"
        wizard = self._merge_wizard(source, target)
        self.assertIn("01.03.2025", " ".join(wizard.preview["consents"]))
        self.assertNotIn("2025-03-01", wizard.preview_html)


class TestImportPresentation(CustomerImportCase):
    """The import's screens: keys without Odoo ids, advice the user can
    follow, the immediate log like the background one, a stable list."""

    def test_trash_line_key_is_never_an_odoo_id(self):
        no_ref = self.Partner.create({"name": "No Number", "user_id": self.huber.id})
        rows = self._rows_of(self.customers_huber)
        wizard = self._preview(self.huber, self._csv(rows), import_mode="update_delete")
        line = wizard.line_ids.filtered(lambda line: line.partner_id == no_ref)
        self.assertEqual(line.action, "trash")
        self.assertFalse(line.key)

    def test_advice_only_what_the_user_may_do(self):
        row = [("M001", "Maier Customer", "", "", "")]
        for user, advice, not_advice in (
            (self.huber, "ask a user who may transfer", "Choose a transfer mode"),
            (self.transfer_user, "Choose a transfer mode", "ask a user who may"),
        ):
            with self.subTest(user=user.login):
                wizard = self._preview(user, self._csv(row))
                message = wizard.line_ids.message
                self.assertIn("without its history", message)
                self.assertIn(advice, message)
                self.assertNotIn(not_advice, message)

    def test_immediate_log_has_the_rows_and_links(self):
        rows = self._rows_of(self.customers_huber[:2])
        rows[0] = ("H001", "Renamed", "", "", "")
        rows.append(("N001", "New Customer", "", "", ""))
        wizard = self._import(self.huber, self._csv(rows))
        log = wizard.log_id
        self.assertEqual(log.line_count, len(wizard.line_ids))
        self.assertEqual(
            [
                (line.key, line.action, line.name, line.partner_id)
                for line in log.line_ids
            ],
            [
                (line.key, line.action, line.name, line.partner_id)
                for line in wizard.line_ids
            ],
        )
        created = log.line_ids.filtered(lambda line: line.action == "create")
        self.assertEqual(created.partner_id.name, "New Customer")
        self.assertIn("Renamed", log.line_ids.mapped("changes")[0])

    def test_imported_customers_reload_the_same(self):
        rows = [("H001", "Renamed", "", "", ""), ("N001", "New", "", "", "")]
        wizard = self._import(self.huber, self._csv(rows))
        action = wizard.action_view_customers()
        record = self.env.ref("crm_customer_ownership.res_partner_action_imported")
        self.assertEqual(action["id"], record.id)
        self.assertTrue(action["path"])
        self.assertEqual(action["context"]["active_id"], wizard.log_id.id)
        # A reload runs the action's own domain with the active id the URL
        # kept: the same customers.
        domain = safe_eval(record.domain, {"active_id": wizard.log_id.id})
        reloaded = self.Partner.with_context(active_test=False).search(domain)
        self.assertEqual(reloaded, self.Partner.search(action["domain"]))
        self.assertEqual(len(reloaded), 2)

    def test_import_log_without_file_name_is_named_by_its_date(self):
        rows = [("H001", "Renamed", "", "", "")]
        wizard = self._import(self.huber, self._csv(rows), filename=False)
        log = wizard.log_id
        self.assertTrue(log.display_name.startswith("Import of "), log.display_name)
        self.assertNotIn(f"Customer Import Log,{log.id}", log.display_name)

    def test_preview_row_opens_a_business_form(self):
        views = self.env["customer.import.wizard.line"].get_views([(False, "form")])
        arch = views["views"]["form"]["arch"]
        self.assertIn('name="partner_id"', arch)
        self.assertIn('name="changes"', arch)
        self.assertNotIn('name="wizard_id"', arch)

    def test_preview_row_dialog_is_titled_in_business_words(self):
        """The web client titles an opened row "Open: <the rows' string>":
        every tab's rows are an Import Row, never "Trash Rows"."""
        arch = self.env["customer.import.wizard"].get_views([(False, "form")])
        root = etree.fromstring(arch["views"]["form"]["arch"])
        rows = root.xpath("//field[@widget='one2many' or starts-with(@name, 'line_')]")
        self.assertEqual(
            {node.get("name") for node in rows},
            {"line_error_ids", "line_ids", "line_trash_ids", "line_transfer_ids"},
        )
        for node in rows:
            self.assertEqual(node.get("string"), "Import Row", node.get("name"))


class TestEveryActionAnswers(CustomerImportCase):
    def test_restore_says_what_it_restored(self):
        customers = self.customers_huber[:2]
        customers.with_user(self.huber).action_trash()
        action = customers.with_user(self.huber).action_restore()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("2", action["params"]["title"])
        for customer in customers:
            self.assertIn(customer.name, action["params"]["message"])
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")

    def test_labels(self):
        Partner = self.env["res.partner"]
        self.assertEqual(
            Partner._fields["trash_purge_date"].string, "Will be purged on"
        )
        menu = self.env.ref("crm_customer_ownership.menu_customer_import")
        self.assertEqual(menu.name, "Import Customers")
        structure = self.env.ref("crm_customer_ownership.menu_customer_structure_unit")
        self.assertEqual(
            structure.parent_id,
            self.env.ref("crm_customer_ownership.menu_customer_ownership_config"),
        )
        config = self.env.ref("contacts.res_partner_menu_config")
        top = self.env["ir.ui.menu"].search([("parent_id", "=", config.parent_id.id)])
        self.assertEqual(top[-1], config, "Configuration comes last")


class TestGermanUserForm(CustomerImportCase):
    def test_customer_ownership_header_translated(self):
        if ODOO_19:
            self.skipTest("Odoo 19 builds the rights from privileges, not this view")
        _load_german(self.env)
        category = self.env.ref(
            "crm_customer_ownership.module_category_customer_ownership"
        )
        german = category.with_context(lang="de_DE").name
        self.assertNotEqual(german, "Customer Ownership")
        self.env["res.groups"]._update_user_groups_view()
        arch = (
            self.env["res.users"]
            .with_context(lang="de_DE")
            .get_views([(self.env.ref("base.view_users_form").id, "form")])["views"][
                "form"
            ]["arch"]
        )
        self.assertIn(f'string="{german}"', arch)
        self.assertNotIn('string="Customer Ownership"', arch)


class TestDemoStory(CustomerImportCase):
    """The demo tells the README's story: importing Huber's ERP file trashes
    only Seeblick Camping KG and leaves the duplicate to merge."""

    def setUp(self):
        super().setUp()
        self.duplicate = self.env.ref(
            "crm_customer_ownership.demo_customer_c14", raise_if_not_found=False
        )
        if not self.duplicate:
            self.skipTest("demo data not installed")

    def test_demo_import_then_merge(self):
        huber = self.env.ref("crm_customer_ownership.demo_user_huber")
        data = Path(__file__).parent.parent.joinpath("demo", "erp_import_huber.csv")
        wizard = self.env["customer.import.wizard"].create(
            {
                "file": base64.b64encode(data.read_bytes()),
                "filename": "erp_import_huber.csv",
                "user_id": huber.id,
                "import_mode": "update_delete",
                "transfer_mode": "move",
            }
        )
        wizard.action_preview()
        trashed = wizard.line_trash_ids
        self.assertEqual(trashed.mapped("name"), ["Seeblick Camping KG"])
        self.assertTrue(all(line.key for line in trashed))
        self.assertEqual(wizard.count_update, 2)
        self.assertEqual(wizard.count_create, 1)
        self.assertEqual(wizard.line_transfer_ids.mapped("name"), ["Hallein Markt OG"])
        wizard.action_import()
        self.assertTrue(self.duplicate.active)
        cafe = self.env.ref("crm_customer_ownership.demo_customer_c03")
        self.assertEqual(
            (self.duplicate | cafe)._merge_direction(), (self.duplicate, cafe)
        )
        self.duplicate._check_merge_rules(cafe)

    def test_agents_have_leads_and_valid_addresses(self):
        for login in ("huber", "maier", "gruber", "sommer", "berger"):
            user = self.env["res.users"].search([("login", "=", login)])
            self.assertTrue(user.has_group("crm.group_use_lead"), login)
        # The demo users have Leads; CRM's setting stays as Odoo leaves it,
        # for everyone else (Odoo's own crm tests assume it off).
        self.assertNotIn(
            self.env.ref("crm.group_use_lead"),
            self.env.ref("base.group_user").implied_ids,
        )
        demo = self.env["ir.model.data"].search(
            [("module", "=", "crm_customer_ownership"), ("model", "=", "res.partner")]
        )
        for partner in self.Partner.browse(demo.mapped("res_id")).exists():
            if partner.email:
                self.assertEqual(
                    email_normalize(partner.email), partner.email.lower(), partner.name
                )
                self.assertTrue(partner.email.isascii(), partner.email)
