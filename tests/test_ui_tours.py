import unittest
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tools.misc import file_open

from ..compat import ODOO_19
from .common import SALESMAN, SERVICE, new_users


class ToursMustRun(HttpCase):
    """A browser tour that cannot run fails instead of being skipped."""

    def browser_js(self, *args, **kwargs):
        # Odoo skips a tour without Chrome or its websocket client: a test
        # command that skips the browser flows silently proves nothing of
        # them, so a tour that cannot run fails here, saying why.
        try:
            return super().browser_js(*args, **kwargs)
        except unittest.SkipTest as skipped:
            raise AssertionError(
                f"The browser tour could not run ({skipped}): install Chromium "
                "and websocket-client (tools/run_tests.sh does) and run pytest "
                "with --odoo-http."
            ) from skipped

    def _appointment(self, name, user, customer):
        """``user``'s appointment with ``customer`` in a week."""
        start = fields.Datetime.now() + timedelta(days=7)
        return self.env["calendar.event"].create(
            {
                "name": name,
                "user_id": user.id,
                "start": start,
                "stop": start + timedelta(hours=1),
                "partner_ids": [Command.set([customer.id, user.partner_id.id])],
            }
        )


@tagged("post_install", "-at_install")
class TestUiTours(ToursMustRun):
    """The four flows a user walks in the browser (static/tests/tours)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        # Odoo 18 onboarding tours would cover the pages under test.
        cls.admin.tour_enabled = False
        cls.source, cls.target = new_users(
            cls.env,
            SALESMAN,
            tour_source="Tour Source Agent",
            tour_target="Tour Target Agent",
        )
        cls.Partner = cls.env["res.partner"]

    def _customer(self, name, **values):
        return self.Partner.create(
            {
                "name": name,
                "is_company": True,
                "user_id": self.source.id,
                "company_id": self.env.company.id,
                **values,
            }
        )

    def test_transfer_from_the_list(self):
        customer = self._customer("Tour Transfer Customer", external_ref="TT-1")
        appointment = self._appointment("Tour appointment", self.source, customer)
        task = customer.activity_schedule(user_id=self.source.id, summary="Tour task")
        self.start_tour(
            "/odoo/action-contacts.action_contacts?view_type=list",
            "crm_customer_ownership_transfer",
            login="admin",
        )
        self.assertEqual(customer.user_id, self.target)
        self.assertEqual(customer.ownership_history_ids.to_user_id, self.target)
        # The tour unticked the box beside "Appointments" only.
        self.assertEqual(appointment.user_id, self.source)
        self.assertEqual(task.user_id, self.target)

    def test_trash_and_restore(self):
        customer = self._customer("Tour Trash Customer", phone="+43 1 111")
        self.start_tour(
            f"/odoo/contacts/{customer.id}",
            "crm_customer_ownership_trash",
            login="admin",
        )
        self.assertTrue(customer.active)
        self.assertFalse(customer.trashed_at)
        self.assertIn(
            "Restored from trash",
            customer.message_ids.mapped("body")[0],
        )

    def test_import_with_preview_and_move(self):
        moved = self._customer("Tour Import Moved Customer", external_ref="TOUR-1")
        self.start_tour(
            "/odoo/contacts", "crm_customer_ownership_import", login="admin"
        )
        self.assertEqual(moved.user_id, self.admin)
        self.assertTrue(
            self.Partner.search(
                [("external_ref", "=", "TOUR-2"), ("user_id", "=", self.admin.id)]
            )
        )

    def test_merge_into(self):
        wrong = self._customer("Tour Wrong Customer")
        right = self._customer("Tour Right Customer")
        self.env["customer.visit.report"].create(
            {"partner_id": wrong.id, "summary": "Tour visit"}
        )
        self.start_tour(
            f"/odoo/contacts/{wrong.id}", "crm_customer_ownership_merge", login="admin"
        )
        # Kept archived and marked until the retention passes, for an undo.
        self.assertEqual(wrong.merged_into_id, right)
        self.assertFalse(wrong.active)
        self.assertEqual(right.visit_report_ids.summary, "Tour visit")

    def test_merge_from_the_list(self):
        wrong = self._customer("Tour List Copy")
        right = self._customer("Tour List Original", external_ref="TL-1")
        self.env["customer.visit.report"].create(
            {"partner_id": wrong.id, "summary": "Tour list visit"}
        )
        self.start_tour(
            "/odoo/action-contacts.action_contacts?view_type=list",
            "crm_customer_ownership_merge_list",
            login="admin",
        )
        self.assertEqual(wrong.merged_into_id, right)
        self.assertEqual(right.visit_report_ids.summary, "Tour list visit")

    def test_merge_undo(self):
        wrong = self._customer("Tour Undo Wrong")
        right = self._customer("Tour Undo Right")
        self.env["customer.visit.report"].create(
            {"partner_id": wrong.id, "summary": "Tour undo visit"}
        )
        log = wrong._merge_into(right)
        self.start_tour(
            f"/odoo/action-crm_customer_ownership.customer_merge_log_action/{log.id}",
            "crm_customer_ownership_merge_undo",
            login="admin",
        )
        self.assertEqual(log.state, "undone")
        self.assertEqual(wrong.visit_report_ids.summary, "Tour undo visit")

    def test_template_download_logs_no_warning(self):
        self.authenticate("admin", "admin")
        wizard = self.env["customer.import.wizard"].with_user(self.admin).create({})
        action = wizard.action_download_template()
        with self.assertNoLogs(level="WARNING"):
            response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"PK"), "an XLSX (zip) file")

    def _names_tours(self, lang):
        if lang != "en_US":
            self.env["res.lang"]._activate_lang(lang)
            self.env["ir.module.module"].search(
                [("name", "in", ("base", "crm_customer_ownership"))]
            )._update_translations(lang, overwrite=True)
            if not ODOO_19:
                self.env["res.groups"]._update_user_groups_view()
        self.admin.lang = lang
        wrong = self._customer("Tour Log Wrong")
        right = self._customer("Tour Log Right")
        self.env["customer.visit.report"].create(
            {"partner_id": wrong.id, "summary": "Tour log visit"}
        )
        wrong._merge_into(right)
        log = self.env["customer.merge.log"].search(
            [("source_partner_id", "=", wrong.id)]
        )
        code = lang[:2]
        self.start_tour(
            f"/odoo/action-crm_customer_ownership.customer_merge_log_action/{log.id}",
            f"crm_customer_ownership_merge_log_{code}",
            login="admin",
        )
        if ODOO_19:
            return  # the rights are built from privileges there
        self.start_tour(
            f"/odoo/action-base.action_res_users/{self.source.id}",
            f"crm_customer_ownership_user_form_{code}",
            login="admin",
        )

    def test_names_in_english(self):
        self._names_tours("en_US")

    def test_names_in_german(self):
        self._names_tours("de_DE")


@tagged("post_install", "-at_install")
class TestFirstHour(ToursMustRun):
    """An Odoo user's first hour with the module installed, in the browser
    (static/tests/tours/first_hour_tour.js): each chapter runs as the user
    who does it, on what the chapters before it left. Needs no demo data."""

    COMPANY = "First Hour Alpine GmbH"
    CONTACT = "Lena First Hour"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.agent, cls.colleague = new_users(
            cls.env,
            SALESMAN + ",crm.group_use_lead",
            fh_agent="First Hour Agent",
            fh_colleague="First Hour Colleague",
        )
        cls.service = new_users(cls.env, SERVICE, fh_service="First Hour Service")
        # Odoo 18 onboarding tours would cover the pages under test.
        (cls.admin | cls.agent | cls.colleague | cls.service).tour_enabled = False
        with file_open("crm_customer_ownership/demo/erp_import_huber.csv", "rb") as f:
            cls.import_file = f.read()
        cls.import_refs = [
            line.split(",")[0] for line in cls.import_file.decode().splitlines()[1:]
        ]
        # The file's numbers are the demo customers': where demo data is
        # loaded, they are renumbered so that the import creates the
        # customers here as on a database without demo data.
        cls.env.cr.execute(
            "UPDATE res_partner SET external_ref = 'demo-' || external_ref"
            " WHERE external_ref = ANY(%s)",
            [cls.import_refs],
        )
        cls.env["ir.attachment"].create(
            {"name": "erp_import_huber.csv", "raw": cls.import_file}
        )
        cls.Partner = cls.env["res.partner"]

    def test_first_hour(self):
        self.start_tour(
            "/odoo/contacts", "crm_customer_ownership_first_hour_create", login="admin"
        )
        company = self.Partner.search([("name", "=", self.COMPANY)])
        contact = self.Partner.search([("name", "=", self.CONTACT)])
        self.assertEqual(company.user_id, self.agent)
        self.assertEqual(contact.parent_id, company)
        document = company.consent_ids.document_ids
        self.assertEqual(document.name, "first_hour_consent.pdf")
        self.assertEqual(
            (document.res_model, document.res_id),
            ("customer.consent", company.consent_ids.id),
        )

        for login in ("fh_agent", "fh_service"):
            with self.subTest(open_as=login):
                self.start_tour(
                    f"/odoo/contacts/{company.id}",
                    "crm_customer_ownership_first_hour_open",
                    login=login,
                )

        self.start_tour(
            "/odoo/action-crm.crm_lead_all_leads",
            "crm_customer_ownership_first_hour_lead",
            login="fh_agent",
        )
        self.start_tour(
            "/odoo/crm",
            "crm_customer_ownership_first_hour_opportunity",
            login="fh_agent",
        )
        lead, opportunity = (
            self.env["crm.lead"].search([("name", "=", name)])
            for name in ("First hour lead", "First hour opportunity")
        )
        self.assertEqual(
            (lead.type, lead.user_id, lead.partner_name),
            ("lead", self.agent, self.COMPANY),
        )
        self.assertEqual(
            (opportunity.type, opportunity.user_id, opportunity.partner_id),
            ("opportunity", self.agent, company),
        )

        self.start_tour(
            f"/odoo/contacts/{contact.id}",
            "crm_customer_ownership_first_hour_archive",
            login="admin",
        )
        self.assertTrue(contact.active)

        self.start_tour(
            f"/odoo/contacts/{company.id}",
            "crm_customer_ownership_first_hour_trash",
            login="admin",
        )
        self.assertTrue(company.active)
        self.assertFalse(company.trashed_at)
        self.assertTrue(company.consent_ids.active)

        self.start_tour(
            "/odoo/contacts", "crm_customer_ownership_first_hour_import", login="admin"
        )
        imported = self.Partner.search([("external_ref", "in", self.import_refs)])
        self.assertEqual(len(imported), len(self.import_refs))
        self.assertEqual(imported.user_id, self.agent)

        appointment = self._appointment("First hour appointment", self.agent, company)
        self.start_tour(
            f"/odoo/contacts/{company.id}",
            "crm_customer_ownership_first_hour_transfer",
            login="admin",
        )
        self.assertEqual(company.user_id, self.colleague)
        # Appointments were unticked: the appointment stays with the agent,
        # the opportunity follows the customer.
        self.assertEqual(appointment.user_id, self.agent)
        self.assertEqual(opportunity.user_id, self.colleague)
