"""Lead access benchmark: what the record rules of crm_customer_ownership cost.

Run by hand, never by CI::

    PYTHONPATH=/opt/odoo/18.0 "$VENV/bin/python" \\
        bench/lead_access_benchmark.py lead_access_bench

with VENV the virtualenv tools/run_tests.sh builds
(~/.cache/crm_customer_ownership/venv-<hash>).

It creates the database named on the command line (which must not exist),
installs the module without demo data, inserts 100,000 leads with SQL over 50
salespeople in a 3-level hierarchy (1 head of sales > 7 team leads > 42
agents), then times, for each user, ``search_count`` and the first page of the
lead list as the list view asks for it (``web_search_read`` with the list
view's fields, 80 records, and the count the pager shows), the users taking
turns over 31 rounds, and prints the medians. The database is dropped at the
end unless ``--keep`` is given (``--reuse`` measures again on a kept one).

"Stock salesperson" is the restricted agent measured with this module's rules
switched off: the same user, the same leads, only Odoo's own rules.

Every round runs in two conditions (bench_odoo.CONDITIONS): "fresh", right
after the leads are inserted, with autovacuum kept off the tables, and
"analyzed", after ANALYZE (with ``--reuse`` only the latter: a kept database
is no longer fresh). The floors of bench/README.md are checked in each:
every restricted user (agent, team lead) within 2x of the stock salesperson,
the head of sales (who sees every lead through the hierarchy) and customer
service within 1.25x of the administrator, on the count and on the first
page. The script exits non-zero naming each floor missed. ``--leads N``
runs a smaller size.
"""

import argparse
import getpass
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
MODULE = "crm_customer_ownership"
ODOO_SRC = Path(os.environ.get("ODOO_SRC", "/opt/odoo/18.0"))
if str(ODOO_SRC) not in sys.path:
    sys.path.insert(0, str(ODOO_SRC))

from bench_odoo import CONDITIONS, Floors, analyze, keep_fresh

import odoo
from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service import db as db_service
from odoo.tools import config

LEAD_COUNT = 100_000
TEAM_LEADS = 7
AGENTS_PER_TEAM = 6
UNASSIGNED_SHARE = 0.02  # leads without salesperson, visible to every CRM user
ASSIGNED_SHARE = 0.05  # leads with one assigned operator besides the salesperson
LIST_DOMAIN = ["|", ("type", "=", "lead"), ("type", "=", False)]
PAGE_SIZE = 80
COUNT_LIMIT = 10001  # what the list view asks the pager to count up to
STOCK = "stock salesperson (agent, module rules off)"
ADMIN = "administrator"
AGENT = "restricted CRM user (agent)"
TEAM_LEAD = "team lead (6 below)"
HEAD = "head of sales (49 below)"
SERVICE = "customer service"
# The floors of bench/README.md ("Lead and customer access").
STOCK_FLOOR = 2.0  # a restricted user / the stock salesperson, at most
ADMIN_FLOOR = 1.25  # the head of sales, customer service / admin, at most
TABLES = ("crm_lead", "crm_lead_assigned_user_rel", "res_users")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", help="name of a database to create and drop")
    parser.add_argument("--repeat", type=int, default=31, help="timed rounds")
    parser.add_argument("--leads", type=int, default=LEAD_COUNT, help="leads")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure again on a database kept by an earlier --keep run",
    )
    return parser.parse_args()


def configure(database):
    # Odoo finds an addon by its folder name: point a folder named after the
    # module at this checkout, whatever the checkout is called.
    addons = Path(tempfile.mkdtemp(prefix="lead_access_bench_"))
    (addons / MODULE).symlink_to(REPO_DIR)
    config.parse_config(
        [
            "--addons-path",
            ",".join(
                [
                    str(ODOO_SRC / "odoo" / "addons"),
                    str(ODOO_SRC / "addons"),
                    str(addons),
                ]
            ),
            "-d",
            database,
            "--db_user",
            os.environ.get("PGUSER") or getpass.getuser(),
            "--data-dir",
            str(addons / "data"),
            "--db_port",
            os.environ.get("PGPORT", "5432"),
            "--without-demo",
            "all",
            "--log-level",
            "warn",
        ]
    )
    odoo.netsvc.init_logger()
    return addons


def create_database(database, reuse):
    if reuse:
        return Registry(database)
    if db_service.exp_db_exist(database):
        sys.exit(f"Database {database} exists: give the name of a new, throwaway one.")
    db_service._create_empty_database(database)
    config["init"] = {MODULE: 1}
    print(f"Installing {MODULE} on {database}...", flush=True)
    registry = Registry.new(database, update_module=True)
    config["init"] = {}
    return registry


def generate_data(env, leads):
    """Users with groups through the ORM, leads through SQL."""
    salesman = env.ref("sales_team.group_sale_salesman")
    service_group = env.ref(f"{MODULE}.group_customer_service")
    Users = env["res.users"].with_context(no_reset_password=True, tracking_disable=True)

    def users(groups, managers_by_login):
        """One create per level of the hierarchy."""
        return Users.create(
            [
                {
                    "name": login.replace("_", " ").title(),
                    "login": login,
                    "groups_id": [(6, 0, groups.ids)],
                    "crm_manager_id": manager.id,
                    "restrict_to_own_customers": True,
                }
                for login, manager in managers_by_login.items()
            ]
        )

    no_manager = env["res.users"]
    head = users(salesman, {"bench_head": no_manager})
    team_leads = users(salesman, {f"bench_lead_{t}": head for t in range(TEAM_LEADS)})
    agents = users(
        salesman,
        {
            f"bench_agent_{t}_{a}": team_lead
            for t, team_lead in enumerate(team_leads)
            for a in range(AGENTS_PER_TEAM)
        },
    )
    users(service_group, {"bench_service": no_manager})
    salespeople = [head, *team_leads, *agents]
    assert len(salespeople) == 50

    company = env.company
    stage = env["crm.stage"].search([], limit=1)
    team = env["crm.team"].search([], limit=1)
    env.flush_all()
    cr = env.cr
    # Every 50th lead (2%) has no salesperson; the others go round the 50.
    cr.execute(
        """
        INSERT INTO crm_lead (name, type, active, user_id, team_id, company_id,
                              stage_id, priority, probability, email_from,
                              contact_name, city, create_uid, write_uid,
                              create_date, write_date)
        SELECT 'Bench lead ' || n, 'lead', TRUE,
               CASE WHEN n %% %(every)s = 0 THEN NULL
                    ELSE (%(users)s::int[])[1 + (n / %(every)s) %% %(count)s] END,
               %(team)s, %(company)s, %(stage)s, (n %% 4)::text, 10,
               'lead' || n || '@example.com', 'Contact ' || n, 'City ' || (n %% 97),
               1, 1, now() - n * interval '1 minute', now()
          FROM generate_series(1, %(leads)s) AS n
        """,
        {
            "every": round(1 / UNASSIGNED_SHARE),
            "users": [u.id for u in salespeople],
            "count": len(salespeople),
            "team": team.id,
            "company": company.id,
            "stage": stage.id,
            "leads": leads,
        },
    )
    # One lead in twenty also gets an assigned operator: another agent.
    cr.execute(
        """
        INSERT INTO crm_lead_assigned_user_rel (lead_id, user_id)
        SELECT l.id, (%(agents)s::int[])[1 + (l.id / %(every)s) %% %(count)s]
          FROM crm_lead l
         WHERE l.name LIKE 'Bench lead %%' AND l.id %% %(every)s = 1
        ON CONFLICT DO NOTHING
        """,
        {
            "agents": [u.id for u in agents],
            "count": len(agents),
            "every": round(1 / ASSIGNED_SHARE),
        },
    )
    env.invalidate_all()
    return find_users(env)


def find_users(env):
    """The users measured, by login."""
    logins = {
        "agent": "bench_agent_0_0",
        "team_lead": "bench_lead_0",
        "head": "bench_head",
        "service": "bench_service",
        "admin": "admin",
    }
    Users = env["res.users"]
    return {key: Users.search([("login", "=", login)]) for key, login in logins.items()}


def list_specification(env):
    """The fields the lead list view reads, as the web client asks for them."""
    view = env["crm.lead"].get_views(
        [(env.ref("crm.crm_case_tree_view_leads").id, "list")]
    )
    fields = view["models"]["crm.lead"]["fields"]
    spec = {}
    for name in fields:
        field = env["crm.lead"]._fields.get(name)
        if field is None:
            continue
        if field.type in ("many2one", "many2many", "one2many"):
            spec[name] = {"fields": {"display_name": {}}}
        else:
            spec[name] = {}
    return spec


def operations(env, user, spec):
    """search_count and the list's first page, as ``user``, on a cold ORM
    cache (rule domains and query plans stay warm, as in production)."""
    Lead = env(user=user.id)["crm.lead"]

    def count():
        Lead.env.invalidate_all()
        return Lead.search_count(LIST_DOMAIN)

    def first_page():
        Lead.env.invalidate_all()
        return Lead.web_search_read(
            LIST_DOMAIN, spec, limit=PAGE_SIZE, count_limit=COUNT_LIMIT
        )

    return {"count_ms": count, "page_ms": first_page}


def clock(func):
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


def measure(env, users, spec, repeat):
    """Median times per user. The users take turns in every round, the stock
    salesperson too (this module's rules switched off for its turn), so that
    a load peak on the machine hits everybody alike."""
    ops = {label: operations(env, user, spec) for label, user in users.items()}
    times = {label: {"count_ms": [], "page_ms": []} for label in ops}
    visible = {}
    for round_ in range(repeat + 1):
        for label, user_ops in ops.items():
            stock = label == STOCK
            if stock:
                set_module_rules(env, False)
            for name, func in user_ops.items():
                func()  # warm-up: after a rule switch the domains are rebuilt
                elapsed = clock(func)
                if round_:  # round 0 only warms up
                    times[label][name].append(elapsed)
            visible[label] = user_ops["count_ms"]()
            if stock:
                set_module_rules(env, True)
    return {
        label: {
            "visible": visible[label],
            **{name: statistics.median(values) for name, values in figures.items()},
        }
        for label, figures in times.items()
    }


def set_module_rules(env, active):
    rules = (
        env["ir.rule"]
        .with_context(active_test=False)
        .search([("id", "in", [r.res_id for r in module_rule_data(env)])])
    )
    rules.write({"active": active})


def module_rule_data(env):
    return env["ir.model.data"].search(
        [("module", "=", MODULE), ("model", "=", "ir.rule")]
    )


def main():
    args = parse_args()
    workdir = configure(args.database)
    try:
        registry = create_database(args.database, args.reuse)
        try:
            results = measure_all(registry, args)
            floors = Floors()
            for condition, rows in results.items():
                report(condition, rows, floors)
            floors.done()
        finally:
            if not args.keep:
                Registry.delete(args.database)
                db_service.exp_drop(args.database)
    finally:
        shutil.rmtree(workdir)


def measure_all(registry, args):
    """Generate the data unless reused, then measure in each condition:
    rows for report() by condition."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        if args.reuse:
            users = find_users(env)
        else:
            print(f"Generating {args.leads} leads...", flush=True)
            # Fresh: autovacuum must not analyse the new leads between the
            # commit and the fresh rounds.
            keep_fresh(cr, TABLES)
            users = generate_data(env, args.leads)
            cr.commit()
        spec = list_specification(env)
        users_by_label = {
            AGENT: users["agent"],
            TEAM_LEAD: users["team_lead"],
            HEAD: users["head"],
            SERVICE: users["service"],
            ADMIN: users["admin"],
            STOCK: users["agent"],
        }
        results = {}
        for condition in CONDITIONS:
            if condition == "fresh" and args.reuse:
                continue
            if condition == "analyzed":
                analyze(cr, TABLES)
                cr.commit()
            print(f"Measuring ({condition})...", flush=True)
            results[condition] = list(
                measure(env, users_by_label, spec, args.repeat).items()
            )
            # Undo the rule switches of the stock salesperson's turns.
            cr.rollback()
    registry.clear_cache()
    return results


def report(condition, rows, floors):
    stock = dict(rows)[STOCK]
    admin = dict(rows)[ADMIN]
    print(f"\n{condition}:")
    print(
        f"{'user':<45} {'visible':>8} {'count ms':>9} {'page ms':>8} "
        f"{'count/stock':>11} {'page/stock':>10} {'count/admin':>11} {'page/admin':>10}"
    )
    for label, f in rows:
        print(
            f"{label:<45} {f['visible']:>8} {f['count_ms']:>9.1f} {f['page_ms']:>8.1f} "
            f"{f['count_ms'] / stock['count_ms']:>11.2f} "
            f"{f['page_ms'] / stock['page_ms']:>10.2f} "
            f"{f['count_ms'] / admin['count_ms']:>11.2f} "
            f"{f['page_ms'] / admin['page_ms']:>10.2f}"
        )

    for label, f in rows:
        for name, what in (("count_ms", "count"), ("page_ms", "first page")):
            if label in (AGENT, TEAM_LEAD):
                floors.at_most(
                    f"{condition}: {label}, {what} / stock salesperson",
                    f[name] / stock[name],
                    STOCK_FLOOR,
                )
            elif label in (HEAD, SERVICE):
                floors.at_most(
                    f"{condition}: {label}, {what} / administrator",
                    f[name] / admin[name],
                    ADMIN_FLOOR,
                )


if __name__ == "__main__":
    main()
