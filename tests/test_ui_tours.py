import unittest

from odoo.tests import HttpCase, new_test_user, tagged

from ..compat import ODOO_19


@tagged("post_install", "-at_install")
class TestUiTours(HttpCase):
    """The four flows a user walks in the browser (static/tests/tours)."""

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

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        # Odoo 18 onboarding tours would cover the pages under test.
        cls.admin.tour_enabled = False
        salesman = "base.group_user,sales_team.group_sale_salesman"
        cls.source = new_test_user(
            cls.env, login="tour_source", name="Tour Source Agent", groups=salesman
        )
        cls.target = new_test_user(
            cls.env, login="tour_target", name="Tour Target Agent", groups=salesman
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
        self.start_tour(
            "/odoo/action-contacts.action_contacts?view_type=list",
            "crm_customer_ownership_transfer",
            login="admin",
        )
        self.assertEqual(customer.user_id, self.target)
        self.assertEqual(customer.ownership_history_ids.to_user_id, self.target)

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
