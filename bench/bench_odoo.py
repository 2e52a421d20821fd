"""Loading Odoo for the benchmark scripts of this folder."""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

MODULE = "crm_customer_ownership"


def load_odoo(db):
    """Import Odoo from ODOO_SRC (default /opt/odoo/18.0) and configure it for
    ``db`` with this checkout as the module's source; return the odoo package."""
    odoo_src = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")
    sys.path.insert(0, odoo_src)
    # Odoo is only importable once ODOO_SRC is on the path.
    import odoo

    # Odoo finds an addon by its folder name; the checkout may be named anything.
    addons = tempfile.mkdtemp(prefix="bench_addons_")
    atexit.register(shutil.rmtree, addons, ignore_errors=True)
    os.symlink(Path(__file__).resolve().parent.parent, Path(addons, MODULE))
    odoo.tools.config.parse_config(
        [
            f"--addons-path={odoo_src}/odoo/addons,{odoo_src}/addons,{addons}",
            f"--database={db}",
            "--log-level=warn",
        ]
    )
    return odoo


# The tables whose statistics decide the engines' plans (see issue 18 and
# tests/plan_guard.py): the customers and everything that follows them.
STATISTICS_TABLES = (
    "res_partner",
    "calendar_event",
    "calendar_event_res_partner_rel",
    "calendar_attendee",
    "mail_activity",
    "mail_message",
    "mail_followers",
    "crm_lead",
    "customer_visit_report",
    "customer_visit_block",
    "customer_ownership_history",
)
# The two conditions every benchmark reports: "fresh", right after the data
# is created, with only the statistics PostgreSQL had before (none, or those
# of near-empty tables), as after a migration or inside one long transaction;
# "analyzed", after ANALYZE.
CONDITIONS = ("fresh", "analyzed")


def keep_fresh(cr, tables=STATISTICS_TABLES):
    """Keep autovacuum from analysing ``tables`` while a benchmark that
    commits runs, so that its "fresh" figures stay fresh. Undone by
    ``analyze``. (Data created in one uncommitted transaction needs nothing:
    autovacuum never sees it.)"""
    for table in tables:
        cr.execute(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false)')


def analyze(cr, tables=STATISTICS_TABLES):
    """ANALYZE ``tables`` (inside a transaction it also counts that
    transaction's own rows) and hand them back to autovacuum."""
    for table in tables:
        cr.execute(f'ALTER TABLE "{table}" RESET (autovacuum_enabled)')
        cr.execute(f'ANALYZE "{table}"')
