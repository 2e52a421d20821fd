"""Loading Odoo for the benchmark scripts of this folder."""

import ast
import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MODULE = "crm_customer_ownership"
MODULE_DIR = Path(__file__).resolve().parent.parent
ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")


@functools.cache
def addons_path():
    """Odoo's addons and this checkout. Odoo finds an addon by its folder
    name; the checkout may be named anything, so a folder of the right name
    points at it."""
    addons = tempfile.mkdtemp(prefix="bench_addons_")
    atexit.register(shutil.rmtree, addons, ignore_errors=True)
    os.symlink(MODULE_DIR, Path(addons, MODULE))
    return f"{ODOO_SRC}/odoo/addons,{ODOO_SRC}/addons,{addons}"


def load_odoo(db):
    """Import Odoo from ODOO_SRC (default /opt/odoo/18.0) and configure it for
    ``db`` with this checkout as the module's source; return the odoo package."""
    sys.path.insert(0, ODOO_SRC)
    # Odoo is only importable once ODOO_SRC is on the path.
    import odoo

    odoo.tools.config.parse_config(
        [f"--addons-path={addons_path()}", f"--database={db}", "--log-level=warn"]
    )
    return odoo


def module_dependencies():
    """The modules the manifest depends on: what a stock database installs
    to compare with stock Odoo on the same applications."""
    manifest = ast.literal_eval((MODULE_DIR / "__manifest__.py").read_text())
    return manifest["depends"]


def ensure_database(db, modules):
    """Create ``db`` with ``modules`` installed, without demo data, unless it
    exists already (a kept database is measured again as it is)."""
    import psycopg2

    try:
        psycopg2.connect(dbname=db).close()
        return
    except psycopg2.OperationalError:
        pass
    print(f"creating database {db} with {', '.join(modules)} (no demo data)...")
    subprocess.run(
        [
            sys.executable,
            f"{ODOO_SRC}/odoo-bin",
            f"--addons-path={addons_path()}",
            f"--database={db}",
            f"--init={','.join(modules)}",
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
        ],
        check=True,
    )


class Floors:
    """The floors bench/README.md states for a benchmark, checked on the
    figures of one run: ``done()`` prints each check and exits non-zero,
    naming every floor missed, so that a regression is visible."""

    def __init__(self):
        self.checks = []

    def at_most(self, label, value, limit):
        self.require(label, value <= limit, f"{value:.2f} (floor <= {limit:g})")

    def at_least(self, label, value, limit):
        self.require(label, value >= limit, f"{value:.2f} (floor >= {limit:g})")

    def require(self, label, met, detail):
        self.checks.append((label, detail, met))

    def done(self):
        print("\nfloors:")
        for label, detail, met in self.checks:
            print(f"  {'met' if met else 'MISSED':>6}: {label}: {detail}")
        missed = [check[0] for check in self.checks if not check[2]]
        if missed:
            sys.exit(f"{len(missed)} floor(s) missed: {'; '.join(missed)}")


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


def existing_tables(cr, tables):
    """Those of ``tables`` this database has (a stock database lacks the
    module's own)."""
    cr.execute(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s)",
        [list(tables)],
    )
    found = {row[0] for row in cr.fetchall()}
    return tuple(table for table in tables if table in found)


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
