import base64

from lxml import etree

from odoo.tests import Form

from ..hooks import uninstall_hook
from .common import CustomerOwnershipCase


class TestUiViews(CustomerOwnershipCase):
    """What a user sees of ownership and the trash in the contact views."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.customers_huber[0]
        cls.env["customer.visit.report"].create(
            {"partner_id": cls.customer.id, "summary": "Spring visit"}
        )
        cls.env["customer.visit.block"].create(
            {
                "partner_id": cls.customer.id,
                "date_from": "2026-07-01",
                "date_to": "2026-07-31",
                "reason": "Summer closing",
            }
        )

    def _arch(self, view_type):
        views = self.Partner.get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_number_is_labelled_erp_number(self):
        # "External ID" is Odoo's name for XML ids: ours must not clash.
        self.assertEqual(
            self.Partner.fields_get(["external_ref"])["external_ref"]["string"],
            "ERP Number",
        )

    def test_kanban_card_shows_salesperson_and_number(self):
        kanban = self._arch("kanban")
        self.assertTrue(kanban.xpath("//field[@name='external_ref']"))
        self.assertTrue(
            kanban.xpath("//footer//field[@name='user_id'][@widget]"),
            "the card's footer shows the salesperson's avatar",
        )

    def test_ownership_tab_shows_salesperson(self):
        form = self._arch("form")
        self.assertTrue(
            form.xpath("//page[@name='customer_ownership']//field[@name='user_id']")
        )

    def test_move_to_trash_asks_for_confirmation(self):
        for view_type in ("form", "list"):
            buttons = self._arch(view_type).xpath("//button[@name='action_trash']")
            self.assertTrue(buttons, view_type)
            self.assertTrue(all(b.get("confirm") for b in buttons), view_type)

    def test_trashed_customer_form_is_read_only(self):
        form = Form(self.customer)
        form.phone = "+43 1 234"
        form.save()
        self.customer.action_trash()
        form = Form(self.customer)
        with self.assertRaises(AssertionError):
            form.phone = "+43 1 999"
        with self.assertRaises(AssertionError):
            form.name = "Renamed in the trash"

    def test_restored_customer_form_is_editable_again(self):
        self.customer.action_trash()
        self.customer.action_restore()
        form = Form(self.customer)
        form.phone = "+43 1 999"
        form.save()
        self.assertEqual(self.customer.phone, "+43 1 999")

    def test_smart_button_counts_are_the_same_in_the_trash(self):
        self.assertEqual(self.customer.visit_report_count, 1)
        self.assertEqual(self.customer.visit_block_count, 1)
        self.customer.action_trash()
        self.customer.invalidate_recordset(["visit_report_count", "visit_block_count"])
        self.assertEqual(self.customer.visit_report_count, 1)
        self.assertEqual(self.customer.visit_block_count, 1)

    def test_smart_buttons_of_a_trashed_customer_list_its_records(self):
        self.customer.action_trash()
        for method, model in (
            ("action_view_visit_reports", "customer.visit.report"),
            ("action_view_visit_blocks", "customer.visit.block"),
        ):
            action = getattr(self.customer, method)()
            records = (
                self.env[model]
                .with_context(**action["context"])
                .search(action["domain"])
            )
            self.assertEqual(len(records), 1, method)

    def test_import_dialog_keeps_its_title_and_filters_inside(self):
        csv = "external_ref,name\nUI-1,New Customer\n,Row without number\n"
        wizard = (
            self.env["customer.import.wizard"]
            .with_user(self.huber)
            .create({"file": base64.b64encode(csv.encode()), "filename": "ui.csv"})
        )
        action = wizard.action_preview()
        self.assertEqual(action["name"], "Import Customers")
        self.assertEqual(action["target"], "new")
        self.assertEqual(wizard.line_error_ids.mapped("row"), [3])
        self.assertEqual(len(wizard.line_ids), 2)
        self.assertFalse(wizard.line_transfer_ids)

    def test_contacts_configuration_menu_comes_last_and_goes_back(self):
        """Configuration comes after the module's menus in Contacts, and
        gets its own place back when the module is uninstalled."""
        config = self.env.ref("contacts.res_partner_menu_config")
        ours = self.env.ref("crm_customer_ownership.menu_customer_trash")
        self.assertGreater(config.sequence, ours.sequence)
        uninstall_hook(self.env)
        self.assertEqual(config.sequence, 2)
