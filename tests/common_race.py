"""What the race tests share: two real transactions on committed data.

Odoo's test cursor runs a test in one transaction that is never committed;
a race needs two transactions that see the same committed rows, so these
tests commit their data in cursors of their own and remove it afterwards.
"""

import time

from odoo import SUPERUSER_ID, api
from odoo.tests import BaseCase, get_db_name

from ..models.res_partner import ownership_workflow

# How long a test waits for the racing transaction to block on the lock.
BLOCK_WAIT = 30
CONTEXT = {"tracking_disable": True, "mail_create_nolog": True}


def wait_until_blocked(cr, pid, timeout=BLOCK_WAIT):
    """Whether the backend ``pid`` waits for a lock within ``timeout``
    seconds (seen from ``cr``, another transaction)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cr.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cr.fetchone()
        if row and row[0] == "Lock":
            return True
        time.sleep(0.05)
    return False


class CommittedDataCase(BaseCase):
    """A case whose transactions are real ones on the database's registry,
    opened by the test itself, as administrator unless told otherwise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from odoo.modules.registry import Registry

        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            cls.admin_id = cls._env(cr, SUPERUSER_ID).ref("base.user_admin").id

    @classmethod
    def _env(cls, cr, uid=None):
        return api.Environment(cr, uid or cls.admin_id, CONTEXT)


class CommittedCustomerMixin:
    """Three agents and a customer of the first with three visit reports,
    committed before each test and removed after it; the ``race_ref``
    (ERP Number) and ``race_login`` keep each class's rows apart."""

    race_ref = "R1"
    race_login = "t_race"

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            agents = env["res.users"].create(
                [
                    {"name": f"Race Agent {i}", "login": f"{self.race_login}_{i}"}
                    for i in range(3)
                ]
            )
            customer = env["res.partner"].create(
                {
                    "name": "Race Customer",
                    "external_ref": self.race_ref,
                    "user_id": agents[0].id,
                }
            )
            env["customer.visit.report"].create(
                [{"partner_id": customer.id, "summary": f"Visit {i}"} for i in range(3)]
            )
            self.agent_ids, self.customer_id = agents.ids, customer.id
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            partners = env["res.partner"].search(
                [("external_ref", "=", self.race_ref)]
            ) | env["res.partner"].browse(self.customer_id)
            env["customer.ownership.history"].search(
                [("partner_id", "in", partners.ids)]
            ).unlink()
            env["customer.import.log"].search(
                [("agent_id", "in", self.agent_ids)]
            ).unlink()
            env["customer.import.wizard"].search(
                [("user_id", "in", self.agent_ids)]
            ).unlink()
            env["mail.message"].search(
                [("model", "=", "res.partner"), ("res_id", "in", partners.ids)]
            ).unlink()
            # The customer has history: only the module's own workflows
            # (purge, merge) may delete it.
            with ownership_workflow():
                partners.unlink()
            users = env["res.users"].browse(self.agent_ids)
            user_partners = users.partner_id
            users.unlink()
            user_partners.unlink()
