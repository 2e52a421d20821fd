"""Merge benchmark: our merge wizard against Odoo's own, in one run.

Builds two identical pairs of customers in a database where
crm_customer_ownership is installed; the wrong customer of each pair has
RECORDS linked records of every kind (opportunities, activities, messages,
attachments, followers, child contacts, appointments, visit reports, visit
blocks). Merges one pair with Odoo's ``base.partner.merge.automatic.wizard``
and the other with ``customer.merge.wizard``, both as the administrator,
times both (pending ORM writes included), and rolls everything back.
Rounds alternate which merge runs first.

    python bench/merge_benchmark.py DB [--records 1000] [--rounds 5]

Odoo is taken from ODOO_SRC (default /opt/odoo/18.0); the database is
reached with the usual PostgreSQL environment (PGHOST, PGPORT, PGUSER...).
Run it with the module's virtualenv (see README.md).
"""

import argparse
import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

MODULE = "crm_customer_ownership"
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "no_mail_to_attendees": True,
}


def load_odoo(db):
    odoo_src = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")
    sys.path.insert(0, odoo_src)
    # Odoo is only importable once ODOO_SRC is on the path.
    import odoo

    # Odoo finds an addon by its folder name; the checkout may be named anything.
    addons = tempfile.mkdtemp(prefix="merge_bench_addons_")
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


def build_pair(env, tag, records):
    """A wrong customer with ``records`` links of every kind, and a right one."""
    Partner = env["res.partner"]
    source, target = Partner.create(
        [
            {"name": f"{tag} wrong", "email": f"{tag}@example.com", "is_company": True},
            {"name": f"{tag} right", "is_company": True},
        ]
    )
    n = range(records)
    partner_model = env["ir.model"]._get_id("res.partner")
    todo = env.ref("mail.mail_activity_data_todo")
    contacts = Partner.create(
        [{"name": f"{tag} contact {i}", "parent_id": source.id} for i in n]
    )
    leads = env["crm.lead"].create(
        [{"name": f"{tag} deal {i}", "partner_id": source.id} for i in n]
    )
    # Activities subscribe their user; once, not once per activity of a batch.
    source.message_subscribe(partner_ids=env.user.partner_id.ids)
    env["mail.activity"].create(
        [
            {
                "res_model_id": partner_model,
                "res_id": source.id,
                "activity_type_id": todo.id,
                "summary": f"{tag} task {i}",
                "user_id": env.uid,
            }
            for i in n
        ]
    )
    env["mail.message"].create(
        [
            {
                "model": "res.partner",
                "res_id": source.id,
                "body": f"{tag} note {i}",
                "message_type": "comment",
            }
            for i in n
        ]
    )
    env["ir.attachment"].create(
        [
            {
                # A link, not a file: a rolled-back run leaves no files behind.
                "name": f"{tag} offer {i}",
                "type": "url",
                "url": f"https://example.com/{tag}/offer-{i}",
                "res_model": "res.partner",
                "res_id": source.id,
            }
            for i in n
        ]
    )
    # The contacts follow the wrong customer; it follows its opportunities.
    source.message_subscribe(partner_ids=contacts.ids)
    leads.message_subscribe(partner_ids=source.ids)
    start = datetime(2030, 1, 7, 9)
    env["calendar.event"].create(
        [
            {
                "name": f"{tag} visit {i}",
                "start": start + timedelta(days=i),
                "stop": start + timedelta(days=i, hours=1),
                "partner_ids": [(6, 0, source.ids)],
            }
            for i in n
        ]
    )
    env["customer.visit.report"].create(
        [{"partner_id": source.id, "summary": f"{tag} visit {i}"} for i in n]
    )
    env["customer.visit.block"].create(
        [
            {
                "partner_id": source.id,
                "date_from": "2030-01-01",
                "date_to": "2030-01-02",
                "reason": f"{tag} block {i}",
            }
            for i in n
        ]
    )
    env.flush_all()
    return source, target


def timed(env, merge):
    cr = env.cr
    env.flush_all()
    env.invalidate_all()
    queries = cr.sql_log_count
    began = time.perf_counter()
    merge()
    env.flush_all()
    return time.perf_counter() - began, cr.sql_log_count - queries


def odoo_merge(env, source, target):
    env["base.partner.merge.automatic.wizard"]._merge((source | target).ids, target)


def our_merge(env, source, target):
    env["customer.merge.wizard"].create(
        {"source_partner_id": source.id, "target_partner_id": target.id}
    ).action_merge()


def run_round(root, admin, round_no, records, figures):
    began = time.perf_counter()
    pairs = {
        name: build_pair(root, f"bench-{round_no}-{name}", records)
        for name in ("odoo", "ours")
    }
    print(
        f"round {round_no + 1}: built 2 pairs with {records} records of each kind "
        f"in {time.perf_counter() - began:.1f} s"
    )
    # Alternate which merge runs first, against warm-cache bias.
    order = ("odoo", "ours") if round_no % 2 == 0 else ("ours", "odoo")
    for name in order:
        source, target = (p.with_env(admin) for p in pairs[name])
        merge = odoo_merge if name == "odoo" else our_merge
        seconds, queries = timed(
            admin, lambda m=merge, s=source, t=target: m(admin, s, t)
        )
        if source.exists():
            sys.exit(f"{name}: the wrong customer survived the merge")
        figures[name].append((seconds, queries))
        print(f"  {name:>4}: {seconds:7.3f} s, {queries:5d} queries")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="database with crm_customer_ownership installed")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    odoo = load_odoo(args.db)
    from odoo import SUPERUSER_ID, api

    registry = odoo.modules.registry.Registry(args.db)
    figures = {"odoo": [], "ours": []}
    with registry.cursor() as cr:
        root = api.Environment(cr, SUPERUSER_ID, QUIET)
        if not root["ir.module.module"].search_count(
            [("name", "=", MODULE), ("state", "=", "installed")]
        ):
            sys.exit(f"{MODULE} is not installed in database {args.db}")
        # Both merges run as the administrator, with permission checks.
        admin = root(user=root.ref("base.user_admin").id, su=False)
        try:
            for round_no in range(args.rounds):
                # Each round starts from the same database.
                savepoint = cr.savepoint()
                try:
                    run_round(root, admin, round_no, args.records, figures)
                finally:
                    savepoint.close(rollback=True)
        finally:
            cr.rollback()

    print(
        f"\n{args.records} linked records of each kind, {args.rounds} rounds (median):"
    )
    for name, label in (
        ("odoo", "Odoo's merge wizard"),
        ("ours", "customer.merge.wizard"),
    ):
        seconds = statistics.median(f[0] for f in figures[name])
        queries = statistics.median(f[1] for f in figures[name])
        print(f"  {label:<24} {seconds:7.3f} s  {queries:6.0f} queries")
    ratio = statistics.median(f[0] for f in figures["ours"]) / statistics.median(
        f[0] for f in figures["odoo"]
    )
    print(f"  ours / Odoo's: {ratio:.2f}")


if __name__ == "__main__":
    main()
