"""Users, leads and customers shared by the lead access tests."""

from contextlib import closing

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user

from .common import SALESMAN, SERVICE, CustomerOwnershipCase, new_users

# The hierarchy: director > team_lead > huber; director > maier (huber's peer).
# ``assigned`` belongs to maier and has huber as assigned operator.
LEADS_MAIN = {"huber", "maier", "team_lead", "director", "unassigned", "assigned"}
VISIBLE_LEADS = {
    "huber": {"huber", "unassigned", "assigned"},
    "maier": {"maier", "unassigned", "assigned"},
    "team_lead": {"team_lead", "huber", "unassigned"},
    "director": LEADS_MAIN,
    "service": LEADS_MAIN,
    "sales_manager": LEADS_MAIN,
    "other": {"other_company", "other_company_unassigned"},
}
# Only sales administrators may delete leads (Odoo's access rights).
DELETABLE_LEADS = {user: set() for user in VISIBLE_LEADS} | {
    "sales_manager": LEADS_MAIN
}

# Everybody but maier has "Restrict to own customers"; it only binds plain
# salespeople, so customer service and the sales administrator see all.
CUSTOMERS_MAIN = {"huber", "maier", "team_lead", "free"}
VISIBLE_CUSTOMERS = {
    "huber": {"huber", "free"},
    "maier": CUSTOMERS_MAIN,
    "team_lead": {"team_lead", "huber", "free"},
    "director": CUSTOMERS_MAIN,
    "service": CUSTOMERS_MAIN,
    "sales_manager": CUSTOMERS_MAIN,
    "other": {"other_company"},
}
# Only the sales administrator is a contact manager (through the transfer
# right it implies), so only it may delete a customer; visit blocks may be
# deleted by salespeople and customer service, visit reports and consents only
# by sales administrators.
DELETABLE = {
    "res.partner": {user: set() for user in VISIBLE_CUSTOMERS}
    | {"sales_manager": CUSTOMERS_MAIN},
    "customer.visit.block": VISIBLE_CUSTOMERS,
    "customer.visit.report": {user: set() for user in VISIBLE_CUSTOMERS}
    | {"sales_manager": CUSTOMERS_MAIN},
    "customer.consent": {user: set() for user in VISIBLE_CUSTOMERS}
    | {"sales_manager": CUSTOMERS_MAIN},
}
LINKED_MODELS = {
    "customer.visit.report": ("summary", {"summary": "Edited"}),
    "customer.visit.block": ("reason", {"reason": "Edited"}),
    "customer.consent": ("purpose", {"purpose": "Edited"}),
}


class LeadAccessCase(CustomerOwnershipCase):
    """The users of the issue, a fixed set of leads and customers, each
    customer with a visit report, a visit block and a consent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.env["res.company"].create({"name": "Second Company"})
        cls.director = new_users(cls.env, SALESMAN, t_director="Test Director")
        cls.team_lead = new_test_user(
            cls.env,
            login="t_team_lead",
            name="Test Team Lead",
            groups=SALESMAN,
            crm_manager_id=cls.director.id,
        )
        cls.huber.crm_manager_id = cls.team_lead
        cls.maier.crm_manager_id = cls.director
        cls.service = new_users(cls.env, SERVICE, t_service="Test Service")
        cls.other = new_test_user(
            cls.env,
            login="t_other",
            name="Test Other Company",
            groups=SALESMAN,
            company_id=cls.company_2.id,
            company_ids=[cls.company_2.id],
        )
        cls.users = {
            "huber": cls.huber,
            "maier": cls.maier,
            "team_lead": cls.team_lead,
            "director": cls.director,
            "service": cls.service,
            "sales_manager": cls.sales_manager,
            "other": cls.other,
        }
        (cls.env["res.users"].union(*cls.users.values()) - cls.maier).write(
            {"restrict_to_own_customers": True}
        )

        Lead = cls.env["crm.lead"]
        main, second = cls.company.id, cls.company_2.id
        lead_values = {
            "huber": (cls.huber.id, main),
            "maier": (cls.maier.id, main),
            "team_lead": (cls.team_lead.id, main),
            "director": (cls.director.id, main),
            "unassigned": (False, main),
            "assigned": (cls.maier.id, main),
            "other_company": (cls.other.id, second),
            "other_company_unassigned": (False, second),
        }
        cls.leads = {
            key: Lead.create(
                {"name": f"Lead {key}", "user_id": user_id, "company_id": company_id}
            )
            for key, (user_id, company_id) in lead_values.items()
        }
        cls.leads["assigned"].assigned_user_ids = cls.huber

        customer_values = {
            "huber": (cls.huber.id, main),
            "maier": (cls.maier.id, main),
            "team_lead": (cls.team_lead.id, main),
            "free": (False, main),
            "other_company": (cls.other.id, second),
        }
        cls.customers = {
            key: cls.Partner.create(
                {
                    "name": f"Customer {key}",
                    "user_id": user_id,
                    "company_id": company_id,
                    "is_company": True,
                }
            )
            for key, (user_id, company_id) in customer_values.items()
        }
        cls.linked = {
            "customer.visit.report": {
                key: cls.env["customer.visit.report"].create(
                    {"partner_id": customer.id, "summary": f"Visit {key}"}
                )
                for key, customer in cls.customers.items()
            },
            "customer.visit.block": {
                key: cls.env["customer.visit.block"].create(
                    {
                        "partner_id": customer.id,
                        "date_from": "2026-07-01",
                        "date_to": "2026-07-31",
                        "reason": f"Holidays {key}",
                    }
                )
                for key, customer in cls.customers.items()
            },
            "customer.consent": {
                key: cls.env["customer.consent"].create(
                    {"partner_id": customer.id, "purpose": f"Newsletter {key}"}
                )
                for key, customer in cls.customers.items()
            },
        }

    # The four operations, through the ORM; TestAccessThroughRpc overrides them.
    def _search_ids(self, user, model, ids):
        return set(self.env[model].with_user(user).search([("id", "in", ids)]).ids)

    def _read(self, user, record, field):
        record.with_user(user).read([field])

    def _write(self, user, record, vals):
        record.with_user(user).write(vals)

    def _unlink(self, user, record):
        record.with_user(user).unlink()

    def _allowed(self, operation, *args):
        """Whether ``operation`` passes the access checks; its effects are
        rolled back either way so every user finds the same records."""
        with closing(self.env.cr.savepoint()):
            try:
                operation(*args)
                self.env.flush_all()
            except AccessError:
                return False
            except UserError:
                # Passed the access checks, then refused for another reason:
                # these customers have history, which nobody may delete
                # (tests/test_security_delete.py).
                return True
            finally:
                self.env.invalidate_all()
        return True

    def _check(self, records, operation, expected, *args):
        """Assert, for every user, which of ``records`` (a {key: record}
        dict) ``operation`` is allowed on."""
        for name, user in self.users.items():
            with self.subTest(user=name, model=next(iter(records.values()))._name):
                allowed = {
                    key
                    for key, record in records.items()
                    if self._allowed(operation, user, record, *args)
                }
                self.assertEqual(allowed, expected[name])
