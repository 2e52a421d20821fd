from odoo import api
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, new_test_user

from ..compat import call_kw
from .common_lead_access import LeadAccessCase


class TestDefaultSalesperson(LeadAccessCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.ServiceLead = cls.env["crm.lead"].with_user(cls.service)

    def test_lead_from_customer_service_goes_to_admin_without_setting(self):
        self.assertFalse(self.company.crm_default_user_id)
        lead = self.ServiceLead.create({"name": "Caller"})
        self.assertEqual(lead.user_id, self.admin)

    def test_lead_from_customer_service_goes_to_default_salesperson(self):
        self.company.crm_default_user_id = self.maier
        leads = self.ServiceLead.create(
            [{"name": "Caller"}, {"name": "Cleared", "user_id": False}]
        )
        self.assertEqual(leads.user_id, self.maier)
        self.assertEqual(leads.company_id, self.company)

    def test_chosen_salesperson_is_kept(self):
        self.company.crm_default_user_id = self.maier
        lead = self.ServiceLead.create({"name": "Caller", "user_id": self.huber.id})
        self.assertEqual(lead.user_id, self.huber)

    def test_explicit_default_in_context_is_kept(self):
        """The mail gateway's way to leave a lead to the assignment rules."""
        self.company.crm_default_user_id = self.maier
        lead = self.ServiceLead.with_context(default_user_id=False).create(
            {"name": "From the gateway"}
        )
        self.assertFalse(lead.user_id)

    def test_lead_from_crm_user_behaves_as_in_odoo(self):
        self.company.crm_default_user_id = self.maier
        Lead = self.env["crm.lead"].with_user(self.huber)
        self.assertEqual(Lead.create({"name": "Mine"}).user_id, self.huber)
        self.assertFalse(Lead.create({"name": "Nobody's", "user_id": False}).user_id)

    def test_default_salesperson_per_company(self):
        self.company.crm_default_user_id = self.maier
        self.company_2.crm_default_user_id = self.other
        service_2 = new_test_user(
            self.env,
            login="t_service_2",
            groups="base.group_user,crm_customer_ownership.group_customer_service",
            company_id=self.company_2.id,
            company_ids=[self.company_2.id],
        )
        lead = self.env["crm.lead"].with_user(service_2).create({"name": "Caller 2"})
        self.assertEqual(lead.user_id, self.other)
        self.assertEqual(lead.company_id, self.company_2)

    def test_customer_service_form_proposes_default_salesperson(self):
        self.company.crm_default_user_id = self.maier
        with Form(self.ServiceLead) as form:
            self.assertEqual(form.user_id, self.maier)
            form.name = "Caller through the form"
        self.assertEqual(form.record.user_id, self.maier)
        # The lead lands with maier, and customer service keeps it in reach.
        self.assertTrue(form.record.with_user(self.maier).has_access("write"))
        self.assertTrue(form.record.with_user(self.service).has_access("write"))

    def test_default_salesperson_over_rpc(self):
        self.company.crm_default_user_id = self.maier
        env = api.Environment(self.env.cr, self.service.id, {})
        lead_id = call_kw(env["crm.lead"], "create", [{"name": "Over RPC"}], {})
        self.assertEqual(self.env["crm.lead"].browse(lead_id).user_id, self.maier)

    def test_default_salesperson_must_be_crm_user_of_the_company(self):
        for user in (self.service, self.other):
            with self.subTest(user=user.name), self.assertRaises(ValidationError):
                self.company.crm_default_user_id = user

    def test_setting_in_crm_settings(self):
        settings = Form(self.env["res.config.settings"].with_user(self.admin))
        settings.crm_default_user_id = self.huber
        settings.save().execute()
        self.assertEqual(self.company.crm_default_user_id, self.huber)

    def test_customer_service_has_no_other_sales_rights(self):
        self.assertFalse(self.service.has_group("sales_team.group_sale_salesman"))
        with self.assertRaises(AccessError):
            self.env["crm.activity.report"].with_user(self.service).search([])
        with self.assertRaises(AccessError):
            self.env["crm.tag"].with_user(self.service).create({"name": "New"})
