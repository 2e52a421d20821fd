"""Who sees, edits and deletes which lead and customer.

Every user below runs the same operations on the same records, once through
the ORM (``with_user``) and once the way an XML-RPC/JSON-RPC call is
dispatched: ``odoo.api.call_kw`` on a fresh environment of that user with an
empty context, which is what ``odoo.service.model.execute_cr`` does after
authentication. ``execute_kw`` itself is not called because it opens and
commits its own cursor, which would not see (and would leak) the test's
uncommitted records.
"""

from odoo import api
from odoo.exceptions import UserError
from odoo.tests import Form

from ..compat import call_kw
from .common_lead_access import (
    DELETABLE,
    DELETABLE_LEADS,
    LINKED_MODELS,
    VISIBLE_CUSTOMERS,
    VISIBLE_LEADS,
    LeadAccessCase,
)


class AccessMatrix:
    """The assertions, run once per way of calling (see the two classes at
    the end of the file)."""

    # Odoo's test runner runs only the test methods a class defines itself,
    # unless told otherwise: these are inherited.
    allow_inherited_tests_method = True

    def test_search_leads(self):
        ids = [lead.id for lead in self.leads.values()]
        for name, user in self.users.items():
            with self.subTest(user=name):
                found = self._search_ids(user, "crm.lead", ids)
                self.assertEqual(
                    found, {self.leads[key].id for key in VISIBLE_LEADS[name]}
                )

    def test_read_leads(self):
        self._check(self.leads, self._read, VISIBLE_LEADS, "name")

    def test_write_leads(self):
        self._check(self.leads, self._write, VISIBLE_LEADS, {"priority": "2"})

    def test_unlink_leads(self):
        self._check(self.leads, self._unlink, DELETABLE_LEADS)

    def test_search_customers_and_linked_records(self):
        for model, records in [("res.partner", self.customers), *self.linked.items()]:
            ids = [record.id for record in records.values()]
            for name, user in self.users.items():
                with self.subTest(user=name, model=model):
                    found = self._search_ids(user, model, ids)
                    self.assertEqual(
                        found, {records[key].id for key in VISIBLE_CUSTOMERS[name]}
                    )

    def test_read_customers_and_linked_records(self):
        self._check(self.customers, self._read, VISIBLE_CUSTOMERS, "name")
        for model, (field, _vals) in LINKED_MODELS.items():
            self._check(self.linked[model], self._read, VISIBLE_CUSTOMERS, field)

    def test_write_customers_and_linked_records(self):
        self._check(self.customers, self._write, VISIBLE_CUSTOMERS, {"ref": "X1"})
        for model, (_field, vals) in LINKED_MODELS.items():
            self._check(self.linked[model], self._write, VISIBLE_CUSTOMERS, vals)

    def test_unlink_customers_and_linked_records(self):
        self._check(self.customers, self._unlink, DELETABLE["res.partner"])
        for model in LINKED_MODELS:
            self._check(self.linked[model], self._unlink, DELETABLE[model])


class TestAccessThroughOrm(AccessMatrix, LeadAccessCase):
    pass


class TestAccessThroughRpc(AccessMatrix, LeadAccessCase):
    def _call(self, user, model, method, *args, **kwargs):
        env = api.Environment(self.env.cr, user.id, {})
        return call_kw(env[model], method, list(args), kwargs)

    def _search_ids(self, user, model, ids):
        rows = self._call(
            user, model, "search_read", domain=[("id", "in", ids)], fields=["id"]
        )
        return {row["id"] for row in rows}

    def _read(self, user, record, field):
        self._call(user, record._name, "read", record.ids, [field])

    def _write(self, user, record, vals):
        self._call(user, record._name, "write", record.ids, vals)

    def _unlink(self, user, record):
        self._call(user, record._name, "unlink", record.ids)


class TestAssignedOperators(LeadAccessCase):
    def test_salesperson_shares_own_lead_through_the_form(self):
        lead = self.leads["huber"]
        self.assertFalse(lead.with_user(self.maier).has_access("read"))
        with Form(lead.with_user(self.huber)) as form:
            form.assigned_user_ids.add(self.maier)
        self.assertTrue(lead.with_user(self.maier).has_access("write"))
        lead.with_user(self.maier).priority = "3"
        self.assertEqual(lead.priority, "3")

    def test_removed_operator_loses_access_at_once(self):
        lead = self.leads["assigned"]
        self.assertTrue(lead.with_user(self.huber).has_access("write"))
        # Not flushed yet: the rule's value must still follow the change.
        lead.assigned_user_ids = self.team_lead
        self.assertFalse(lead.with_user(self.huber).has_access("read"))
        self.assertEqual(lead.rule_assigned_user_ids, self.team_lead)
        self.assertTrue(lead.with_user(self.team_lead).has_access("write"))

    def test_rule_value_of_a_lead_being_created(self):
        lead = self.env["crm.lead"].new(
            {"name": "On the phone", "assigned_user_ids": [(6, 0, self.huber.ids)]}
        )
        self.assertEqual(lead.rule_assigned_user_ids._origin, self.huber)

    def test_search_by_assigned_operator(self):
        Lead = self.env["crm.lead"]
        self.assertEqual(
            Lead.search([("rule_assigned_user_ids", "=", self.huber.id)]),
            self.leads["assigned"],
        )
        self.assertEqual(
            Lead.search([("rule_assigned_user_ids", "in", [self.maier.id])]),
            Lead,
        )
        with self.assertRaises(UserError):
            Lead.search([("rule_assigned_user_ids", "!=", self.huber.id)])


class TestCustomerService(LeadAccessCase):
    def test_menu_to_every_lead(self):
        menu = self.env.ref("crm_customer_ownership.menu_crm_lead_customer_service")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.service)._visible_menu_ids())
        self.assertNotIn(menu.id, Menu.with_user(self.huber)._visible_menu_ids())

    def test_reads_lead_tags(self):
        lead = self.leads["maier"]
        lead.tag_ids = self.env["crm.tag"].create({"name": "Urgent"})
        data = lead.with_user(self.service).web_read(
            {"tag_ids": {"fields": {"display_name": {}}}}
        )
        self.assertEqual(data[0]["tag_ids"][0]["display_name"], "Urgent")
