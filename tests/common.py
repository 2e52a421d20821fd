from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL

SALESMAN = "base.group_user,sales_team.group_sale_salesman"
SERVICE = "base.group_user,crm_customer_ownership.group_customer_service"


def new_users(env, groups, **names):
    """A user of ``groups`` for each ``login=name``, in that order."""
    return env["res.users"].concat(
        *(
            new_test_user(env, login=login, name=name, groups=groups)
            for login, name in names.items()
        )
    )


class CustomerOwnershipCase(TransactionCase):
    """Real users with real groups, and a few customers, built once per class.

    - ``huber`` and ``maier``: salespeople ("own documents only");
    - ``transfer_user``: a salesperson who may also transfer customers;
    - ``sales_manager``: Odoo's sales administrator.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.ref("base.main_company")
        cls.huber, cls.maier = new_users(
            cls.env, SALESMAN, t_huber="Test Huber", t_maier="Test Maier"
        )
        cls.transfer_user = new_users(
            cls.env,
            SALESMAN + ",crm_customer_ownership.group_customer_transfer",
            t_transfer="Test Transfer",
        )
        cls.sales_manager = new_users(
            cls.env,
            "base.group_user,sales_team.group_sale_manager",
            t_sales_manager="Test Sales Manager",
        )
        cls.Partner = cls.env["res.partner"]
        cls.customers_huber = cls.Partner.create(
            [
                {
                    "name": f"Huber Customer {i}",
                    "external_ref": f"H{i:03d}",
                    "user_id": cls.huber.id,
                    "is_company": True,
                }
                for i in range(1, 6)
            ]
        )
        cls.customer_maier = cls.Partner.create(
            {"name": "Maier Customer", "external_ref": "M001", "user_id": cls.maier.id}
        )

    @classmethod
    def _add_history(cls, customer, agent, now):
        """What an agent leaves on a customer and a transfer takes along: two
        visit reports, a visit block, an open task, a future appointment."""
        env = cls.env
        env["customer.visit.report"].create(
            [
                {"partner_id": customer.id, "user_id": agent.id, "summary": s}
                for s in ("First visit", "Second visit")
            ]
        )
        env["customer.visit.block"].create(
            {
                "partner_id": customer.id,
                "date_from": "2026-07-01",
                "date_to": "2026-07-31",
                "reason": "Summer closing",
            }
        )
        cls._add_task(customer, agent, "Open task")
        cls._add_appointment(customer, agent, "Future visit", now + timedelta(days=3))

    @classmethod
    def _add_closed_history(cls, customer, agent, now):
        """What a transfer leaves where it is: a done task, a past
        appointment, a won opportunity; and an open one, which moves."""
        cls._add_task(customer, agent, "Done task").action_done()
        cls._add_appointment(customer, agent, "Past visit", now - timedelta(days=3))
        leads = cls.env["crm.lead"].create(
            [
                {
                    "name": f"{name} {customer.name}",
                    "type": "opportunity",
                    "partner_id": customer.id,
                    "user_id": agent.id,
                }
                for name in ("Open deal", "Won deal")
            ]
        )
        leads[1].stage_id = cls.env["crm.stage"].search(
            [("is_won", "=", True)], limit=1
        )

    @classmethod
    def _add_task(cls, customer, agent, summary):
        # One create per activity: stock mail.activity subscribes the assignee
        # once per row of a batch and trips its own unique follower index.
        return cls.env["mail.activity"].create(
            {
                "res_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "res_id": customer.id,
                "activity_type_id": cls.env.ref("mail.mail_activity_data_todo").id,
                "summary": summary,
                "user_id": agent.id,
                "date_deadline": "2026-05-10",
            }
        )

    @classmethod
    def _add_appointment(cls, customer, agent, name, start):
        return cls.env["calendar.event"].create(
            {
                "name": name,
                "user_id": agent.id,
                "start": start,
                "stop": start + timedelta(hours=1),
                "partner_ids": [Command.set([customer.id, agent.partner_id.id])],
            }
        )

    @classmethod
    def _add_linked_records(cls, customer, agent, now):
        """One record of each kind that follows the customer in a move, held
        by ``agent``: {kind key: records}. Besides: a consent, which always
        stays on the customer."""
        env = cls.env
        reports = env["customer.visit.report"].create(
            [
                {"partner_id": customer.id, "user_id": agent.id, "summary": s}
                for s in ("First visit", "Second visit")
            ]
        )
        block = env["customer.visit.block"].create(
            {
                "partner_id": customer.id,
                "date_from": "2026-07-01",
                "date_to": "2026-07-31",
                "reason": "Summer closing",
            }
        )
        env["customer.consent"].create(
            {"partner_id": customer.id, "purpose": "Newsletter"}
        )
        return {
            "visit_reports": reports,
            "visit_blocks": block,
            "tasks": cls._add_task(customer, agent, "Open task"),
            "appointments": cls._add_appointment(
                customer, agent, "Future visit", now + timedelta(days=3)
            ),
            "opportunities": env["crm.lead"].create(
                {
                    "name": f"Open deal {customer.name}",
                    "type": "opportunity",
                    "partner_id": customer.id,
                    "user_id": agent.id,
                }
            ),
            "contacts": cls.Partner.create(
                {
                    "name": f"Contact of {customer.name}",
                    "parent_id": customer.id,
                    "type": "contact",
                    "user_id": agent.id,
                }
            ),
        }

    def _age(self, column, partner):
        """Put ``column`` of ``partner`` one day past the trash retention."""
        days = self.Partner._get_trash_retention_days() + 1
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET %s = %s WHERE id = %s",
                SQL.identifier(column),
                fields.Datetime.now() - timedelta(days=days),
                partner.id,
            )
        )
        self.env.invalidate_all()

    def _merge_log(self, source, target, user=None):
        """Merge ``source`` into ``target`` through the wizard, as ``user``
        (the sales manager unless given), as an XML-RPC client or the UI
        would: the merge's log."""
        self.env["customer.merge.wizard"].with_user(user or self.sales_manager).create(
            {"source_partner_id": source.id, "target_partner_id": target.id}
        ).action_merge()
        return self.env["customer.merge.log"].search(
            [("source_partner_id", "=", source.id)]
        )

    def _expired_merge_log(self, source, target):
        """Merge ``source`` into ``target``, then let the purge expire the
        merge while a business document keeps ``source``: the merge's log."""
        log = self._merge_log(source, target)
        # A document added to the merged customer after the merge keeps it
        # from being deleted: the purge keeps it as an archived contact.
        lead = self.env["crm.lead"].create({"name": "Late Deal"})
        self.env.cr.execute(
            SQL("UPDATE crm_lead SET partner_id = %s WHERE id = %s", source.id, lead.id)
        )
        self._age("merged_at", source)
        self.Partner._cron_purge_trash()
        return log
