"""Catch engine queries whose plan does not stay proportional to the ids given.

PostgreSQL plans from its statistics. Right after a data migration, inside an
import's single transaction, or while autovacuum lags, it has none for the new
rows and may believe a table of millions empty: a join that reads a whole
table, or one that re-reads it for every row of the other side, then runs for
minutes (bench/README.md). Tests create their data inside their transaction,
which is exactly that situation, so the plans PostgreSQL picks for a test's
batch are the plans a freshly loaded database gets.

``capture_plans`` runs ``EXPLAIN (FORMAT JSON)`` on every statement the code
under test executes, just before it runs (so the plan sees the data as the
statement does), and ``plan_problems`` tells what is wrong with each plan:

- a sequential scan, or an index scan without an index condition (a full
  scan in index order), of a large relation in a statement this module
  writes itself: its cost follows the table, not the ids. Except a scan
  filtered on the primary key (``id = ANY(ids)``): PostgreSQL knows the key
  unique without statistics and sees the table's size on disk, so it scans
  only a table it sees a few times larger than the ids at most;
- in any statement, the module's or the ORM's on its behalf, such a full scan
  repeated per row: on the inner side of a nested loop or in a correlated
  subplan, its cost is rows x table;
- in a statement of the module, an index scan repeated per row whose
  condition does not refer to the outer row: it reads the same index range
  again for every row.

Relations the batch leaves small on disk (SMALL_PAGES) are not judged: a
plan made for a small table says nothing about a large one.

The ORM's own statements (reads and writes by primary key) are planned by
Odoo; they may scan a table that PostgreSQL believes tiny, once, which stays
linear, so only the repeated scans count against them.

Nothing here depends on the engines' internal method names: the tests run an
engine's public entry point and look at whatever SQL it executes.
"""

import json
import os
import re
import sys
from contextlib import contextmanager
from unittest.mock import patch

from odoo.sql_db import Cursor
from odoo.tools import SQL

# Relations that grow with the number of customers and what they hold: a full
# scan of one of them costs what the database holds, not what the batch is.
LARGE_RELATIONS = frozenset(
    {
        "res_partner",
        "res_partner_res_partner_category_rel",
        "calendar_event",
        "calendar_event_res_partner_rel",
        "calendar_attendee",
        "mail_activity",
        "mail_message",
        "mail_message_res_partner_rel",
        "mail_notification",
        "mail_followers",
        "mail_followers_mail_message_subtype_rel",
        "mail_tracking_value",
        "ir_attachment",
        "crm_lead",
        "crm_lead_assigned_user_rel",
        "customer_visit_report",
        "customer_visit_block",
        "customer_consent",
        "customer_ownership_history",
    }
)

# A relation this small on disk (8 kB pages) is read whole faster than a few
# index probes: PostgreSQL scanning it is no sign of a bad plan.
SMALL_PAGES = 10

MODULE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTS_DIR = os.path.join(MODULE_DIR, "tests")
# Frames that only pass a statement on: the statement belongs to their caller.
PASS_THROUGH = (
    os.path.join("odoo", "sql_db.py"),
    os.path.join("odoo", "api.py"),
    # Odoo 19's Environment.execute_query.
    os.path.join("odoo", "orm", "environments.py"),
    os.path.join("odoo", "tools", "sql.py"),
    os.path.join("psycopg2", "extras.py"),
    "contextlib.py",
    os.path.join("unittest", "mock.py"),
    __file__,
)
# A scan filtered on the primary key: PostgreSQL knows the key unique without
# statistics and sees the table's size on disk when it plans, so it only scans
# a table it sees at most a few times larger than the ids it is given.
BY_PRIMARY_KEY = re.compile(r"\b(?:\w+\.)?id = ANY \(")
QUALIFIED_COLUMN = re.compile(r'(?:\b[a-z_]+|"[^"]+")\.(?:"[^"]+"|[a-z_]+\b)')
EXPLAINABLE = re.compile(
    r"^\s*(?:/\*.*?\*/\s*)*(select|with|insert|update|delete)\b",
    re.IGNORECASE | re.DOTALL,
)


def _in_module(filename):
    return filename.startswith(MODULE_DIR) and not filename.startswith(TESTS_DIR)


def _origin(is_own):
    """(issued by the code under test itself, 'file:line function' of its
    nearest frame) for the statement being executed; ``is_own`` tells a
    file of the code under test by its path."""
    frame = sys._getframe(2)
    own, where = None, ""
    while frame:
        filename = frame.f_code.co_filename
        if own is None and not filename.endswith(PASS_THROUGH):
            own = is_own(filename)
        if is_own(filename):
            where = (
                f"{os.path.relpath(filename, MODULE_DIR)}:{frame.f_lineno} "
                f"{frame.f_code.co_name}"
            )
            break
        frame = frame.f_back
    return bool(own), where


def explain(cr, query, params=None):
    """The plan of ``query`` (an SQL object or a string and its params), not
    run: a bad query is looked at, not waited for."""
    return _explain(cr, query, params)


def _explain(cr, query, params):
    """The plan of one statement, or None if it has none (or EXPLAIN fails:
    the statement itself then fails the same way a moment later)."""
    if isinstance(query, SQL):
        query, params = query.code, query.params
    if isinstance(query, bytes):
        query = query.decode()
    if not EXPLAINABLE.match(query):
        return None
    raw = cr._obj
    raw.execute("SAVEPOINT plan_guard")
    try:
        raw.execute("EXPLAIN (FORMAT JSON) " + query, params or None)
        plan = raw.fetchone()[0]
    except Exception:  # noqa: BLE001 - the real execution reports it
        raw.execute("ROLLBACK TO SAVEPOINT plan_guard")
        return None
    raw.execute("RELEASE SAVEPOINT plan_guard")
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]


@contextmanager
def capture_plans(cr, own_files=None):
    """Collect {"sql", "plan", "own", "where"} for every statement executed
    on ``cr`` inside the block. The code under test is the module's (not
    its tests'), or only the files of ``own_files`` (paths relative to the
    module) when given: a statement is ``own`` when that code issues it
    itself, and ``where`` names its nearest frame ("" when none is on the
    stack)."""
    if own_files:
        suffixes = tuple(os.path.join(MODULE_DIR, name) for name in own_files)

        def is_own(filename):
            return filename.endswith(suffixes)
    else:
        is_own = _in_module
    statements = []
    execute = Cursor.execute
    busy = []

    def explaining_execute(self, query, params=None, log_exceptions=True):
        if self is cr and not busy:
            busy.append(True)
            try:
                plan = _explain(self, query, params)
            finally:
                busy.pop()
            if plan is not None:
                own, where = _origin(is_own)
                text = query.code if isinstance(query, SQL) else query
                if isinstance(text, bytes):
                    text = text.decode()
                statements.append(
                    {
                        "sql": " ".join(text.split()),
                        "plan": plan,
                        "own": own,
                        "where": where,
                    }
                )
        return execute(self, query, params, log_exceptions)

    with patch.object(Cursor, "execute", explaining_execute):
        yield statements


def _full_scan(node, small):
    relation = node.get("Relation Name")
    if relation not in LARGE_RELATIONS or relation in small:
        return None
    node_type = node["Node Type"]
    if node_type == "Seq Scan":
        return f"Seq Scan on {relation}"
    if node_type in ("Index Scan", "Index Only Scan") and "Index Cond" not in node:
        return f"full {node_type} of {relation} ({node.get('Index Name')})"
    return None


def _rescan(node, child, small):
    """An index scan on the inner side of a nested loop whose index condition
    does not refer to the outer row: each loop reads the same index range
    again, dead entries included (those the statement's transaction left, or
    those before a vacuum), so the statement costs rows x range whatever the
    outer side was estimated at. Judged, as full scans are, on the large
    relations the batch fills (not PostgreSQL's catalogues)."""
    if (
        node["Node Type"] != "Nested Loop"
        or child.get("Parent Relationship") != "Inner"
        or child["Node Type"] not in ("Index Scan", "Index Only Scan")
        or child.get("Relation Name") not in LARGE_RELATIONS
        or child.get("Relation Name") in small
    ):
        return None
    condition = child.get("Index Cond", "")
    # A qualified column (t.partner_id, "row".partner_id) is the outer
    # row's; a literal ('res.partner') is not.
    if QUALIFIED_COLUMN.search(re.sub(r"'[^']*'", "", condition)):
        return None
    return f"{child['Index Name']} read again for every row: {condition}"


def plan_problems(plan, own, small=frozenset(), scans_once=False):
    """What makes this plan's cost follow a table instead of the ids; the
    relations in ``small`` are ignored. ``scans_once``: a statement of the
    module allowed to read a table whole once, as the ORM's are."""
    problems = []

    def walk(node, repeated):
        scan = _full_scan(node, small)
        if scan and repeated:
            problems.append(f"{scan}, repeated for every row ({repeated})")
        elif (
            scan
            and own
            and not scans_once
            and not BY_PRIMARY_KEY.search(node.get("Filter", ""))
        ):
            problems.append(scan)
        for child in node.get("Plans", ()):
            rescan = own and _rescan(node, child, small)
            if rescan:
                problems.append(rescan)
            relationship = child.get("Parent Relationship")
            if node["Node Type"] == "Nested Loop" and relationship == "Inner":
                walk(child, "inner side of a nested loop")
            elif relationship == "SubPlan":
                walk(child, "correlated subplan")
            else:
                walk(child, repeated)

    walk(plan, None)
    return problems


def small_relations(cr):
    """The large relations that are still small on disk (fewer than
    SMALL_PAGES pages): the batch put nothing there, and PostgreSQL, which
    sees a table's size on disk when it plans, rightly scans a small table
    whole. What the test's batch fills is checked; what it leaves empty is
    not judged on a plan made for an empty table."""
    cr.execute(
        SQL(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s)"
            " AND pg_relation_size(oid) < %s * current_setting('block_size')::int",
            sorted(LARGE_RELATIONS),
            SMALL_PAGES,
        )
    )
    return frozenset(name for (name,) in cr.fetchall())


def describe_problems(statements, cr, scans_once=None):
    """One paragraph per statement with a problem; empty when all are fine.
    ``scans_once(sql)`` tells the module's statements allowed to read a table
    whole once, as the ORM's are (never once per row)."""
    small = small_relations(cr)
    report = []
    for statement in statements:
        sql = statement["sql"]
        problems = plan_problems(
            statement["plan"],
            statement["own"],
            small,
            scans_once=bool(scans_once and scans_once(sql)),
        )
        if problems:
            who = "module" if statement["own"] else "ORM"
            report.append(
                f"- {who} statement from {statement['where'] or '?'}: "
                f"{'; '.join(problems)}\n    {sql[:300]}"
            )
    return "\n".join(report)


class PlanGuardCase:
    """A test case mixin: code run under ``capture_plans`` keeps plans
    proportional to what it is given (``plans_given`` names it)."""

    plans_given = "the ids given"

    def assertPlansProportional(self, statements, scans_once=None):
        """Fail with every statement whose plan scans a large relation whole."""
        self.assertTrue(statements, "the code under test ran no statement at all")
        problems = describe_problems(statements, self.env.cr, scans_once)
        self.assertFalse(
            problems,
            f"Plans whose cost follows the table instead of {self.plans_given}:"
            f"\n{problems}",
        )
