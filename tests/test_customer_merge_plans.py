"""The merge's and the undo's statements keep plans proportional to the ids
they are given, whatever PostgreSQL's statistics say (tests/plan_guard.py).

The linked records are loaded in bulk SQL inside the test transaction, where
PostgreSQL has no statistics for any of them, as right after a data
migration. Every statement the merge engine, the reference redirect and the
undo execute is EXPLAINed just before it runs.
"""

from datetime import datetime, timedelta

from .common_merge import CustomerMergeCase
from .plan_guard import PlanGuardCase, capture_plans

BATCH = 2000
ENGINE_FILES = (
    "models/res_partner_merge.py",
    "models/customer_reference_redirect.py",
    "models/customer_merge_log.py",
)
# Odoo indexes no column through which these point at a customer: a merge
# reads them once, whole (linear in the table, never per row). An index was
# not worth its upkeep for one customer at a time: see README, Merge.
UNINDEXED = frozenset(
    {("calendar_event", "res_id"), ("mail_activity", "request_partner_id")}
)


def _reads_an_unindexed_column(sql):
    return any(
        f'"{table}" AS t SET "{column}"' in sql or f'FROM "{table}" AS t' in sql
        for table, column in UNINDEXED
    )


class TestCustomerMergePlans(PlanGuardCase, CustomerMergeCase):
    plans_given = f"the one customer holding {BATCH} records of each kind"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = cls.Partner.create({"name": "Plan Wrong", "is_company": True})
        cls.target = cls.Partner.create({"name": "Plan Right", "is_company": True})
        cls.other = cls.Partner.create({"name": "Plan Other", "is_company": True})
        for partner in (cls.source, cls.target, cls.other):
            cls._bulk_links(partner, BATCH)

    @classmethod
    def _bulk_links(cls, partner, count):
        """``count`` records of every kind linked to ``partner``, in bulk SQL
        as a migration loads them: contacts (which follow it), opportunities
        (which it follows), tasks, notes it wrote, attachments, appointments
        it attends, visit reports and visit blocks."""
        env = cls.env
        env.flush_all()
        cr = env.cr
        start = datetime(2030, 1, 7, 9)
        values = {
            "p": partner.id,
            "n": count,
            "model": env["ir.model"]._get_id("res.partner"),
            "todo": env.ref("mail.mail_activity_data_todo").id,
            "start": start,
            "stop": start + timedelta(hours=1),
        }
        for query in (
            """
            WITH c AS (
                INSERT INTO res_partner (name, complete_name, parent_id,
                       commercial_partner_id, active, type, create_date, write_date)
                SELECT 'Contact ' || k, 'Contact ' || k, %(p)s, %(p)s, TRUE,
                       'contact', NOW(), NOW()
                  FROM generate_series(1, %(n)s) k
             RETURNING id)
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT 'res.partner', %(p)s, id FROM c
            """,
            """
            WITH l AS (
                INSERT INTO crm_lead (name, type, partner_id, active,
                       create_date, write_date)
                SELECT 'Deal ' || k, 'opportunity', %(p)s, TRUE, NOW(), NOW()
                  FROM generate_series(1, %(n)s) k
             RETURNING id)
            INSERT INTO mail_followers (res_model, res_id, partner_id)
            SELECT 'crm.lead', id, %(p)s FROM l
            """,
            """
            INSERT INTO mail_activity (res_model_id, res_model, res_id,
                   activity_type_id, summary, date_deadline, user_id, active,
                   create_date, write_date)
            SELECT %(model)s, 'res.partner', %(p)s, %(todo)s, 'Call ' || k,
                   '2030-01-01', 2, TRUE, NOW(), NOW()
              FROM generate_series(1, %(n)s) k
            """,
            """
            INSERT INTO mail_message (model, res_id, body, message_type,
                   author_id, date, create_date, write_date)
            SELECT 'res.partner', %(p)s, '<p>Note</p>', 'comment', %(p)s,
                   NOW(), NOW(), NOW()
              FROM generate_series(1, %(n)s) k
            """,
            """
            INSERT INTO ir_attachment (name, type, url, res_model, res_id,
                   create_date, write_date)
            SELECT 'Offer ' || k, 'url', 'https://example.com/' || k,
                   'res.partner', %(p)s, NOW(), NOW()
              FROM generate_series(1, %(n)s) k
            """,
            """
            WITH e AS (
                INSERT INTO calendar_event (name, start, stop, active, privacy,
                       show_as, create_date, write_date)
                SELECT 'Visit ' || k, %(start)s, %(stop)s, TRUE, 'public',
                       'busy', NOW(), NOW()
                  FROM generate_series(1, %(n)s) k
             RETURNING id),
            r AS (
                INSERT INTO calendar_event_res_partner_rel
                       (calendar_event_id, res_partner_id)
                SELECT id, %(p)s FROM e)
            INSERT INTO calendar_attendee (event_id, partner_id, state)
            SELECT id, %(p)s, 'accepted' FROM e
            """,
            """
            INSERT INTO customer_visit_report (partner_id, date, summary,
                   active, create_date, write_date)
            SELECT %(p)s, '2026-01-01', 'Visit ' || k, TRUE, NOW(), NOW()
              FROM generate_series(1, %(n)s) k
            """,
            """
            INSERT INTO customer_visit_block (partner_id, date_from, date_to,
                   reason, active, create_date, write_date)
            SELECT %(p)s, '2030-01-01', '2030-01-02', 'Block ' || k, TRUE,
                   NOW(), NOW()
              FROM generate_series(1, %(n)s) k
            """,
        ):
            cr.execute(query, values)
        env.invalidate_all()

    def test_merge_and_undo_plans_follow_the_ids(self):
        # sudo: the plans, not the permissions, are under test.
        source, target = self.source.sudo(), self.target.sudo()
        with capture_plans(self.env.cr, ENGINE_FILES) as merge_plans:
            log = source._merge_into(target)
        with capture_plans(self.env.cr, ENGINE_FILES) as undo_plans:
            log.action_undo()
        self.assertEqual(log.state, "undone")
        self.assertFalse(log.undo_report)
        self.assertEqual(
            self.env["crm.lead"].search_count([("partner_id", "=", source.id)]), BATCH
        )
        # What the engine executes, itself or through the ORM.
        self.assertPlansProportional(
            [s for s in merge_plans if s["where"]], _reads_an_unindexed_column
        )
        self.assertPlansProportional([s for s in undo_plans if s["where"]])
