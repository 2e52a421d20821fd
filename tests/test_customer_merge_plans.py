"""The merge's and the undo's statements keep plans proportional to the ids
they are given, whatever PostgreSQL's statistics say.

The linked records are loaded in bulk SQL inside the test transaction, where
PostgreSQL has no statistics for any of them, as right after a data
migration. Every statement the merge engine, the reference redirect and the
undo execute is EXPLAINed just before it runs.

(A small guard of our own until tests/test_query_plans.py, the project-wide
EXPLAIN guard, is on main: its statements can then move there.)
"""

import json
import os
import re
import sys
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tools import SQL

from .common_merge import CustomerMergeCase

BATCH = 2000
MODELS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "models")
ENGINE_FILES = tuple(
    os.path.join(MODELS_DIR, name)
    for name in (
        "res_partner_merge.py",
        "customer_reference_redirect.py",
        "customer_merge_log.py",
    )
)
# What the fixture fills with BATCH rows per customer.
LARGE_RELATIONS = frozenset(
    {
        "res_partner",
        "crm_lead",
        "mail_activity",
        "mail_message",
        "mail_followers",
        "ir_attachment",
        "calendar_event",
        "calendar_event_res_partner_rel",
        "calendar_attendee",
        "customer_visit_report",
        "customer_visit_block",
    }
)
# Odoo indexes no column through which these point at a customer: a merge
# reads them once, whole (linear in the table, never per row). An index was
# not worth its upkeep for one customer at a time: see README, Merge.
UNINDEXED = frozenset(
    {("calendar_event", "res_id"), ("mail_activity", "request_partner_id")}
)


# Frames that only pass a statement on to the cursor.
PASS_THROUGH = (
    os.path.join("odoo", "sql_db.py"),
    os.path.join("odoo", "tools", "sql.py"),
    os.path.join("psycopg2", "extras.py"),
    "contextlib.py",
    os.path.join("unittest", "mock.py"),
)


def _origin():
    """(written by the engine itself, 'file:line' of the nearest engine
    frame) for the statement being executed; ORM statements on the engine's
    behalf are (False, ...)."""
    frame = sys._getframe(2)
    own = None
    while frame:
        filename = frame.f_code.co_filename
        if own is None and not filename.endswith(PASS_THROUGH):
            own = filename.endswith(ENGINE_FILES)
        if filename.endswith(ENGINE_FILES):
            return own, f"{os.path.basename(filename)}:{frame.f_lineno}"
        frame = frame.f_back
    return False, None


@contextmanager
def engine_plans(cr):
    """[(own, where, sql, plan)] of the statements the merge engine executes
    on ``cr`` inside the block (``own``: written by the engine, not by the ORM
    on its behalf), EXPLAINed just before they run."""
    plans = []
    execute = Cursor.execute

    def explaining(self, query, params=None, log_exceptions=True):
        own, where = _origin() if self is cr else (False, None)
        code = query.code if isinstance(query, SQL) else query
        if where and isinstance(code, str):
            args = query.params if isinstance(query, SQL) else params
            if code.lstrip().split(None, 1)[0].upper() in ("SELECT", "UPDATE", "WITH"):
                raw = self._obj
                raw.execute("SAVEPOINT merge_plan")
                raw.execute("EXPLAIN (FORMAT JSON) " + code, args or None)
                plan = raw.fetchone()[0]
                raw.execute("RELEASE SAVEPOINT merge_plan")
                if isinstance(plan, str):
                    plan = json.loads(plan)
                plans.append((own, where, " ".join(code.split()), plan[0]["Plan"]))
        return execute(self, query, params, log_exceptions)

    with patch.object(Cursor, "execute", explaining):
        yield plans


def full_scans(node, repeated=False):
    """[(relation, repeated)] of the sequential scans of large relations;
    ``repeated``: once per row of something that has more than one row (the
    inner side of a nested loop, a correlated subplan)."""
    found = []
    if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in LARGE_RELATIONS:
        found.append((node["Relation Name"], repeated))
    children = node.get("Plans", ())
    outer_rows = max(
        (c["Plan Rows"] for c in children if c.get("Parent Relationship") == "Outer"),
        default=0,
    )
    for child in children:
        relationship = child.get("Parent Relationship")
        inner = relationship == "SubPlan" or (
            node["Node Type"] == "Nested Loop"
            and relationship == "Inner"
            and outer_rows > 1
        )
        found += full_scans(child, repeated or inner)
    return found


def rescans(node):
    """[index scans on the inner side of a nested loop whose index condition
    does not refer to the outer row]: each loop reads the same index range
    again, dead entries included (those the merge left in the same
    transaction, or before a vacuum), so that the statement costs rows x
    range whatever the outer side was estimated at."""
    found = []
    children = node.get("Plans", ())
    for child in children:
        if (
            node["Node Type"] == "Nested Loop"
            and child.get("Parent Relationship") == "Inner"
            and child["Node Type"] in ("Index Scan", "Index Only Scan")
            # A qualified column (t.partner_id, m.src) is the outer row's;
            # a literal ('res.partner') is not.
            and not re.search(
                r"\b[a-z_]+\.[a-z_]+\b",
                re.sub(r"'[^']*'", "", child.get("Index Cond", "")),
            )
        ):
            found.append(f"{child['Index Name']}: {child.get('Index Cond')}")
        found += rescans(child)
    return found


class TestCustomerMergePlans(CustomerMergeCase):
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
        with engine_plans(self.env.cr) as merge_plans:
            log = source._merge_into(target)
        with engine_plans(self.env.cr) as undo_plans:
            log.action_undo()
        self.assertEqual(log.state, "undone")
        self.assertFalse(log.undo_report)
        self.assertEqual(
            self.env["crm.lead"].search_count([("partner_id", "=", source.id)]), BATCH
        )

        problems = []
        for phase, plans in (("merge", merge_plans), ("undo", undo_plans)):
            self.assertTrue(plans)
            for own, where, sql, plan in plans:
                for relation, repeated in full_scans(plan):
                    # The ORM's own reads and writes by id may scan a table
                    # it believes tiny, once: linear, and Odoo's to plan.
                    allowed = not own and not repeated
                    allowed = (
                        allowed
                        or phase == "merge"
                        and not repeated
                        and any(
                            f'"{table}" AS t SET "{column}"' in sql
                            or f'FROM "{table}" AS t' in sql
                            for table, column in UNINDEXED
                        )
                    )
                    if not allowed:
                        problems.append(
                            f"{phase} {where}: Seq Scan on {relation}"
                            f"{' repeated per row' if repeated else ''}: {sql[:200]}"
                        )
                if own:
                    problems += [
                        f"{phase} {where}: {scan} read again per row: {sql[:200]}"
                        for scan in rescans(plan)
                    ]
        self.assertFalse(problems, "\n".join(problems))
