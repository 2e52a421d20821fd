from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form

from ..compat import USER_GROUPS_FIELD
from .common_lead_access import LeadAccessCase


class TestSalesHierarchy(LeadAccessCase):
    def _visible_leads(self, user):
        ids = [lead.id for lead in self.leads.values()]
        found = self.env["crm.lead"].with_user(user).search([("id", "in", ids)])
        return {key for key, lead in self.leads.items() if lead in found}

    def test_subordinates_are_the_whole_tree_below(self):
        self.assertEqual(
            self.director.crm_subordinate_ids, self.team_lead | self.huber | self.maier
        )
        self.assertEqual(self.team_lead.crm_subordinate_ids, self.huber)
        self.assertFalse(self.huber.crm_subordinate_ids)

    def test_archived_subordinate_stays_below(self):
        self.huber.active = False
        self.assertIn(self.huber, self.director.crm_subordinate_ids)
        self.assertIn("huber", self._visible_leads(self.team_lead))

    def test_cycles_are_refused(self):
        with self.assertRaises(ValidationError):
            self.director.crm_manager_id = self.huber
        with self.assertRaises(ValidationError):
            self.huber.crm_manager_id = self.huber

    def test_rule_domains_are_cached_per_user(self):
        """What the next tests prove is not for nothing: without the
        invalidation, Odoo keeps serving the old domain."""
        self.assertIn("huber", self._visible_leads(self.team_lead))
        # Behind the ORM's back: no write(), so no cache clearing.
        self.env.cr.execute(
            "UPDATE res_users SET crm_manager_id = %s WHERE id = %s",
            (self.director.id, self.huber.id),
        )
        self.env.invalidate_all()
        self.assertIn("huber", self._visible_leads(self.team_lead))

    def test_hierarchy_change_takes_effect_at_once(self):
        self.assertIn("huber", self._visible_leads(self.team_lead))
        self.assertNotIn("maier", self._visible_leads(self.team_lead))
        self.assertEqual(self.team_lead.crm_subordinate_ids, self.huber)
        self.huber.crm_manager_id = self.director
        self.maier.crm_manager_id = self.team_lead
        self.assertEqual(self.team_lead.crm_subordinate_ids, self.maier)
        self.assertNotIn("huber", self._visible_leads(self.team_lead))
        self.assertIn("maier", self._visible_leads(self.team_lead))
        # The director still sees both, one level further down or not.
        self.assertTrue({"huber", "maier"} <= self._visible_leads(self.director))

    def test_new_subordinate_takes_effect_at_once(self):
        self.assertNotIn("maier", self._visible_leads(self.huber))
        self.assertFalse(self.huber.crm_subordinate_ids)
        newcomer = self.env["res.users"].create(
            {
                "name": "New Agent Under Huber",
                "login": "t_new_agent_2",
                "crm_manager_id": self.huber.id,
                USER_GROUPS_FIELD: [
                    (6, 0, [self.env.ref("sales_team.group_sale_salesman").id])
                ],
            }
        )
        self.assertEqual(self.huber.crm_subordinate_ids, newcomer)
        self.assertIn(newcomer, self.director.crm_subordinate_ids)
        self.leads["maier"].user_id = newcomer
        self.assertIn("maier", self._visible_leads(self.huber))

    def test_deleted_subordinate_leaves_the_tree(self):
        newcomer = self.env["res.users"].create(
            {"name": "Short Stay", "login": "t_short", "crm_manager_id": self.huber.id}
        )
        self.assertEqual(self.huber.crm_subordinate_ids, newcomer)
        newcomer.unlink()
        self.assertFalse(self.huber.crm_subordinate_ids)

    def test_assignment_takes_effect_at_once(self):
        self.assertNotIn("maier", self._visible_leads(self.huber))
        self.leads["maier"].assigned_user_ids = self.huber
        self.assertIn("maier", self._visible_leads(self.huber))
        self.leads["assigned"].assigned_user_ids = False
        self.assertNotIn("assigned", self._visible_leads(self.huber))

    def test_option_takes_effect_at_once(self):
        Partner = self.Partner.with_user(self.huber)
        customer = self.customers["maier"]
        self.assertFalse(Partner.search([("id", "=", customer.id)]))
        self.huber.restrict_to_own_customers = False
        self.assertTrue(Partner.search([("id", "=", customer.id)]))
        self.huber.restrict_to_own_customers = True
        self.assertFalse(Partner.search([("id", "=", customer.id)]))

    def test_groups_change_takes_effect_at_once(self):
        Partner = self.Partner.with_user(self.huber)
        customer = self.customers["maier"]
        self.assertFalse(Partner.search([("id", "=", customer.id)]))
        self.huber[USER_GROUPS_FIELD] = [
            (4, self.env.ref("crm_customer_ownership.group_customer_service").id)
        ]
        self.assertTrue(Partner.search([("id", "=", customer.id)]))

    def test_salesperson_cannot_lift_own_restriction_or_change_manager(self):
        for vals in (
            {"restrict_to_own_customers": False},
            {"crm_manager_id": self.director.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.huber.with_user(self.huber).write(vals)

    def test_restricted_user_still_sees_own_partner_company_and_colleagues(self):
        # Even with a salesperson outside huber's tree, which is unusual.
        (self.huber.partner_id | self.maier.partner_id | self.company.partner_id).write(
            {"user_id": self.director.id}
        )
        Partner = self.Partner.with_user(self.huber)
        for partner in (
            self.huber.partner_id,
            self.maier.partner_id,
            self.company.partner_id,
        ):
            with self.subTest(partner=partner.name):
                self.assertEqual(Partner.search([("id", "=", partner.id)]), partner)
        # Odoo reads a user through its partner: colleagues stay readable.
        self.maier.with_user(self.huber).read(["name", "login"])

    def test_restricted_user_sees_contacts_of_own_customers_only(self):
        own_contact, other_contact = self.Partner.create(
            [
                {"name": "Own contact", "parent_id": self.customers["huber"].id},
                {"name": "Other contact", "parent_id": self.customers["maier"].id},
            ]
        )
        found = self.Partner.with_user(self.huber).search(
            [("id", "in", (own_contact | other_contact).ids)]
        )
        self.assertEqual(found, own_contact)

    def test_user_form_shows_hierarchy(self):
        form = Form(
            self.team_lead.with_user(self.env.ref("base.user_admin")),
            view="base.view_users_form",
        )
        self.assertEqual(form.crm_manager_id, self.director)
        self.assertTrue(form.restrict_to_own_customers)
        form.crm_manager_id = self.maier
        form.save()
        self.assertIn(self.team_lead, self.maier.crm_subordinate_ids)
