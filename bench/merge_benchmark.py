"""Merge benchmark: our merge and its undo against stock Odoo's merge wizard
on a database where crm_customer_ownership is not installed.

Uses two throwaway databases, created without demo data when they do not
exist: DB with crm_customer_ownership installed, and STOCK_DB (default
DB_stock) with only the modules it depends on (read from the manifest), so
that Odoo's ``base.partner.merge.automatic.wizard`` runs as stock Odoo runs
it. Each round builds, in each database, a pair of customers whose wrong
one has RECORDS linked records of every kind stock Odoo's wizard moves
(opportunities, activities, messages, attachments, followers, child
contacts, appointments with their attendees); in DB also visit reports and
visit blocks, which only the module has, so ours moves two kinds more.
Then, as the administrator, it merges the stock pair with Odoo's wizard,
merges the module's pair with ``customer.merge.wizard`` and undoes that
through ``customer.merge.log.action_undo``; it times all three (pending ORM
writes and the commit included). Each step commits, as the request it
stands for would: an undo meets the rows its merge left the way it would a
day later, not inside the merge's transaction. Rounds alternate which
database goes first. What the rounds create stays in the databases.

Each round runs in two conditions: "fresh", right after the records are
created, with no statistics about them (as after a data migration;
autovacuum is kept off the tables meanwhile), and "analyzed", after
ANALYZE. A last run with 10 records per kind shows the undo's query count
at a small size.

The floors of bench/README.md are checked in each condition: our merge at
most 1x stock's time (target 0.5x, printed), the undo at most 1.25x its own
merge (parity within the machine's noise). The script exits non-zero
naming each floor missed.

    python bench/merge_benchmark.py DB [--stock-db STOCK_DB] \
        [--records 1000] [--rounds 3]

Odoo is taken from ODOO_SRC (default /opt/odoo/18.0); the databases are
reached with the usual PostgreSQL environment (PGHOST, PGPORT, PGUSER...).
Run it with the module's virtualenv (see README.md).
"""

import argparse
import statistics
import sys
import time
from datetime import datetime, timedelta

from bench_odoo import (
    CONDITIONS,
    MODULE,
    STATISTICS_TABLES,
    Floors,
    analyze,
    ensure_database,
    existing_tables,
    keep_fresh,
    load_odoo,
    module_dependencies,
)

# The tables a merge moves rows in, beyond those the other benchmarks watch.
TABLES = (*STATISTICS_TABLES, "ir_attachment", "mail_notification")

# The floors of bench/README.md ("Merge").
MERGE_FLOOR = 1.0  # our merge / stock Odoo's merge wizard, at most
MERGE_TARGET = 0.5
UNDO_FLOOR = 1.25  # the undo / its own merge (median of the rounds), at most

QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "no_mail_to_attendees": True,
}


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
    # The module's own kinds, where it is installed.
    if "customer.visit.report" in env:
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
    # Plan each statement as a worker would that meets these tables now.
    # PostgreSQL keeps the plans of the foreign-key checks for the session,
    # and this one planned them while building the first pair, when the
    # tables were a few pages: a sequential scan per check, which grows with
    # every row the rounds add (0.1-0.5 ms per moved row, and 26 s merges in
    # earlier runs). ANALYZE (the analysed condition) replans them anyway.
    cr.execute("DISCARD PLANS")
    queries = cr.sql_log_count
    began = time.perf_counter()
    merge()
    env.flush_all()
    count = cr.sql_log_count - queries
    cr.commit()
    return time.perf_counter() - began, count


def stock_merge(env, source, target):
    env["base.partner.merge.automatic.wizard"]._merge((source | target).ids, target)


def our_merge(env, source, target):
    env["customer.merge.wizard"].create(
        {"source_partner_id": source.id, "target_partner_id": target.id}
    ).action_merge()


def our_undo(env, source, _target):
    env["customer.merge.log"].search(
        [("source_partner_id", "=", source.id), ("state", "=", "done")]
    ).action_undo()


STEPS = {"stock": stock_merge, "ours": our_merge, "undo": our_undo}


def check(env, name, source, target, records):
    """Exit unless the step did what it should have."""
    leads = env["crm.lead"].with_context(active_test=False)
    on_source = leads.search_count([("partner_id", "=", source.id)])
    on_target = leads.search_count([("partner_id", "=", target.id)])
    if name == "stock" and source.exists():
        sys.exit("stock: the wrong customer survived Odoo's merge")
    if name == "ours" and (source.active or not source.merged_into_id):
        sys.exit("ours: the wrong customer is not archived and marked as merged")
    if name == "undo" and (not source.active or on_source != records):
        sys.exit(f"undo: the wrong customer has {on_source} of {records} deals back")
    if name != "undo" and on_target != records:
        sys.exit(f"{name}: {on_target} of {records} deals moved")


class Database:
    """One of the two databases: its cursor, the superuser's environment to
    build with, the administrator's to merge as."""

    def __init__(self, odoo, name, tables):
        from odoo import SUPERUSER_ID, api

        self.registry = odoo.modules.registry.Registry(name)
        self.cr = self.registry.cursor()
        self.root = api.Environment(self.cr, SUPERUSER_ID, QUIET)
        # The merges run as the administrator, with permission checks.
        self.admin = self.root(user=self.root.ref("base.user_admin").id, su=False)
        self.tables = existing_tables(self.cr, tables)
        keep_fresh(self.cr, self.tables)
        self.cr.commit()

    def installed(self, module):
        return bool(
            self.root["ir.module.module"].search_count(
                [("name", "=", module), ("state", "=", "installed")]
            )
        )

    def build(self, tag, records, condition):
        began = time.perf_counter()
        pair = build_pair(self.root, tag, records)
        if condition == "analyzed":
            analyze(self.cr, self.tables)
        self.cr.commit()
        return pair, time.perf_counter() - began

    def close(self):
        self.cr.close()


def run_round(dbs, round_no, records, figures, condition):
    pairs, built = {}, []
    for side, db in dbs.items():
        pairs[side], seconds = db.build(
            f"bench-{condition}-{records}-{round_no}-{side}", records, condition
        )
        built.append(f"{side} {seconds:.1f} s")
    print(
        f"round {round_no + 1} ({condition}): built a pair with {records} "
        f"records of each kind in each database ({', '.join(built)})"
    )
    # Alternate which database goes first, against warm-cache and load
    # bias; the undo follows its own merge, as it would follow no other.
    order = (
        ("stock", "ours", "undo") if round_no % 2 == 0 else ("ours", "undo", "stock")
    )
    for name in order:
        db = dbs["stock" if name == "stock" else "ours"]
        source, target = (
            record.with_env(db.admin)
            for record in pairs["stock" if name == "stock" else "ours"]
        )
        seconds, queries = timed(
            db.admin, lambda n=name, e=db.admin, s=source, t=target: STEPS[n](e, s, t)
        )
        check(db.admin, name, source.with_context(active_test=False), target, records)
        figures[name].append((seconds, queries))
        print(f"  {name:>5}: {seconds:7.3f} s, {queries:5d} queries")


def run_rounds(dbs, rounds, records, condition):
    figures = {"stock": [], "ours": [], "undo": []}
    for round_no in range(rounds):
        run_round(dbs, round_no, records, figures, condition)
    return figures


def report(figures, records, rounds, condition, floors):
    print(
        f"\n{condition}: {records} linked records of each kind, {rounds} rounds "
        "(median):"
    )
    medians = {}
    for name, label in (
        ("stock", "stock Odoo's merge wizard"),
        ("ours", "customer.merge.wizard"),
        ("undo", "customer.merge.log undo"),
    ):
        seconds = statistics.median(f[0] for f in figures[name])
        queries = statistics.median(f[1] for f in figures[name])
        medians[name] = (seconds, queries)
        print(f"  {label:<26} {seconds:7.3f} s  {queries:6.0f} queries")
    ratio = medians["ours"][0] / medians["stock"][0]
    print(f"  ours / stock: {ratio:.2f} (target {MERGE_TARGET:g})")
    # The undo against the merge it undid, round by round.
    paired = [
        u[0] / o[0] for u, o in zip(figures["undo"], figures["ours"], strict=True)
    ]
    undo_ratio = statistics.median(paired)
    print(
        f"  undo / its merge, per round: {undo_ratio:.2f} median "
        f"({', '.join(f'{r:.2f}' for r in paired)})"
    )
    floors.at_most(f"{condition}: our merge / stock's", ratio, MERGE_FLOOR)
    floors.at_most(f"{condition}: undo / its merge", undo_ratio, UNDO_FLOOR)
    return medians


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", help="throwaway database with the module (created)")
    parser.add_argument(
        "--stock-db",
        help="throwaway database without the module (created; default DB_stock)",
    )
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    stock_db = args.stock_db or f"{args.db}_stock"

    odoo = load_odoo(args.db)
    ensure_database(args.db, [MODULE])
    ensure_database(stock_db, module_dependencies())
    dbs = {
        "stock": Database(odoo, stock_db, TABLES),
        "ours": Database(odoo, args.db, TABLES),
    }
    if not dbs["ours"].installed(MODULE):
        sys.exit(f"{MODULE} is not installed in database {args.db}")
    if dbs["stock"].installed(MODULE):
        sys.exit(f"{MODULE} is installed in {stock_db}: give a stock database")
    try:
        # Fresh rounds first: the analysed ones leave statistics behind.
        results = {
            condition: run_rounds(dbs, args.rounds, args.records, condition)
            for condition in CONDITIONS
        }
        small = run_rounds(dbs, 1, 10, "fresh")
    finally:
        for db in dbs.values():
            db.close()

    floors = Floors()
    for condition, figures in results.items():
        report(figures, args.records, args.rounds, condition, floors)
    undo_small = small["undo"][0][1]
    undo_large = statistics.median(f[1] for f in results["fresh"]["undo"])
    print(
        f"\nundo queries: {undo_small} with 10 records of each kind, "
        f"{undo_large:.0f} with {args.records}"
    )
    floors.done()


if __name__ == "__main__":
    main()
